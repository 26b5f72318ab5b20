-- When a blob row was last used: recorded (uploaded, received from a channel) or named by a message or a
-- snippet being written. Blob GC removes rows unused for a day that nothing holds; a writer naming the blob
-- updates this column, so its row lock and the new value make a concurrent GC delete skip the row
-- (src-server/blobs/gc.ts explains the protocol).
ALTER TABLE blobs ADD COLUMN used_at bigint;
UPDATE blobs SET used_at = created_at;
ALTER TABLE blobs ALTER COLUMN used_at SET NOT NULL;
