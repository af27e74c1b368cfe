-- Change feed of the catalog tables (see 0004): every statement that writes assets, policy definitions or contract
-- definitions notifies `pcf_catalog_changed` at commit, so cached offers never outlive a committed change.
CREATE TRIGGER assets_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON assets
  FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_change('pcf_catalog_changed');

CREATE TRIGGER policy_definitions_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON policy_definitions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_change('pcf_catalog_changed');

CREATE TRIGGER contract_definitions_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON contract_definitions
  FOR EACH STATEMENT EXECUTE FUNCTION notify_tenant_change('pcf_catalog_changed');
