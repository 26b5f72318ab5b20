// Faults a test puts into a real store (PGlite or PostgreSQL) so writes fail the way the database fails
// them: a trigger on the messages table.
//
//   const { db, dataDir } = await freshDemoStore(databaseUrl);
//   await db.exec(WRITE_FAULTS); await db.close();   // then start the server on dataDir (and databaseUrl)

/** 'poison…' can never be stored (22021, like a NUL byte); the first two tries of each 'flaky…' message
 *  fail with a serialization conflict (40001). A sequence is not rolled back, so the count survives. */
export const WRITE_FAULTS = `
CREATE SEQUENCE test_flaky;
CREATE FUNCTION test_faults() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.body LIKE 'poison%' THEN
    RAISE EXCEPTION 'invalid byte sequence for encoding "UTF8": 0x00' USING ERRCODE = '22021';
  END IF;
  IF NEW.body LIKE 'flaky%' AND nextval('test_flaky') % 3 <> 0 THEN
    RAISE EXCEPTION 'could not serialize access due to concurrent update' USING ERRCODE = '40001';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER test_faults BEFORE INSERT ON messages FOR EACH ROW EXECUTE FUNCTION test_faults();`;
