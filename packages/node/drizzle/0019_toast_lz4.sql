-- The close writes each epoch's stored input and statements in one transaction (~1.5 KB a node):
-- PostgreSQL's default TOAST compression (pglz) took 16 of a 100k-node close's 147 s. lz4 where the
-- server has it (Debian's PostgreSQL does; PGlite does not, and keeps pglz: the stored text is the
-- same either way, only its compression on disk differs).
DO $$
BEGIN
  ALTER TABLE "epoch_input_parts" ALTER COLUMN "nodes" SET COMPRESSION lz4;
  ALTER TABLE "statements" ALTER COLUMN "statement" SET COMPRESSION lz4;
  ALTER TABLE "epochs" ALTER COLUMN "result" SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  NULL; -- built without lz4
END $$;
