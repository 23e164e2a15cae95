ALTER TABLE "receipts" ADD COLUMN "message_hash" text DEFAULT '' NOT NULL;--> statement-breakpoint
UPDATE "receipts" SET "message_hash" = encode(sha256(convert_to("message", 'UTF8')), 'hex');
