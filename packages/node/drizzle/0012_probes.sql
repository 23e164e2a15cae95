CREATE TABLE "probes" (
	"probe_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"validator_key" text NOT NULL,
	"epoch" bigint NOT NULL,
	"slot" integer NOT NULL,
	"sent_at" bigint NOT NULL,
	"answer_by" bigint NOT NULL,
	"challenge_hash" text NOT NULL,
	"answered_at" bigint,
	"answer_hash" text
);
--> statement-breakpoint
CREATE INDEX "probes_epoch_node" ON "probes" USING btree ("epoch","node_id");--> statement-breakpoint
CREATE INDEX "probes_pending" ON "probes" USING btree ("node_id","answer_by");