CREATE TABLE "vesting_tranches" (
	"node_id" text NOT NULL,
	"epoch" bigint NOT NULL,
	"amount" numeric(78, 0) NOT NULL,
	"epochs" integer NOT NULL,
	"status" text NOT NULL,
	CONSTRAINT "vesting_tranches_node_id_epoch_pk" PRIMARY KEY("node_id","epoch")
);
--> statement-breakpoint
CREATE INDEX "vesting_tranches_status" ON "vesting_tranches" USING btree ("status");