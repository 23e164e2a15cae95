CREATE TABLE "refusals" (
	"job_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"consumer_key" text NOT NULL,
	"epoch" bigint NOT NULL,
	"price" numeric(78, 0) NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE INDEX "refusals_epoch" ON "refusals" USING btree ("epoch");