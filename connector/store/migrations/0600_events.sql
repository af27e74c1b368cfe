-- Tenant event journal for the real-time stream (GET /management/v3/events): negotiation and transfer state changes,
-- incoming footprint requests and policy-monitor terminations, written by triggers in the same transaction as the
-- change itself, so no committed change is ever missing from the journal and a rolled-back one never appears.
--
-- Ids are per tenant and strictly increasing in commit order: the per-tenant head row is locked by the first event
-- of a transaction until it commits, so a reader resuming after id N can never miss an id below a later one.
-- Retention: events older than 7 days are pruned by the writer (every 100th event of the tenant).

CREATE TABLE tenant_event_heads (
  tenant_id  text   NOT NULL REFERENCES tenants(id),
  seq        bigint NOT NULL,
  PRIMARY KEY (tenant_id)
);
ALTER TABLE tenant_event_heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_event_heads FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_event_heads
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, UPDATE, DELETE ON tenant_event_heads TO pcf_app;

CREATE TABLE tenant_events (
  tenant_id   text        NOT NULL REFERENCES tenants(id),
  seq         bigint      NOT NULL,
  type        text        NOT NULL,
  subject     text        NOT NULL,
  data        jsonb       NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, seq)
);
CREATE INDEX tenant_events_created_idx ON tenant_events (tenant_id, created_at);
ALTER TABLE tenant_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE tenant_events FORCE ROW LEVEL SECURITY;
CREATE POLICY tenant_isolation ON tenant_events
  USING (tenant_id = app_current_tenant()) WITH CHECK (tenant_id = app_current_tenant());
GRANT SELECT, INSERT, DELETE ON tenant_events TO pcf_app;

-- Appends one event for the row's tenant (which RLS requires to be the transaction's tenant).
CREATE OR REPLACE FUNCTION app_record_event(p_tenant text, p_type text, p_subject text, p_data jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  s bigint;
BEGIN
  INSERT INTO tenant_event_heads AS h (tenant_id, seq) VALUES (p_tenant, 1)
    ON CONFLICT (tenant_id) DO UPDATE SET seq = h.seq + 1
    RETURNING h.seq INTO s;
  INSERT INTO tenant_events (tenant_id, seq, type, subject, data) VALUES (p_tenant, s, p_type, p_subject, p_data);
  IF s % 100 = 0 THEN
    DELETE FROM tenant_events WHERE tenant_id = p_tenant AND created_at < now() - interval '7 days';
  END IF;
END $$;
GRANT EXECUTE ON FUNCTION app_record_event(text, text, text, jsonb) TO pcf_app;

CREATE OR REPLACE FUNCTION app_event_on_negotiation() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
    PERFORM app_record_event(NEW.tenant_id, 'contract.negotiation.' || lower(NEW.state), NEW.id, jsonb_strip_nulls(jsonb_build_object(
      'contractNegotiationId', NEW.id, 'state', NEW.state, 'role', NEW.role, 'counterPartyId', NEW.counter_party_id,
      'contractAgreementId', NEW.agreement_id, 'assetId', NEW.asset_id, 'errorDetail', NEW.error_detail,
      'stateTimestamp', NEW.state_timestamp)));
  END IF;
  RETURN NULL;
END $$;
GRANT EXECUTE ON FUNCTION app_event_on_negotiation() TO pcf_app;
CREATE TRIGGER tenant_events_negotiation AFTER INSERT OR UPDATE OF state ON cp_negotiations
  FOR EACH ROW EXECUTE FUNCTION app_event_on_negotiation();

-- Transfer rows never hold a data address or token (the consumer's EDR is sealed elsewhere), so nothing secret leaks here.
CREATE OR REPLACE FUNCTION app_event_on_transfer() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' OR NEW.state IS DISTINCT FROM OLD.state THEN
    PERFORM app_record_event(NEW.tenant_id, 'transfer.process.' || lower(NEW.state), NEW.id, jsonb_strip_nulls(jsonb_build_object(
      'transferProcessId', NEW.id, 'state', NEW.state, 'role', NEW.role, 'counterPartyId', NEW.counter_party_id,
      'contractId', NEW.agreement_id, 'errorDetail', NEW.error_detail, 'stateTimestamp', NEW.state_timestamp)));
  END IF;
  RETURN NULL;
END $$;
GRANT EXECUTE ON FUNCTION app_event_on_transfer() TO pcf_app;
CREATE TRIGGER tenant_events_transfer AFTER INSERT OR UPDATE OF state ON cp_transfers
  FOR EACH ROW EXECUTE FUNCTION app_event_on_transfer();

CREATE OR REPLACE FUNCTION app_event_on_footprint_request() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    PERFORM app_record_event(NEW.tenant_id, 'footprint.request.received', NEW.id::text, jsonb_strip_nulls(jsonb_build_object(
      'requestId', NEW.id, 'eventId', NEW.event_id, 'source', NEW.source, 'partnerId', NEW.partner_id,
      'requestedBy', NEW.requested_by, 'apiVersion', NEW.api_version, 'status', NEW.status, 'comment', NEW.comment)));
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    PERFORM app_record_event(NEW.tenant_id, 'footprint.request.' || lower(NEW.status), NEW.id::text, jsonb_strip_nulls(jsonb_build_object(
      'requestId', NEW.id, 'status', NEW.status, 'decidedBy', NEW.decided_by, 'footprintIds', to_jsonb(NEW.pf_ids),
      'errorCode', NEW.error_code)));
  END IF;
  RETURN NULL;
END $$;
GRANT EXECUTE ON FUNCTION app_event_on_footprint_request() TO pcf_app;
CREATE TRIGGER tenant_events_footprint_request AFTER INSERT OR UPDATE OF status ON pact_footprint_requests
  FOR EACH ROW EXECUTE FUNCTION app_event_on_footprint_request();

-- The policy monitor acts as `system:policy-monitor`; its audit entries mark the transfers it terminates.
CREATE OR REPLACE FUNCTION app_event_on_policy_monitor() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  PERFORM app_record_event(NEW.tenant_id, 'policy.monitor.termination', NEW.target, jsonb_build_object(
    'transferProcessId', regexp_replace(NEW.target, '^transfer/', ''), 'action', NEW.action, 'actor', NEW.actor));
  RETURN NULL;
END $$;
GRANT EXECUTE ON FUNCTION app_event_on_policy_monitor() TO pcf_app;
CREATE TRIGGER tenant_events_policy_monitor AFTER INSERT ON audit_log
  FOR EACH ROW WHEN (NEW.actor = 'system:policy-monitor' AND NEW.target LIKE 'transfer/%')
  EXECUTE FUNCTION app_event_on_policy_monitor();
