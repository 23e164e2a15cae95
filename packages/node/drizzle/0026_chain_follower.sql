CREATE TABLE "chain_claims" (
	"account" text PRIMARY KEY NOT NULL,
	"claimed" numeric(78, 0) NOT NULL,
	"block" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_cursors" (
	"contract" text PRIMARY KEY NOT NULL,
	"block" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_events" (
	"id" text PRIMARY KEY NOT NULL,
	"contract" text NOT NULL,
	"block" bigint NOT NULL,
	"block_hash" text NOT NULL,
	"name" text NOT NULL,
	"args" text NOT NULL,
	"status" text NOT NULL,
	"note" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "chain_slashes" (
	"slash_id" text PRIMARY KEY NOT NULL,
	"node" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"evidence_hash" text NOT NULL,
	"status" text NOT NULL,
	"tx" text,
	"raw" text,
	"block" bigint,
	"note" text DEFAULT '' NOT NULL
);
--> statement-breakpoint
ALTER TABLE "stakes" ADD COLUMN "source" text;--> statement-breakpoint
CREATE INDEX "chain_events_block" ON "chain_events" USING btree ("contract","block");