CREATE TABLE "audit_confirmations" (
	"job_id" text PRIMARY KEY NOT NULL,
	"node_id" text NOT NULL,
	"receipt_epoch" bigint NOT NULL,
	"confirmed_epoch" bigint NOT NULL,
	"evidence" text NOT NULL,
	"status" text NOT NULL,
	"dispute_hash" text
);
--> statement-breakpoint
CREATE TABLE "audit_draws" (
	"epoch" bigint PRIMARY KEY NOT NULL,
	"input_hash" text NOT NULL,
	"beacon" text NOT NULL,
	"seed" text NOT NULL,
	"drawn_at" bigint NOT NULL,
	"late" boolean NOT NULL,
	"receipts" text NOT NULL,
	"must_cover" text NOT NULL,
	"validators" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "audit_outcomes" (
	"epoch" bigint NOT NULL,
	"job_id" text NOT NULL,
	"round" integer NOT NULL,
	"outcome" text NOT NULL,
	CONSTRAINT "audit_outcomes_epoch_job_id_pk" PRIMARY KEY("epoch","job_id")
);
--> statement-breakpoint
CREATE TABLE "audit_verdicts" (
	"job_id" text NOT NULL,
	"validator_key" text NOT NULL,
	"epoch" bigint NOT NULL,
	"commitment" text NOT NULL,
	"commit_hash" text NOT NULL,
	"verdict" text,
	"result_hash" text,
	"salt" text,
	"reveal_hash" text,
	CONSTRAINT "audit_verdicts_job_id_validator_key_pk" PRIMARY KEY("job_id","validator_key")
);
--> statement-breakpoint
CREATE TABLE "beacon_secrets" (
	"epoch" bigint NOT NULL,
	"validator_key" text NOT NULL,
	"commitment" text NOT NULL,
	"commit_hash" text NOT NULL,
	"secret" text,
	"reveal_hash" text,
	CONSTRAINT "beacon_secrets_epoch_validator_key_pk" PRIMARY KEY("epoch","validator_key")
);
--> statement-breakpoint
CREATE TABLE "signed_messages" (
	"hash" text PRIMARY KEY NOT NULL,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "trap_secrets" (
	"epoch" bigint PRIMARY KEY NOT NULL,
	"commitment" text NOT NULL,
	"secret" text NOT NULL,
	"revealed" boolean DEFAULT false NOT NULL
);
--> statement-breakpoint
CREATE TABLE "validator_standings" (
	"validator_key" text PRIMARY KEY NOT NULL,
	"standing" text NOT NULL
);
--> statement-breakpoint
ALTER TABLE "audit_assignments" ADD COLUMN "receipt_epoch" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_assignments" ADD COLUMN "round" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_assignments" ADD COLUMN "trap" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "audit_assignments" ADD COLUMN "shown_result_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_verdicts_epoch" ON "audit_verdicts" USING btree ("epoch");--> statement-breakpoint
CREATE INDEX "audit_assignments_epoch" ON "audit_assignments" USING btree ("epoch");