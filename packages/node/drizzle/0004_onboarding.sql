CREATE TABLE "governance_flags" (
	"flag" text NOT NULL,
	"effective_epoch" bigint NOT NULL,
	"value" boolean NOT NULL,
	"proposal_id" text NOT NULL,
	CONSTRAINT "governance_flags_flag_effective_epoch_pk" PRIMARY KEY("flag","effective_epoch")
);
--> statement-breakpoint
CREATE TABLE "onboarding_checks" (
	"node_id" text NOT NULL,
	"validator_key" text NOT NULL,
	"epoch" bigint NOT NULL,
	"at" bigint NOT NULL,
	"passed" boolean NOT NULL,
	"gates" text NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "onboarding_checks_node_id_at_validator_key_pk" PRIMARY KEY("node_id","at","validator_key")
);
--> statement-breakpoint
ALTER TABLE "node_slots" ADD COLUMN "latency_sum" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "node_slots" ADD COLUMN "loss_sum" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "proposals" ADD COLUMN "payload" text;--> statement-breakpoint
CREATE INDEX "onboarding_checks_node" ON "onboarding_checks" USING btree ("node_id","epoch");