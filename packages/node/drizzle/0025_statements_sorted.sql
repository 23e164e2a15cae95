ALTER TABLE "statements" ADD COLUMN "uptime" numeric;--> statement-breakpoint
UPDATE "statements" SET "uptime" = ("statement"::json->>'uptime')::numeric;--> statement-breakpoint
CREATE INDEX "statements_epoch_reward" ON "statements" USING btree ("epoch","reward","node_id");--> statement-breakpoint
CREATE INDEX "statements_epoch_uptime" ON "statements" USING btree ("epoch","uptime","node_id");