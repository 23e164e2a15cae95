CREATE TABLE "network_counts" (
	"kind" text NOT NULL,
	"key" text NOT NULL,
	"shard" integer DEFAULT 0 NOT NULL,
	"nodes" bigint DEFAULT 0 NOT NULL,
	"gpus" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "network_counts_kind_key_shard_pk" PRIMARY KEY("kind","key","shard")
);
--> statement-breakpoint
-- nodes are counted as they are inserted, whoever inserts them; rows are locked in (kind, key) order so concurrent registrations cannot deadlock
CREATE FUNCTION "network_count_nodes"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "network_counts" ("kind", "key", "shard", "nodes", "gpus")
  SELECT c."kind", c."key", 0, SUM(c."nodes"), SUM(c."gpus") FROM (
    SELECT 'nodes' AS "kind", '' AS "key", COUNT(*) AS "nodes", 0::bigint AS "gpus" FROM "new_rows"
    UNION ALL SELECT 'region', "region", COUNT(*), 0 FROM "new_rows" GROUP BY "region"
    UNION ALL SELECT 'model', g->>'model', COUNT(DISTINCT n."id"), SUM((g->>'count')::bigint)
                FROM "new_rows" n, jsonb_array_elements((n."hardware"::jsonb)->'gpus') AS g GROUP BY g->>'model'
  ) c GROUP BY c."kind", c."key" HAVING SUM(c."nodes") > 0 ORDER BY c."kind", c."key"
  ON CONFLICT ("kind", "key", "shard") DO UPDATE SET "nodes" = "network_counts"."nodes" + excluded."nodes", "gpus" = "network_counts"."gpus" + excluded."gpus";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "nodes_counted" AFTER INSERT ON "nodes" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "network_count_nodes"();
--> statement-breakpoint
-- receipts into one of 16 shards by backend, so that concurrent ingest transactions rarely wait on one row
CREATE FUNCTION "network_count_receipts"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "network_counts" ("kind", "key", "shard", "nodes")
  SELECT 'receipts', '', pg_backend_pid() % 16, COUNT(*) FROM "new_rows" HAVING COUNT(*) > 0
  ON CONFLICT ("kind", "key", "shard") DO UPDATE SET "nodes" = "network_counts"."nodes" + excluded."nodes";
  RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "receipts_counted" AFTER INSERT ON "receipts" REFERENCING NEW TABLE AS "new_rows" FOR EACH STATEMENT EXECUTE FUNCTION "network_count_receipts"();
--> statement-breakpoint
-- backfill from what is stored
INSERT INTO "network_counts" ("kind", "key", "shard", "nodes", "gpus")
SELECT 'nodes', '', 0, COUNT(*), 0 FROM "nodes" HAVING COUNT(*) > 0
UNION ALL SELECT 'region', "region", 0, COUNT(*), 0 FROM "nodes" GROUP BY "region"
UNION ALL SELECT 'model', g->>'model', 0, COUNT(DISTINCT n."id"), SUM((g->>'count')::bigint)
            FROM "nodes" n, jsonb_array_elements((n."hardware"::jsonb)->'gpus') AS g GROUP BY g->>'model'
UNION ALL SELECT 'receipts', '', 0, COUNT(*), 0 FROM "receipts" HAVING COUNT(*) > 0;
