-- Change feeds for caches: `notify_tenant_change()` is a statement trigger that notifies the channel named by its
-- argument with the tenant the statement ran for ('*' when no tenant is bound, e.g. a system transaction that changes
-- a tenant's status), delivered at commit. Caches in every process drop that tenant's entries when it arrives.
CREATE FUNCTION notify_tenant_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(TG_ARGV[0], coalesce(nullif(current_setting('app.tenant_id', true), ''), '*'));
  RETURN NULL;
END
$$;

-- Management credentials: a revoked key or an offboarded tenant is refused everywhere as soon as the change commits.
CREATE TRIGGER api_keys_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON api_keys
  FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_change('pcf_credentials_changed');

CREATE TRIGGER tenants_notify_change
  AFTER UPDATE OR DELETE OR TRUNCATE ON tenants
  FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_change('pcf_credentials_changed');
