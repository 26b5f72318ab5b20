-- Rate-limit counters shared by every server process on this database (src-server/limits/): one row per
-- (bucket, key), e.g. ('login-account', 'ana@demo.test'), counting hits until reset_at (epoch ms).
CREATE TABLE rate_limits (
  bucket text NOT NULL,
  key text NOT NULL,
  hits integer NOT NULL,
  reset_at bigint NOT NULL,
  PRIMARY KEY (bucket, key)
);
CREATE INDEX rate_limits_reset ON rate_limits(reset_at);

-- Sessions get a public id (admins list and end them by it, never by token hash), the device they were
-- made on, the client id that first used them, and when they were last used (idle lifetime).
ALTER TABLE sessions ADD COLUMN id uuid NOT NULL DEFAULT gen_random_uuid();
ALTER TABLE sessions ADD COLUMN device text NOT NULL DEFAULT '';
ALTER TABLE sessions ADD COLUMN client_id text;
ALTER TABLE sessions ADD COLUMN last_seen_at bigint;
UPDATE sessions SET last_seen_at = created_at;
ALTER TABLE sessions ALTER COLUMN last_seen_at SET NOT NULL;
CREATE UNIQUE INDEX sessions_id ON sessions(id);
