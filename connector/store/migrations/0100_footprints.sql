-- PACT footprints per tenant: the stored document (either PACT generation) plus the index columns queries filter on.
-- Keyset paging orders by (created, id). Lists are lower-cased (PACT v3 matching is case-insensitive).
CREATE TABLE footprints (
  tenant_id              text        NOT NULL REFERENCES tenants(id),
  id                     uuid        NOT NULL,
  spec_version           text        NOT NULL,
  pact_version           text        NOT NULL CHECK (pact_version IN ('2', '3')),
  version                integer     NOT NULL DEFAULT 0 CHECK (version >= 0),
  status                 text        NOT NULL CHECK (status IN ('Active', 'Deprecated')),
  created                timestamptz NOT NULL,
  updated                timestamptz,
  product_ids            text[]      NOT NULL,
  company_ids            text[]      NOT NULL,
  classifications        text[]      NOT NULL,
  product_category_cpc   text,
  geography_region       text,
  geography_country      text,
  geography_subdivision  text,
  geographies            text[]      NOT NULL,
  reference_period_start timestamptz NOT NULL,
  reference_period_end   timestamptz NOT NULL,
  validity_start         timestamptz NOT NULL,
  validity_end           timestamptz NOT NULL,
  document               jsonb       NOT NULL,
  PRIMARY KEY (tenant_id, id)
);

CREATE INDEX footprints_page_idx ON footprints (tenant_id, created, id);
CREATE INDEX footprints_status_idx ON footprints (tenant_id, status, created, id);
CREATE INDEX footprints_product_ids_idx ON footprints USING gin (product_ids);
CREATE INDEX footprints_company_ids_idx ON footprints USING gin (company_ids);
CREATE INDEX footprints_classifications_idx ON footprints USING gin (classifications);
CREATE INDEX footprints_geographies_idx ON footprints USING gin (geographies);
CREATE INDEX footprints_validity_idx ON footprints (tenant_id, validity_start, validity_end);
CREATE INDEX footprints_updated_idx ON footprints (tenant_id, updated);

ALTER TABLE footprints ENABLE ROW LEVEL SECURITY;
ALTER TABLE footprints FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON footprints
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON footprints TO pcf_app;
