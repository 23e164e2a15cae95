CREATE TABLE "consumer_owners" (
	"consumer_key" text PRIMARY KEY NOT NULL,
	"lo" text NOT NULL,
	"hi" text NOT NULL
);
--> statement-breakpoint
-- backfill from the receipts of the epochs already closed (receipts of a closed epoch are refused from then on)
INSERT INTO "consumer_owners" ("consumer_key", "lo", "hi")
SELECT r."consumer_key", MIN(o."owner"), MAX(o."owner")
  FROM "receipts" r JOIN "nodes" o ON o."id" = r."node_id"
 WHERE r."billable" AND r."epoch" < COALESCE((SELECT "next_epoch" FROM "epoch_cursor" WHERE "id" = 1), 0)
 GROUP BY r."consumer_key";
