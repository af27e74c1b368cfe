-- Change feed of the footprints table: every statement that writes footprints notifies `pcf_footprints_changed`
-- with the tenant it ran for ('*' when no tenant is bound, e.g. the schema owner), delivered at commit. Read caches
-- of the PACT host in every process drop that tenant's entries, so a cached answer never outlives a committed change.
CREATE FUNCTION footprints_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('pcf_footprints_changed', coalesce(nullif(current_setting('app.tenant_id', true), ''), '*'));
  RETURN NULL;
END
$$;

CREATE TRIGGER footprints_notify_change
  AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON footprints
  FOR EACH STATEMENT EXECUTE FUNCTION footprints_notify_change();
