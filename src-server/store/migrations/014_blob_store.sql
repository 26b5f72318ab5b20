-- Attachment bytes in the database (src-server/blobs/stores/postgres.ts), the default blob store under
-- PostgreSQL: every server process reaches them. One blob_contents row per upload, its bytes in
-- blob_chunks of chunk_bytes each (the last may be shorter), written as they arrive and read a few at a
-- time, so a file is never whole in memory and a byte range reads only its chunks. An upload in progress
-- has no sha256 yet; it gets it once all of it arrived and matched, so readers never see a partial blob.
-- One finished row per sha256 (the bytes of every tenant's copy). Leftovers of an upload cut by a crash
-- (sha256 still NULL) are removed by blob collection. Times are epoch ms.
CREATE TABLE blob_contents (
  id uuid PRIMARY KEY,
  sha256 text,
  size bigint,
  chunk_bytes integer NOT NULL,
  started_at bigint NOT NULL,
  stored_at bigint
);
CREATE UNIQUE INDEX blob_contents_sha256 ON blob_contents (sha256) WHERE sha256 IS NOT NULL;
CREATE INDEX blob_contents_partial ON blob_contents (started_at) WHERE sha256 IS NULL;

CREATE TABLE blob_chunks (
  content_id uuid NOT NULL REFERENCES blob_contents (id) ON DELETE CASCADE,
  n integer NOT NULL,
  data bytea NOT NULL,
  PRIMARY KEY (content_id, n)
);
-- Attachments are mostly compressed already (images, audio, PDF): stored out of line without trying to
-- compress them again.
ALTER TABLE blob_chunks ALTER COLUMN data SET STORAGE EXTERNAL;
