-- Channels, delivery states and templates (issue 4, second part).

-- Message.template (TemplateUse: the template and the values it was sent with) and Message.forwarded.
ALTER TABLE messages ADD COLUMN template jsonb;
ALTER TABLE messages ADD COLUMN forwarded boolean NOT NULL DEFAULT false;
-- Who may read a blob and whether it is still used look for messages holding it (attachments @> ...).
CREATE INDEX messages_attachments ON messages USING gin (attachments jsonb_path_ops);

-- Approved message templates per inbox (registered by admins with the provider's name and language).
CREATE TABLE message_templates (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  inbox_id text NOT NULL REFERENCES inboxes(id),
  name text NOT NULL,
  language text NOT NULL,
  category text NOT NULL CHECK (category IN ('utility', 'marketing', 'authentication')),
  body text NOT NULL,
  status text NOT NULL CHECK (status IN ('approved', 'pending', 'rejected')),
  version bigint NOT NULL,
  UNIQUE (inbox_id, name, language)
);
CREATE INDEX message_templates_tenant ON message_templates(tenant_id, id);

-- A channel account (WhatsApp Cloud API) of one inbox. Server-only: secrets never enter the change log.
CREATE TABLE channel_accounts (
  inbox_id text PRIMARY KEY REFERENCES inboxes(id),
  phone_number_id text NOT NULL UNIQUE,
  access_token text NOT NULL,
  app_secret text NOT NULL,
  verify_token text NOT NULL,
  graph_url text NOT NULL,
  updated_at bigint NOT NULL
);

-- The provider's ids of our messages, both ways: a customer's message (idempotency of webhooks) and
-- each part we sent (statuses name it). One message may have several parts (files, then words).
CREATE TABLE channel_message_ids (
  inbox_id text NOT NULL REFERENCES inboxes(id),
  external_id text NOT NULL,
  message_id text NOT NULL REFERENCES messages(id),
  PRIMARY KEY (inbox_id, external_id)
);
CREATE INDEX channel_message_ids_message ON channel_message_ids(message_id);

-- Outbound deliveries, written in the transaction that stores the message. queued -> sending -> done;
-- a row found 'sending' at start was cut mid-POST and becomes failed (never sent twice).
CREATE TABLE channel_deliveries (
  message_id text PRIMARY KEY REFERENCES messages(id),
  tenant_id text NOT NULL REFERENCES tenants(id),
  inbox_id text NOT NULL REFERENCES inboxes(id),
  state text NOT NULL CHECK (state IN ('queued', 'sending', 'done', 'failed')),
  -- Parts (attachments, then the words) the provider accepted: a retry resumes after them.
  parts_done integer NOT NULL DEFAULT 0,
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at bigint NOT NULL,
  last_error text,
  created_at bigint NOT NULL,
  updated_at bigint NOT NULL
);
CREATE INDEX channel_deliveries_due ON channel_deliveries(next_attempt_at) WHERE state = 'queued';
CREATE INDEX channel_deliveries_sending ON channel_deliveries(state) WHERE state = 'sending';

-- A blob received from a channel (a customer's photo) has no uploader: uploaded_by is null.
ALTER TABLE blobs DROP CONSTRAINT blobs_pkey;
ALTER TABLE blobs ALTER COLUMN uploaded_by DROP NOT NULL;
CREATE UNIQUE INDEX blobs_holder ON blobs(tenant_id, sha256, COALESCE(uploaded_by, ''));
CREATE INDEX blobs_sha256 ON blobs(sha256);
