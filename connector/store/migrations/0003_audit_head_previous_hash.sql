-- The chain head also keeps the hash before it, so one INSERT … ON CONFLICT DO UPDATE can move the head and hand the
-- new record its previous hash (RETURNING sees only the new row): an audit append is one statement.
ALTER TABLE audit_heads ADD COLUMN prev_hash text;
