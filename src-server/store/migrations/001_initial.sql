-- Bandeja server schema, first version. Times are epoch milliseconds (bigint).
CREATE TABLE tenants (
  id text PRIMARY KEY,
  name text NOT NULL,
  version bigint NOT NULL DEFAULT 0,
  -- Random id made when the tenant is created; a new epoch makes every client re-bootstrap.
  epoch text NOT NULL,
  -- Cursors older than this cannot be served from the change log (it was trimmed).
  log_floor bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL
);

CREATE TABLE users (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  email text NOT NULL UNIQUE,
  name text NOT NULL,
  role text NOT NULL CHECK (role IN ('agent', 'supervisor', 'admin')),
  -- Null while the user is invited and has not set a password yet.
  password_hash text,
  active boolean NOT NULL DEFAULT true,
  invited boolean NOT NULL DEFAULT false,
  -- online while the user has a live sync connection (on this node); set offline at start.
  presence text NOT NULL DEFAULT 'offline' CHECK (presence IN ('online', 'away', 'offline')),
  -- Version of the last change of role, teams or active flag: a client whose cursor is older
  -- re-bootstraps, so what left the user's scope is purged.
  scope_version bigint NOT NULL DEFAULT 0,
  version bigint NOT NULL
);
CREATE INDEX users_tenant ON users(tenant_id, id);

