-- Core schema: the application role, the tenant guard function, tenants, API keys, user roles and audit trails.

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'pcf_app') THEN
    CREATE ROLE pcf_app NOLOGIN;
  END IF;
END $$;

-- The schema owner switches to pcf_app inside every transaction (SET LOCAL ROLE), so it must be a member.
GRANT pcf_app TO CURRENT_USER;
GRANT USAGE ON SCHEMA public TO pcf_app;

-- The tenant of the current transaction; raises when none is set, so a forgotten tenant is an error, never "all tenants".
CREATE OR REPLACE FUNCTION app_current_tenant() RETURNS text
LANGUAGE plpgsql STABLE AS $$
DECLARE
  t text := current_setting('app.tenant_id', true);
BEGIN
  IF t IS NULL OR t = '' THEN
    RAISE EXCEPTION 'no tenant is set for this transaction' USING ERRCODE = '42501';
  END IF;
  RETURN t;
END $$;

-- True inside system transactions (tenant registry, operator routines).
CREATE OR REPLACE FUNCTION app_is_system() RETURNS boolean
LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('app.system', true), '') = 'on'
$$;

CREATE TABLE tenants (
  id               text PRIMARY KEY,
  display_name     text NOT NULL,
  bpn              text NOT NULL UNIQUE,
  region           text NOT NULL,
  credential_mode  text NOT NULL CHECK (credential_mode IN ('local', 'aws')),
  aws_settings     jsonb,
  status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'offboarding')),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
-- A tenant transaction sees only its own tenant row; system transactions see all.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_self ON tenants
  USING (app_is_system() OR id = current_setting('app.tenant_id', true))
  WITH CHECK (app_is_system());
GRANT SELECT, INSERT, UPDATE ON tenants TO pcf_app;

CREATE TABLE api_keys (
  tenant_id    text NOT NULL REFERENCES tenants(id),
  id           text NOT NULL,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('admin', 'publisher', 'viewer')),
  secret_hash  text NOT NULL,
  created_by   text NOT NULL,
  created_at   timestamptz NOT NULL DEFAULT now(),
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id)
);
ALTER TABLE api_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE api_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON api_keys
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON api_keys TO pcf_app;

-- Role assignments for token users (the JWT subject); when present they override the token's groups claim.
CREATE TABLE user_roles (
  tenant_id   text NOT NULL REFERENCES tenants(id),
  subject     text NOT NULL,
  role        text NOT NULL CHECK (role IN ('admin', 'publisher', 'viewer', 'none')),
  updated_by  text NOT NULL,
  updated_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, subject)
);
ALTER TABLE user_roles ENABLE ROW LEVEL SECURITY;
ALTER TABLE user_roles FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON user_roles
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON user_roles TO pcf_app;

-- Per-tenant, append-only, hash-chained audit trail. The app role may only read and append.
CREATE TABLE audit_log (
  tenant_id      text NOT NULL REFERENCES tenants(id),
  seq            bigint NOT NULL,
  id             text NOT NULL,
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL,
  target         text NOT NULL,
  before_digest  text,
  after_digest   text,
  request_id     text,
  prev_hash      text NOT NULL,
  hash           text NOT NULL,
  PRIMARY KEY (tenant_id, seq)
);
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_log
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT ON audit_log TO pcf_app;

-- The head of each tenant's chain: locked while appending so concurrent writers chain in order.
CREATE TABLE audit_heads (
  tenant_id  text PRIMARY KEY REFERENCES tenants(id),
  seq        bigint NOT NULL,
  hash       text NOT NULL
);
ALTER TABLE audit_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE audit_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON audit_heads
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE ON audit_heads TO pcf_app;

-- The operator's trail (onboarding, offboarding, erasure). Tenants appear only as keyed pseudonyms, so erasing a
-- tenant never has to edit this chain.
CREATE TABLE operator_audit_log (
  seq            bigint PRIMARY KEY,
  id             text NOT NULL,
  at             timestamptz NOT NULL,
  actor          text NOT NULL,
  action         text NOT NULL,
  target         text NOT NULL,
  details        jsonb,
  request_id     text,
  prev_hash      text NOT NULL,
  hash           text NOT NULL
);
ALTER TABLE operator_audit_log ENABLE ROW LEVEL SECURITY;
ALTER TABLE operator_audit_log FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON operator_audit_log USING (app_is_system()) WITH CHECK (app_is_system());
GRANT SELECT, INSERT ON operator_audit_log TO pcf_app;
