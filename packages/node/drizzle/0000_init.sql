CREATE TABLE "accounts" (
	"id" text PRIMARY KEY NOT NULL,
	"balance" numeric(78, 0) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "attestations" (
	"epoch" bigint NOT NULL,
	"role" text NOT NULL,
	"attestor" text NOT NULL,
	"entries" text NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "attestations_epoch_role_attestor_pk" PRIMARY KEY("epoch","role","attestor")
);
--> statement-breakpoint
CREATE TABLE "attestors" (
	"id" text PRIMARY KEY NOT NULL,
	"key" text NOT NULL,
	"roles" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "consumers" (
	"key" text PRIMARY KEY NOT NULL,
	"reserved" numeric(78, 0) NOT NULL
);
--> statement-breakpoint
CREATE TABLE "epoch_cursor" (
	"id" integer PRIMARY KEY NOT NULL,
	"next_epoch" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "epochs" (
	"epoch" bigint PRIMARY KEY NOT NULL,
	"params_hash" text NOT NULL,
	"input_hash" text NOT NULL,
	"input" text NOT NULL,
	"result" text NOT NULL,
	"summary" text NOT NULL,
	"closed_at" bigint NOT NULL,
	"duration_ms" integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE "key_seqs" (
	"key" text PRIMARY KEY NOT NULL,
	"last_seq" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "ledger_head" (
	"id" integer PRIMARY KEY NOT NULL,
	"seq" bigint NOT NULL,
	"hash" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "meta" (
	"key" text PRIMARY KEY NOT NULL,
	"value" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "node_slots" (
	"node_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"slots" bit varying NOT NULL,
	"heartbeats" integer NOT NULL,
	"power_sum" bigint NOT NULL,
	"power_count" integer NOT NULL,
	"max_gpu_util" bigint NOT NULL,
	CONSTRAINT "node_slots_node_id_epoch_pk" PRIMARY KEY("node_id","epoch")
);
--> statement-breakpoint
CREATE TABLE "nodes" (
	"id" text PRIMARY KEY NOT NULL,
	"node_key" text NOT NULL,
	"owner_key" text NOT NULL,
	"owner" text NOT NULL,
	"region" text NOT NULL,
	"sla_class" text NOT NULL,
	"provider_class" text NOT NULL,
	"hardware" text NOT NULL,
	"registered_at" bigint NOT NULL,
	"commitment_days" integer NOT NULL,
	"commitment_forfeited" boolean DEFAULT false NOT NULL,
	"referrer" text,
	"status" text DEFAULT 'active' NOT NULL,
	"onboarded" boolean DEFAULT true NOT NULL,
	"probation_stage" integer DEFAULT 0 NOT NULL,
	"last_seq" bigint DEFAULT 0 NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "nodes_node_key_unique" UNIQUE("node_key")
);
--> statement-breakpoint
CREATE TABLE "params_versions" (
	"hash" text PRIMARY KEY NOT NULL,
	"params" text NOT NULL,
	"effective_epoch" bigint NOT NULL,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "postings" (
	"seq" bigint PRIMARY KEY NOT NULL,
	"id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"from_account" text NOT NULL,
	"to_account" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"memo" text NOT NULL,
	"prev_hash" text NOT NULL,
	"hash" text NOT NULL,
	CONSTRAINT "postings_id_unique" UNIQUE("id")
);
--> statement-breakpoint
CREATE TABLE "receipts" (
	"job_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"consumer_key" text NOT NULL,
	"epoch" bigint NOT NULL,
	"ts" bigint NOT NULL,
	"gpu_seconds" bigint NOT NULL,
	"price" numeric(78, 0) NOT NULL,
	"success" boolean NOT NULL,
	"response_ms" integer NOT NULL,
	"priority" text NOT NULL,
	"rating" integer NOT NULL,
	"billable" boolean NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stakes" (
	"id" text PRIMARY KEY NOT NULL,
	"kind" text NOT NULL,
	"owner_key" text NOT NULL,
	"node_id" text,
	"payout" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"lock_days" integer NOT NULL,
	"effective_epoch" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "statements" (
	"epoch" bigint NOT NULL,
	"node_id" text NOT NULL,
	"owner" text NOT NULL,
	"reward" numeric(78, 0) NOT NULL,
	"statement" text NOT NULL,
	CONSTRAINT "statements_epoch_node_id_pk" PRIMARY KEY("epoch","node_id")
);
--> statement-breakpoint
CREATE TABLE "unbondings" (
	"id" text PRIMARY KEY NOT NULL,
	"stake_id" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"effective_epoch" bigint NOT NULL,
	"release_epoch" bigint NOT NULL,
	"released" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE INDEX "nodes_owner_key" ON "nodes" USING btree ("owner_key");--> statement-breakpoint
CREATE INDEX "postings_epoch" ON "postings" USING btree ("epoch");--> statement-breakpoint
CREATE INDEX "receipts_epoch_node" ON "receipts" USING btree ("epoch","node_id");--> statement-breakpoint
CREATE INDEX "statements_node" ON "statements" USING btree ("node_id");