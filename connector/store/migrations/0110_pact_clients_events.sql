-- PACT host per tenant: OAuth clients, partner endpoints, footprint requests received, the event outbox and settings.

-- Clients that may obtain access tokens at the tenant's PACT `auth/token` (secret stored only as a scrypt hash).
CREATE TABLE pact_clients (
  tenant_id    text        NOT NULL REFERENCES tenants(id),
  id           text        NOT NULL,
  name         text        NOT NULL,
  secret_hash  text        NOT NULL,
  created_by   text        NOT NULL,
  created_at   timestamptz NOT NULL,
  revoked_at   timestamptz,
  PRIMARY KEY (tenant_id, id)
);

-- Partner PACT hosts this tenant sends events to (request answers, Published notifications when subscribed).
-- The client secret for the partner's token endpoint lives encrypted in credential_secrets (`pact-partner/<id>`).
CREATE TABLE pact_partners (
  tenant_id      text        NOT NULL REFERENCES tenants(id),
  id             text        NOT NULL,
  name           text        NOT NULL,
  base_url       text        NOT NULL,
  auth_base_url  text        NOT NULL,
  api_version    text        NOT NULL CHECK (api_version IN ('2', '3')),
  client_id      text        NOT NULL,
  subscribed     boolean     NOT NULL DEFAULT false,
  created_by     text        NOT NULL,
  created_at     timestamptz NOT NULL,
  revoked_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pact_partners_base_idx ON pact_partners (tenant_id, base_url);

-- RequestCreated events received by the tenant (supplier side), answered by fulfil/reject.
CREATE TABLE pact_footprint_requests (
  tenant_id       text        NOT NULL REFERENCES tenants(id),
  id              uuid        NOT NULL,
  event_id        text        NOT NULL,
  source          text        NOT NULL,
  api_version     text        NOT NULL CHECK (api_version IN ('2', '3')),
  partner_id      text        NOT NULL,
  requested_by    text        NOT NULL,
  criteria        jsonb       NOT NULL,
  filter          jsonb       NOT NULL,
  comment         text,
  status          text        NOT NULL CHECK (status IN ('Pending', 'Fulfilled', 'Rejected')),
  received_at     timestamptz NOT NULL,
  decided_at      timestamptz,
  decided_by      text,
  pf_ids          text[]      NOT NULL DEFAULT '{}',
  error_code      text,
  error_message   text,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source, event_id)
);
CREATE INDEX pact_footprint_requests_status_idx ON pact_footprint_requests (tenant_id, status, received_at);

-- Events to deliver to partners: claimed by the delivery worker with FOR UPDATE SKIP LOCKED and a lease.
CREATE TABLE pact_event_outbox (
  tenant_id        text        NOT NULL REFERENCES tenants(id),
  id               uuid        NOT NULL,
  partner_id       text        NOT NULL,
  api_version      text        NOT NULL CHECK (api_version IN ('2', '3')),
  event_type       text        NOT NULL,
  payload          jsonb       NOT NULL,
  status           text        NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts         integer     NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  lease_until      timestamptz,
  last_error       text,
  created_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  PRIMARY KEY (tenant_id, id)
);
CREATE INDEX pact_event_outbox_due_idx ON pact_event_outbox (tenant_id, next_attempt_at) WHERE status = 'pending';

-- Events received from partners other than requests (Published, Fulfilled, Rejected), kept for the consumer side.
CREATE TABLE pact_received_events (
  tenant_id    text        NOT NULL REFERENCES tenants(id),
  id           uuid        NOT NULL,
  event_id     text        NOT NULL,
  source       text        NOT NULL,
  event_type   text        NOT NULL,
  received_by  text        NOT NULL,
  payload      jsonb       NOT NULL,
  received_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  UNIQUE (tenant_id, source, event_id)
);

-- Per-tenant PACT settings (one row per tenant, absent = defaults).
CREATE TABLE pact_settings (
  tenant_id    text        NOT NULL REFERENCES tenants(id),
  auto_fulfil  boolean     NOT NULL DEFAULT false,
  updated_by   text        NOT NULL,
  updated_at   timestamptz NOT NULL,
  PRIMARY KEY (tenant_id)
);

-- Row-level security on every table above (the pattern of migrations/README.md).
ALTER TABLE pact_clients ENABLE ROW LEVEL SECURITY;
ALTER TABLE pact_clients FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pact_clients
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_clients TO pcf_app;
ALTER TABLE pact_partners ENABLE ROW LEVEL SECURITY;
ALTER TABLE pact_partners FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pact_partners
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_partners TO pcf_app;
ALTER TABLE pact_footprint_requests ENABLE ROW LEVEL SECURITY;
ALTER TABLE pact_footprint_requests FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pact_footprint_requests
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_footprint_requests TO pcf_app;
ALTER TABLE pact_event_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE pact_event_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pact_event_outbox
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_event_outbox TO pcf_app;
ALTER TABLE pact_received_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE pact_received_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pact_received_events
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_received_events TO pcf_app;
ALTER TABLE pact_settings ENABLE ROW LEVEL SECURITY;
ALTER TABLE pact_settings FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON pact_settings
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON pact_settings TO pcf_app;