CREATE TABLE teams (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX teams_tenant ON teams(tenant_id, id);

CREATE TABLE team_members (
  team_id text NOT NULL REFERENCES teams(id),
  user_id text NOT NULL REFERENCES users(id),
  PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_members_user ON team_members(user_id);

CREATE TABLE inboxes (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  channel text NOT NULL,
  team_id text REFERENCES teams(id),
  slug text UNIQUE,
  transfer_starts_new boolean NOT NULL DEFAULT false,
  close_keeps_assignee boolean NOT NULL DEFAULT true,
  version bigint NOT NULL
);
CREATE INDEX inboxes_tenant ON inboxes(tenant_id, id);

CREATE TABLE contacts (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  phones jsonb NOT NULL DEFAULT '[]',
  emails jsonb NOT NULL DEFAULT '[]',
  owner_id text REFERENCES users(id),
  custom jsonb NOT NULL DEFAULT '{}',
  -- Version of each field's last write: the base of per-field patches.
  field_versions jsonb NOT NULL DEFAULT '{}',
  merged_into_id text REFERENCES contacts(id),
  created_at bigint NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX contacts_tenant ON contacts(tenant_id, id);

CREATE TABLE contact_field_definitions (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  key text NOT NULL,
  label text NOT NULL,
  type text NOT NULL CHECK (type IN ('text', 'number', 'date', 'select', 'checkbox')),
  options jsonb NOT NULL DEFAULT '[]',
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL,
  UNIQUE (tenant_id, key)
);

-- History of contact edits; the loser of a same-field conflict is kept here.
CREATE TABLE contact_field_changes (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  contact_id text NOT NULL REFERENCES contacts(id),
  field text NOT NULL,
  before jsonb,
  after jsonb,
  by_id text,
  at bigint NOT NULL,
  conflict boolean NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX contact_field_changes_tenant ON contact_field_changes(tenant_id, id);
CREATE INDEX contact_field_changes_contact ON contact_field_changes(contact_id);

CREATE TABLE closing_categories (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  name text NOT NULL,
  active boolean NOT NULL DEFAULT true,
  version bigint NOT NULL
);

-- How a channel knows a contact (webchat: the visitor id, proven by a secret).
CREATE TABLE contact_identities (
  inbox_id text NOT NULL REFERENCES inboxes(id),
  external_id text NOT NULL,
  contact_id text NOT NULL REFERENCES contacts(id),
  secret_hash text,
  PRIMARY KEY (inbox_id, external_id)
);
CREATE INDEX contact_identities_contact ON contact_identities(contact_id);

CREATE TABLE conversations (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  inbox_id text NOT NULL REFERENCES inboxes(id),
  contact_id text NOT NULL REFERENCES contacts(id),
  team_id text REFERENCES teams(id),
  assignee_id text REFERENCES users(id),
  status text NOT NULL CHECK (status IN ('open', 'pending', 'snoozed', 'closed')),
  unread_count integer NOT NULL DEFAULT 0,
  last_message_at bigint NOT NULL,
  last_message_preview text NOT NULL DEFAULT '',
  last_customer_message_at bigint,
  waiting_since bigint,
  -- A set, kept sorted; changed only by add/remove operations.
  tags jsonb NOT NULL DEFAULT '[]',
  bot_active boolean NOT NULL DEFAULT false,
  closing_category_id text REFERENCES closing_categories(id),
  previous_conversation_id text REFERENCES conversations(id),
  created_at bigint NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX conversations_contact ON conversations(inbox_id, contact_id, created_at);
CREATE INDEX conversations_tenant ON conversations(tenant_id, id);
-- One active conversation per contact and inbox.
CREATE UNIQUE INDEX conversations_active_contact ON conversations(inbox_id, contact_id) WHERE status <> 'closed';

CREATE TABLE messages (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  conversation_id text NOT NULL REFERENCES conversations(id),
  direction text NOT NULL CHECK (direction IN ('in', 'out', 'system')),
  -- note: internal, never delivered to the customer nor shown in the webchat history.
  kind text NOT NULL CHECK (kind IN ('text', 'event', 'note')),
  author_id text,
  body text NOT NULL,
  event jsonb,
  mentions jsonb NOT NULL DEFAULT '[]',
  -- Attachment[] (src-shared/domain.ts): files and voice notes by sha256; the bytes are in <data>/server/blobs.
  attachments jsonb NOT NULL DEFAULT '[]',
  state text NOT NULL,
  error text,
  created_at bigint NOT NULL,
  -- The timeline's order, taken at insert. Writes to one conversation lock its row (and every
  -- write locks the tenant row), so within a conversation seq follows commit order; clocks and
  -- client-made ids do not.
  seq bigint GENERATED ALWAYS AS IDENTITY,
  version bigint NOT NULL
);
CREATE INDEX messages_conversation ON messages(conversation_id, seq);

CREATE TABLE notifications (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  user_id text NOT NULL REFERENCES users(id),
  kind text NOT NULL,
  conversation_id text NOT NULL REFERENCES conversations(id),
  message_id text NOT NULL REFERENCES messages(id),
  by_id text,
  created_at bigint NOT NULL,
  read_at bigint,
  version bigint NOT NULL
);
CREATE INDEX notifications_user ON notifications(user_id, id);

CREATE TABLE saved_views (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  owner_id text NOT NULL REFERENCES users(id),
  -- Shared with this team; null = personal.
  team_id text REFERENCES teams(id),
  name text NOT NULL,
  filters jsonb NOT NULL,
  sort text NOT NULL CHECK (sort IN ('newest', 'oldest')),
  version bigint NOT NULL
);
CREATE INDEX saved_views_tenant ON saved_views(tenant_id, id);

-- One-time links for invited users. The link (with its token) is kept for admins to copy again;
-- accepting it deletes the row.
CREATE TABLE invites (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  user_id text NOT NULL REFERENCES users(id),
  token_hash text NOT NULL UNIQUE,
  url text NOT NULL,
  expires_at bigint NOT NULL,
  version bigint NOT NULL
);
CREATE INDEX invites_tenant ON invites(tenant_id, id);

CREATE TABLE sessions (
  token_hash text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  created_at bigint NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

-- Attachments received with PUT /blobs/<sha256>, one row per tenant and uploader (the bytes, stored
-- once by content, are in <data>/server/blobs/<aa>/<sha256>). A message may name a blob only when its
-- tenant has a row here; an uploader may read back what they uploaded.
CREATE TABLE blobs (
  tenant_id text NOT NULL REFERENCES tenants(id),
  sha256 text NOT NULL,
  uploaded_by text NOT NULL REFERENCES users(id),
  mime text NOT NULL,
  size bigint NOT NULL,
  created_at bigint NOT NULL,
  PRIMARY KEY (tenant_id, sha256, uploaded_by)
);

-- One row per device: binds the clientId to its user and holds the last applied mutation id.
CREATE TABLE clients (
  id text PRIMARY KEY,
  user_id text NOT NULL REFERENCES users(id),
  last_mutation_id bigint NOT NULL DEFAULT 0,
  created_at bigint NOT NULL
);

-- Outcomes of rejected mutations, returned again when the client resends them.
CREATE TABLE mutation_results (
  client_id text NOT NULL REFERENCES clients(id),
  mutation_id bigint NOT NULL,
  status text NOT NULL,
  code text,
  message text,
  PRIMARY KEY (client_id, mutation_id)
);

CREATE TABLE change_log (
  tenant_id text NOT NULL REFERENCES tenants(id),
  version bigint NOT NULL,
  seq integer NOT NULL,
  kind text NOT NULL,
  entity_id text NOT NULL,
  -- Who receives the row: tenant (everyone), conversation (visibility rules on assignee/team),
  -- user (scope_user_id only), view (a saved view shared with scope_team_id: its owner
  -- scope_user_id, the team's members, supervisors and admins), admins.
  scope_kind text NOT NULL CHECK (scope_kind IN ('tenant', 'conversation', 'user', 'view', 'admins')),
  scope_user_id text,
  scope_assignee_id text,
  scope_team_id text,
  prev_assignee_id text,
  prev_team_id text,
  -- For conversations: whether the row existed before this change (prev scope is meaningful).
  prev_known boolean NOT NULL DEFAULT false,
  row jsonb NOT NULL,
  PRIMARY KEY (tenant_id, version, seq)
);

-- Reusable replies. Shared ones (owner_id null) are kept by admins for the whole tenant; personal
-- ones belong to their owner. A shortcut is unique per owner (a personal one may shadow a shared one).
CREATE TABLE snippets (
  id text PRIMARY KEY,
  tenant_id text NOT NULL REFERENCES tenants(id),
  owner_id text REFERENCES users(id),
  title text NOT NULL,
  shortcut text NOT NULL,
  body text NOT NULL,
  attachment jsonb,
  version bigint NOT NULL
);
CREATE UNIQUE INDEX snippets_shortcut ON snippets(tenant_id, COALESCE(owner_id, ''), shortcut);
CREATE INDEX snippets_tenant ON snippets(tenant_id, id);
