-- Catalog data per tenant: assets, policy definitions and contract definitions (EDC Management API v3 entities),
-- plus the helper functions the QuerySpec SQL translation uses to read JSON-LD property values as text lists.

-- The comparable texts of a normalized JSON-LD value: a scalar gives itself, {"@id"}/{"@value"} objects their
-- id/value, an array its elements' texts; null, other objects and nested arrays give nothing.
CREATE OR REPLACE FUNCTION catalog_json_scalar(v jsonb) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE jsonb_typeof(v)
    WHEN 'object' THEN coalesce(v ->> '@id', v ->> '@value')
    WHEN 'array' THEN NULL
    WHEN 'null' THEN NULL
    ELSE v #>> '{}'
  END
$$;

CREATE OR REPLACE FUNCTION catalog_json_texts(v jsonb) RETURNS text[]
LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE
    WHEN v IS NULL THEN ARRAY[]::text[]
    WHEN jsonb_typeof(v) = 'array' THEN
      ARRAY(SELECT catalog_json_scalar(e) FROM jsonb_array_elements(v) AS e WHERE catalog_json_scalar(e) IS NOT NULL)
    WHEN catalog_json_scalar(v) IS NULL THEN ARRAY[]::text[]
    ELSE ARRAY[catalog_json_scalar(v)]
  END
$$;

GRANT EXECUTE ON FUNCTION catalog_json_scalar(jsonb) TO pcf_app;
GRANT EXECUTE ON FUNCTION catalog_json_texts(jsonb) TO pcf_app;

CREATE TABLE assets (
  tenant_id          text   NOT NULL REFERENCES tenants(id),
  id                 text   NOT NULL,
  properties         jsonb  NOT NULL,
  private_properties jsonb  NOT NULL DEFAULT '{}'::jsonb,
  data_address       jsonb  NOT NULL,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX assets_created_idx ON assets (tenant_id, created_at, id);
ALTER TABLE assets ENABLE ROW LEVEL SECURITY;
ALTER TABLE assets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON assets
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON assets TO pcf_app;

-- The policy is stored as the parsed model of policies/model.ts (plain JSON), so reading it needs no JSON-LD.
CREATE TABLE policy_definitions (
  tenant_id          text   NOT NULL REFERENCES tenants(id),
  id                 text   NOT NULL,
  policy             jsonb  NOT NULL,
  private_properties jsonb  NOT NULL DEFAULT '{}'::jsonb,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
ALTER TABLE policy_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE policy_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON policy_definitions
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON policy_definitions TO pcf_app;

-- Policy ids are not foreign keys: EDC accepts contract definitions that name policies created later.
CREATE TABLE contract_definitions (
  tenant_id          text   NOT NULL REFERENCES tenants(id),
  id                 text   NOT NULL,
  access_policy_id   text   NOT NULL,
  contract_policy_id text   NOT NULL,
  assets_selector    jsonb  NOT NULL DEFAULT '[]'::jsonb,
  private_properties jsonb  NOT NULL DEFAULT '{}'::jsonb,
  created_at         bigint NOT NULL,
  updated_at         bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX contract_definitions_access_idx ON contract_definitions (tenant_id, access_policy_id);
CREATE INDEX contract_definitions_contract_idx ON contract_definitions (tenant_id, contract_policy_id);
ALTER TABLE contract_definitions ENABLE ROW LEVEL SECURITY;
ALTER TABLE contract_definitions FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON contract_definitions
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON contract_definitions TO pcf_app;
