-- Timers shared by every server process on this database (src-server/store/timers.ts): one row per periodic
-- job (blob collection, session and rate-limit sweeps), due at due_at by the database's clock (epoch ms). A
-- process takes a due row with a lease (leased_by, lease_until); one whose taker died is taken again once
-- the lease ends. Rows are created by the first process that looks for them.
CREATE TABLE server_timers (
  name text PRIMARY KEY,
  due_at bigint NOT NULL,
  leased_by text,
  lease_until bigint
);

-- Secrets every process reads alike (src-server/store/secrets.ts), e.g. the webchat media signing key:
-- created once by whichever process needs one first.
CREATE TABLE server_secrets (
  name text PRIMARY KEY,
  value text NOT NULL,
  created_at bigint NOT NULL
);
