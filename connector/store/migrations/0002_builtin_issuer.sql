-- Signing keys of the built-in management-token issuer (deployment-wide, not tenant data); private keys sealed with the master key.
CREATE TABLE issuer_keys (
  kid             text PRIMARY KEY,
  alg             text NOT NULL,
  public_jwk      jsonb NOT NULL,
  sealed_private  text NOT NULL,
  created_at      timestamptz NOT NULL DEFAULT now(),
  retired_at      timestamptz
);
ALTER TABLE issuer_keys ENABLE ROW LEVEL SECURITY;
ALTER TABLE issuer_keys FORCE ROW LEVEL SECURITY;
CREATE POLICY system_only ON issuer_keys USING (app_is_system()) WITH CHECK (app_is_system());
GRANT SELECT, INSERT, UPDATE ON issuer_keys TO pcf_app;
