-- Presence across server processes (issue 13). Each running process has a row it renews (seen_at, the
-- database's clock); each user with a live sync connection on a process has a row under it. A user is
-- connected while some row of theirs belongs to a process seen recently; a process that stops renewing
-- is removed by the others, with its connections (sync/presence.ts).
CREATE TABLE server_processes (
  id text PRIMARY KEY,
  started_at timestamptz NOT NULL DEFAULT now(),
  seen_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE presence_connections (
  user_id text NOT NULL REFERENCES users(id),
  process_id text NOT NULL REFERENCES server_processes(id) ON DELETE CASCADE,
  tenant_id text NOT NULL,
  PRIMARY KEY (user_id, process_id)
);

CREATE INDEX presence_connections_process ON presence_connections (process_id);
