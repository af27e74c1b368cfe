-- Identity module state: the dev trust anchor (sealed key, status-list allocation, revoked indexes), the credentials it
-- issued per tenant, and the operator-managed BPN ↔ DID directory of partners.

-- Signing key of the development trust anchor (deployment-wide, not tenant data); private key sealed with the master key.
CREATE TABLE trust_anchor_keys (
  kid             text PRIMARY KEY,
  alg             text NOT NULL,
  public_jwk      jsonb NOT NULL,
  sealed_private  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  retired_at      timestamptz
);
ALTER TABLE trust_anchor_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_anchor_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON trust_anchor_keys USING (app_is_system()) WITH CHECK (app_is_system());
GRANT SELECT, INSERT, UPDATE ON trust_anchor_keys TO pcf_app;

-- Status lists of the trust anchor: the next free index (allocation is an UPDATE … RETURNING, so replicas never share one).
CREATE TABLE trust_anchor_status_lists (
  purpose     text PRIMARY KEY CHECK (purpose IN ('revocation')),
  size        integer NOT NULL CHECK (size > 0),
  next_index  integer NOT NULL DEFAULT 0 CHECK (next_index >= 0)
);
ALTER TABLE trust_anchor_status_lists ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_anchor_status_lists FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON trust_anchor_status_lists USING (app_is_system()) WITH CHECK (app_is_system());
GRANT SELECT, INSERT, UPDATE ON trust_anchor_status_lists TO pcf_app;
INSERT INTO trust_anchor_status_lists (purpose, size) VALUES ('revocation', 131072);

-- Set bits of a status list. Only an index: nothing here names a tenant, so it outlives erasure (revocations must).
CREATE TABLE trust_anchor_status_bits (
  purpose     text NOT NULL REFERENCES trust_anchor_status_lists(purpose),
  list_index  integer NOT NULL CHECK (list_index >= 0),
  set_at      timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (purpose, list_index)
);
ALTER TABLE trust_anchor_status_bits ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_anchor_status_bits FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON trust_anchor_status_bits USING (app_is_system()) WITH CHECK (app_is_system());
GRANT SELECT, INSERT ON trust_anchor_status_bits TO pcf_app;

-- Credentials the trust anchor issued to a tenant (which status index each one uses). Tenant data: RLS pattern,
-- erased with the tenant.
CREATE TABLE trust_anchor_issued (
  tenant_id      text        NOT NULL REFERENCES tenants(id),
  credential_id  text        NOT NULL,
  type           text        NOT NULL,
  holder_did     text        NOT NULL,
  list_index     integer     NOT NULL,
  issued_at      timestamptz NOT NULL,
  valid_until    timestamptz NOT NULL,
  revoked_at     timestamptz,
  PRIMARY KEY (tenant_id, credential_id)
);
ALTER TABLE trust_anchor_issued ENABLE ROW LEVEL SECURITY;
ALTER TABLE trust_anchor_issued FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON trust_anchor_issued
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON trust_anchor_issued TO pcf_app;

-- BPN ↔ DID entries of partners, maintained by the operator (a local BDRS). Our own tenants' entries are not stored
-- here: they derive from `tenants` (bpn, id) and the public URL, so erasure and URL changes need no extra step.
CREATE TABLE identity_bpn_directory (
  bpn         text PRIMARY KEY CHECK (bpn ~ '^BPNL[0-9A-Z]{12}$'),
  did         text NOT NULL UNIQUE,
  updated_at  timestamptz NOT NULL DEFAULT now()
);
ALTER TABLE identity_bpn_directory ENABLE ROW LEVEL SECURITY;
ALTER TABLE identity_bpn_directory FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON identity_bpn_directory USING (app_is_system()) WITH CHECK (app_is_system());
GRANT SELECT, INSERT, UPDATE, DELETE ON identity_bpn_directory TO pcf_app;
