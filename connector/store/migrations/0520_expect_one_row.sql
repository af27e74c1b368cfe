-- For a write deferred to COMMIT whose outcome nobody reads: raises SQLSTATE PCF02 unless it wrote exactly one row.
CREATE FUNCTION app_expect_one_row(p_count bigint, p_what text) RETURNS int
LANGUAGE plpgsql AS $$
BEGIN
  IF p_count <> 1 THEN
    RAISE EXCEPTION '% was changed concurrently', p_what USING ERRCODE = 'PCF02';
  END IF;
  RETURN 1;
END $$;
