-- Reminders, snoozing until a reminder is due, and the presence a person chooses (issue 5).

-- "Remind me" on a conversation: belongs to one agent (user scope in the change log) and reaches all
-- their devices. State only moves forward (rules/reminders.ts), so rows are never deleted: 'deleted'
-- is a state, and a late change from another device cannot bring a finished reminder back.
CREATE TABLE reminders (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  user_id text NOT NULL REFERENCES users(id),
  conversation_id text NOT NULL REFERENCES conversations(id),
  due_at bigint NOT NULL,
  note text,
  postpone boolean NOT NULL,
  state text NOT NULL CHECK (state IN ('active', 'dismissed', 'done', 'deleted')),
  created_at bigint NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX reminders_user ON reminders(user_id, id);

-- Snoozed by a postponing reminder until this time: a customer message does not wake it before then;
-- at that time the server's timer returns it to Open. Null otherwise.
ALTER TABLE conversations ADD COLUMN snoozed_until bigint;
-- The server's one timer asks for the soonest of these at start and after every change.
CREATE INDEX conversations_snoozed ON conversations(snoozed_until) WHERE status = 'snoozed' AND snoozed_until IS NOT NULL;

-- The presence the person chose (tray menu). users.presence shows it while they are connected, and
-- 'offline' otherwise.
ALTER TABLE users ADD COLUMN chosen_presence text NOT NULL DEFAULT 'online' CHECK (chosen_presence IN ('online', 'away', 'offline'));
