CREATE TABLE "audit_assignments" (
	"epoch" bigint NOT NULL,
	"job_id" text NOT NULL,
	"node_id" text NOT NULL,
	"validator_key" text NOT NULL,
	CONSTRAINT "audit_assignments_job_id_validator_key_pk" PRIMARY KEY("job_id","validator_key")
);
--> statement-breakpoint
CREATE TABLE "audit_reports" (
	"job_id" text NOT NULL,
	"validator_key" text NOT NULL,
	"epoch" bigint NOT NULL,
	"verdict" text NOT NULL,
	"result_hash" text NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "audit_reports_job_id_validator_key_pk" PRIMARY KEY("job_id","validator_key")
);
--> statement-breakpoint
CREATE TABLE "evidence" (
	"id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"kind" text NOT NULL,
	"at" bigint NOT NULL,
	"hashes" text NOT NULL,
	"messages" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "slashes" (
	"id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"fault_epoch" bigint NOT NULL,
	"at" bigint NOT NULL,
	"kind" text NOT NULL,
	"action" text NOT NULL,
	"share" text NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"evidence" text NOT NULL,
	"sources" text NOT NULL,
	"note" text NOT NULL,
	"release_epoch" bigint NOT NULL,
	"status" text NOT NULL,
	"resolved_epoch" bigint,
	"resolution" text
);
--> statement-breakpoint
CREATE TABLE "standings" (
	"node_id" text PRIMARY KEY NOT NULL,
	"standing" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "nodes" ADD COLUMN "commitment_forfeited_epoch" bigint;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "target" text;--> statement-breakpoint
ALTER TABLE "stakes" ADD COLUMN "slashed" numeric(78, 0) DEFAULT '0' NOT NULL;--> statement-breakpoint
ALTER TABLE "unbondings" ADD COLUMN "slashed" numeric(78, 0) DEFAULT '0' NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_assignments_validator" ON "audit_assignments" USING btree ("validator_key","epoch");--> statement-breakpoint
CREATE INDEX "evidence_epoch" ON "evidence" USING btree ("epoch");--> statement-breakpoint
CREATE INDEX "slashes_node" ON "slashes" USING btree ("node_id");