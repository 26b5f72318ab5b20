-- The channel identity (its external id in the conversation's inbox) a conversation is with. A merge moves
-- identities and conversations to one contact, but each conversation stays with the identity that started
-- it: a webchat page shows only its own identity's conversations, replies reach that identity, and a
-- customer's next message goes to that identity's conversation. Existing conversations get the identity
-- when their contact has exactly one in the inbox; otherwise (merged already) none, so no page shows them.
ALTER TABLE conversations ADD COLUMN identity_external_id text;
UPDATE conversations c SET identity_external_id = ci.external_id
FROM contact_identities ci
WHERE ci.inbox_id = c.inbox_id AND ci.contact_id = c.contact_id
  AND (SELECT count(*) FROM contact_identities x WHERE x.inbox_id = c.inbox_id AND x.contact_id = c.contact_id) = 1;
CREATE INDEX conversations_identity ON conversations (inbox_id, identity_external_id, created_at);
-- One active conversation per contact and identity in an inbox (was: per contact): a merged contact's
-- identities each keep theirs.
DROP INDEX conversations_active_contact;
CREATE UNIQUE INDEX conversations_active_identity ON conversations (inbox_id, contact_id, COALESCE(identity_external_id, ''))
  WHERE status <> 'closed';
