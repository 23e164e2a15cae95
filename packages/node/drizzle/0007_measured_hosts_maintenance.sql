CREATE TABLE "maintenance_windows" (
	"node_id" text NOT NULL,
	"from_ts" bigint NOT NULL,
	"to_ts" bigint NOT NULL,
	"announced_at" bigint NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "maintenance_windows_node_id_from_ts_pk" PRIMARY KEY("node_id","from_ts")
);
--> statement-breakpoint
ALTER TABLE "onboarding_checks" ADD COLUMN "host_id" text;--> statement-breakpoint
ALTER TABLE "onboarding_checks" ADD COLUMN "measured" text;--> statement-breakpoint
CREATE INDEX "maintenance_windows_to" ON "maintenance_windows" USING btree ("to_ts");--> statement-breakpoint
CREATE INDEX "onboarding_checks_host" ON "onboarding_checks" USING btree ("host_id");