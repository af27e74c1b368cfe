-- Change feed of the catalog tables: every statement that writes assets, policy definitions or contract definitions
-- notifies `pcf_catalog_changed` with the tenant it ran for ('*' when no tenant is bound), delivered at commit. The
-- catalog caches of every process drop that tenant's entries, so offers never outlive a committed change.
CREATE FUNCTION catalog_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pcf_catalog_changed', coalesce(nullif(current_setting('app.tenant_id', true), ''), '*'));
  RETURN NULL;
END
$$;

CREATE TRIGGER assets_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assets
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_notify_change();

CREATE TRIGGER policy_definitions_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policy_definitions
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_notify_change();

CREATE TRIGGER contract_definitions_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_definitions
  FOR EACH STATEMENT EXECUTE FUNCTION catalog_notify_change();
