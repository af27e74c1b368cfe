-- Identity (DCP): credentials each tenant holds, and the SI-token jti replay register.

-- Verifiable credentials held by a tenant (served by its Credential Service). Tenant data: RLS pattern.
CREATE TABLE identity_held_credentials (
  tenant_id   text        NOT NULL REFERENCES tenants(id),
  id          text        NOT NULL,
  types       text[]      NOT NULL,
  issuer      text        NOT NULL,
  format      text        NOT NULL DEFAULT 'jwt_vc' CHECK (format IN ('jwt_vc')),
  raw         text        NOT NULL,
  valid_from  timestamptz,
  valid_until timestamptz,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, id)
);
ALTER TABLE identity_held_credentials ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity_held_credentials FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON identity_held_credentials
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_held_credentials TO pcf_app;

-- SI-token ids already accepted, keyed by the audience DID (which names the receiving tenant). Not tenant data:
-- rows expire with their token (minutes) and are purged; reached through system transactions.
CREATE TABLE identity_jti_replay (
  audience_did text        NOT NULL,
  jti          text        NOT NULL,
  expires_at   timestamptz NOT NULL,
  PRIMARY KEY (audience_did, jti)
);
CREATE INDEX identity_jti_replay_expires_at ON identity_jti_replay (expires_at);
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_jti_replay TO pcf_app;
