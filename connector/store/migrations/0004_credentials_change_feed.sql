-- Change feed of the management credentials: every statement that writes api_keys or a tenant row notifies
-- `pcf_credentials_changed` with the tenant it ran for ('*' when no tenant is bound, e.g. a system transaction that
-- changes a tenant's status), delivered at commit. The API-key caches of every process drop that tenant's entries,
-- so a revoked key or an offboarded tenant is refused everywhere as soon as the change commits.
CREATE FUNCTION credentials_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pcf_credentials_changed', coalesce(nullif(current_setting('app.tenant_id', true), ''), '*'));
  RETURN NULL;
END
$$;

CREATE TRIGGER api_keys_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION credentials_notify_change();

CREATE TRIGGER tenants_notify_change
  AFTER UPDATE OR DELETE OR TRUNCATE ON tenants
  FOR EACH STATEMENT EXECUTE FUNCTION credentials_notify_change();
