-- Records an inbound SI-token id inside the transaction of the request's effects: a replay raises and aborts it.
CREATE FUNCTION identity_jti_admit(p_audience text, p_jti text, p_expires_at timestamptz, p_now timestamptz) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO identity_jti_replay (audience_did, jti, expires_at) VALUES (p_audience, p_jti, p_expires_at)
  ON CONFLICT (audience_did, jti) DO UPDATE SET expires_at = EXCLUDED.expires_at
    WHERE identity_jti_replay.expires_at <= p_now;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'token id was already used' USING ERRCODE = 'PCF01';
  END IF;
END $$;
