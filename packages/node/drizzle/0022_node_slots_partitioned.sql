-- Heartbeat bitmaps partitioned by epoch range, so that old epochs are dropped, not deleted row by
-- row (keepers/partitions.ts creates the ranges ahead and drops the old ones). The rows already
-- stored become the default partition; ranges are only ever created above what it holds.
ALTER TABLE "node_slots" RENAME TO "node_slots_default";--> statement-breakpoint
ALTER TABLE "node_slots_default" RENAME CONSTRAINT "node_slots_node_id_epoch_pk" TO "node_slots_default_pkey";--> statement-breakpoint
CREATE TABLE "node_slots" (
	"node_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"slots" bit varying NOT NULL,
	"heartbeats" integer NOT NULL,
	"power_sum" bigint NOT NULL,
	"power_count" integer NOT NULL,
	"max_gpu_util" bigint NOT NULL,
	"latency_sum" bigint DEFAULT 0 NOT NULL,
	"loss_sum" bigint DEFAULT 0 NOT NULL,
	CONSTRAINT "node_slots_node_id_epoch_pk" PRIMARY KEY("node_id","epoch")
) PARTITION BY RANGE ("epoch");--> statement-breakpoint
ALTER TABLE "node_slots" ATTACH PARTITION "node_slots_default" DEFAULT;
