-- WhatsApp conversations from before 009 whose contact already had several numbers in the inbox got no
-- identity, and a reply then went to whichever number sorted first. The conversation's own inbound messages
-- tell the number where their WhatsApp ids do: a wamid is base64 of a record that starts with the customer's
-- number as a length-prefixed string (bytes 0x18, length, the digits). Where every inbound message of such a
-- conversation names one and the same of its contact's numbers in the inbox, that is its identity. Anything
-- else (no inbound message, an id that does not decode or names none, two numbers) stays NULL, and the
-- dispatcher refuses to deliver there rather than guess (channels/whatsapp/dispatcher.ts recipientOf).
WITH candidates AS (
  SELECT c.id, c.inbox_id, c.contact_id, c.status
  FROM conversations c JOIN inboxes i ON i.id = c.inbox_id
  WHERE c.identity_external_id IS NULL AND i.channel = 'whatsapp'
),
inbound AS (
  SELECT cand.id AS conversation_id, m.id AS message_id,
         substring(x.external_id FROM '^wamid\.([A-Za-z0-9+/_-]+)=*$') AS b64
  FROM candidates cand
  JOIN messages m ON m.conversation_id = cand.id AND m.direction = 'in'
  LEFT JOIN channel_message_ids x ON x.message_id = m.id AND x.inbox_id = cand.inbox_id
),
decoded AS (
  SELECT conversation_id, message_id,
         decode(rpad(translate(b64, '-_', '+/'), ((length(b64) + 3) / 4) * 4, '='), 'base64') AS bytes
  FROM inbound
  WHERE b64 IS NOT NULL AND length(b64) % 4 <> 1
),
named AS (
  SELECT d.conversation_id, d.message_id, ci.external_id
  FROM decoded d
  JOIN candidates cand ON cand.id = d.conversation_id
  JOIN contact_identities ci ON ci.inbox_id = cand.inbox_id AND ci.contact_id = cand.contact_id
  WHERE length(ci.external_id) BETWEEN 1 AND 255
    AND position(('\x18'::bytea || set_byte('\x00'::bytea, 0, length(ci.external_id)) || convert_to(ci.external_id, 'UTF8')) IN d.bytes) > 0
),
told AS (
  SELECT n.conversation_id AS id, min(n.external_id) AS external_id
  FROM named n
  GROUP BY n.conversation_id
  HAVING count(DISTINCT n.external_id) = 1
     AND count(DISTINCT n.message_id) = (SELECT count(*) FROM inbound i WHERE i.conversation_id = n.conversation_id)
)
UPDATE conversations c SET identity_external_id = told.external_id
FROM told
WHERE c.id = told.id
  -- A customer who wrote again since 009 from that number has an active conversation with it already: an
  -- active one told here would be a second (one active conversation per contact and identity), so it stays.
  AND (c.status = 'closed' OR NOT EXISTS (
    SELECT 1 FROM conversations o
    WHERE o.inbox_id = c.inbox_id AND o.contact_id = c.contact_id AND o.identity_external_id = told.external_id
      AND o.status <> 'closed' AND o.id <> c.id));
