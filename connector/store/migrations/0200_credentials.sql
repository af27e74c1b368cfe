-- Local credential store: per-tenant wrapped data keys, encrypted signing keys, encrypted secrets, hashed refresh tokens.

CREATE TABLE credential_data_keys (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  master_key_id text NOT NULL,
  wrapped_key   text NOT NULL,
  created_at    timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);
ALTER TABLE credential_data_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE credential_data_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credential_data_keys
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON credential_data_keys TO pcf_app;

CREATE TABLE credential_signing_keys (
  tenant_id       text NOT NULL REFERENCES tenants(id),
  kid             text NOT NULL,
  purpose         text NOT NULL CHECK (purpose IN ('identity', 'data-plane', 'pact-auth')),
  alg             text NOT NULL,
  public_jwk      jsonb NOT NULL,
  private_key_enc text NOT NULL,
  status          text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at      timestamptz NOT NULL,
  retire_after    timestamptz,
  PRIMARY KEY (tenant_id, kid)
);
CREATE UNIQUE INDEX credential_signing_keys_one_active ON credential_signing_keys (tenant_id, purpose) WHERE status = 'active';
ALTER TABLE credential_signing_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE credential_signing_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credential_signing_keys
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON credential_signing_keys TO pcf_app;

CREATE TABLE credential_secrets (
  tenant_id  text NOT NULL REFERENCES tenants(id),
  name       text NOT NULL,
  value_enc  text NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, name)
);
ALTER TABLE credential_secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE credential_secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credential_secrets
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON credential_secrets TO pcf_app;

CREATE TABLE credential_refresh_tokens (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  token_hash   text NOT NULL,
  family_id    text NOT NULL,
  parent_hash  text,
  agreement_id text NOT NULL,
  transfer_id  text NOT NULL,
  consumer_did text,
  consumer_bpn text,
  audience     text NOT NULL,
  status       text NOT NULL CHECK (status IN ('active', 'retired')),
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  used_at      timestamptz,
  PRIMARY KEY (tenant_id, token_hash)
);
CREATE INDEX credential_refresh_tokens_family ON credential_refresh_tokens (tenant_id, family_id);
CREATE INDEX credential_refresh_tokens_transfer ON credential_refresh_tokens (tenant_id, transfer_id);
ALTER TABLE credential_refresh_tokens ENABLE ROW LEVEL SECURITY;
ALTER TABLE credential_refresh_tokens FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON credential_refresh_tokens
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON credential_refresh_tokens TO pcf_app;
