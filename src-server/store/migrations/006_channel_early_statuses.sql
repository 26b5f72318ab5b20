-- A provider's status report (delivered, read, failed) for one of our messages can arrive before we stored
-- the provider's id of it: the provider accepts the send, answers, and may report on it at once, while the
-- answer is still on its way to us or being recorded. Such a status waits here and is applied in the
-- transaction that stores the id (store/deliveries.ts recordPartSent), so no state is lost. Statuses of ids
-- never stored (messages sent outside Bandeja from the same number) are dropped after a day.
CREATE TABLE channel_early_statuses (
  inbox_id text NOT NULL REFERENCES inboxes(id),
  external_id text NOT NULL,
  state text NOT NULL CHECK (state IN ('sent', 'delivered', 'read', 'failed')),
  error text,
  received_at bigint NOT NULL,
  PRIMARY KEY (inbox_id, external_id, state)
);
CREATE INDEX channel_early_statuses_age ON channel_early_statuses(received_at);
