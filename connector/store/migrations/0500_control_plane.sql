-- Control plane: contract negotiations, agreements, transfer processes (both roles), data-plane token bindings.
-- Each process row keeps the entity as JSON (`record`) plus the columns queries and leases need. Work claiming:
-- `next_attempt_at` (epoch ms, NULL = nothing to do), lease `lease_owner`/`lease_until` (epoch ms), and `version`,
-- bumped by every claim and every write so a stale owner can never overwrite a newer state.

CREATE TABLE cp_negotiations (
  tenant_id              text NOT NULL REFERENCES tenants(id),
  id                     text NOT NULL,
  role                   text NOT NULL CHECK (role IN ('provider', 'consumer')),
  state                  text NOT NULL,
  state_count            integer NOT NULL,
  state_timestamp        bigint NOT NULL,
  created_at             bigint NOT NULL,
  dialect                text NOT NULL,
  consumer_pid           text NOT NULL,
  provider_pid           text,
  counter_party_id       text NOT NULL,
  counter_party_address  text NOT NULL,
  last_message_id        text,
  error_detail           text,
  agreement_id           text,
  asset_id               text,
  record                 jsonb NOT NULL,
  extra                  jsonb NOT NULL DEFAULT '{}'::jsonb,
  version                bigint NOT NULL DEFAULT 1,
  next_attempt_at        bigint,
  lease_owner            text,
  lease_until            bigint,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cp_negotiations_due ON cp_negotiations (tenant_id, next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE UNIQUE INDEX cp_negotiations_provider_consumer_pid ON cp_negotiations (tenant_id, counter_party_id, consumer_pid) WHERE role = 'provider';
ALTER TABLE cp_negotiations ENABLE ROW LEVEL SECURITY;
ALTER TABLE cp_negotiations FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cp_negotiations
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON cp_negotiations TO pcf_app;

CREATE TABLE cp_agreements (
  tenant_id         text NOT NULL REFERENCES tenants(id),
  id                text NOT NULL,
  negotiation_id    text NOT NULL,
  role              text NOT NULL CHECK (role IN ('provider', 'consumer')),
  asset_id          text NOT NULL,
  provider_id       text NOT NULL,
  consumer_id       text NOT NULL,
  counter_party_id  text NOT NULL,
  counter_party_bpn text,
  signing_date      bigint NOT NULL,
  policy            jsonb NOT NULL,
  created_at        bigint NOT NULL,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cp_agreements_negotiation ON cp_agreements (tenant_id, negotiation_id);
ALTER TABLE cp_agreements ENABLE ROW LEVEL SECURITY;
ALTER TABLE cp_agreements FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cp_agreements
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON cp_agreements TO pcf_app;

CREATE TABLE cp_transfers (
  tenant_id              text NOT NULL REFERENCES tenants(id),
  id                     text NOT NULL,
  role                   text NOT NULL CHECK (role IN ('provider', 'consumer')),
  state                  text NOT NULL,
  state_count            integer NOT NULL,
  state_timestamp        bigint NOT NULL,
  created_at             bigint NOT NULL,
  dialect                text NOT NULL,
  consumer_pid           text NOT NULL,
  provider_pid           text,
  counter_party_id       text NOT NULL,
  counter_party_address  text NOT NULL,
  agreement_id           text NOT NULL,
  format                 text NOT NULL,
  -- The record never holds a data address or token: a consumer's EDR is sealed in the SecretBox.
  last_message_id        text,
  error_detail           text,
  record                 jsonb NOT NULL,
  extra                  jsonb NOT NULL DEFAULT '{}'::jsonb,
  version                bigint NOT NULL DEFAULT 1,
  next_attempt_at        bigint,
  lease_owner            text,
  lease_until            bigint,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX cp_transfers_due ON cp_transfers (tenant_id, next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX cp_transfers_running ON cp_transfers (tenant_id, state) WHERE role = 'provider';
CREATE UNIQUE INDEX cp_transfers_provider_consumer_pid ON cp_transfers (tenant_id, counter_party_id, consumer_pid) WHERE role = 'provider';
ALTER TABLE cp_transfers ENABLE ROW LEVEL SECURITY;
ALTER TABLE cp_transfers FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cp_transfers
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON cp_transfers TO pcf_app;

-- Token binding (local jti or Cognito token hash) → transfer. One Cognito hash may serve several transfers.
CREATE TABLE cp_token_bindings (
  tenant_id     text NOT NULL REFERENCES tenants(id),
  binding       text NOT NULL,
  transfer_id   text NOT NULL,
  binding_kind  text NOT NULL CHECK (binding_kind IN ('jti', 'token-hash')),
  agreement_id  text NOT NULL,
  consumer_did  text,
  consumer_bpn  text,
  expires_at    bigint NOT NULL,
  created_at    bigint NOT NULL,
  PRIMARY KEY (tenant_id, binding, transfer_id)
);
CREATE INDEX cp_token_bindings_transfer ON cp_token_bindings (tenant_id, transfer_id);
ALTER TABLE cp_token_bindings ENABLE ROW LEVEL SECURITY;
ALTER TABLE cp_token_bindings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON cp_token_bindings
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON cp_token_bindings TO pcf_app;
