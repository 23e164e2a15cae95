CREATE TABLE "owner_class_usage" (
	"epoch" bigint NOT NULL,
	"owner" text NOT NULL,
	"hardware_class" text NOT NULL,
	"delivered" bigint NOT NULL,
	"provisioned" bigint NOT NULL,
	CONSTRAINT "owner_class_usage_epoch_owner_hardware_class_pk" PRIMARY KEY("epoch","owner","hardware_class")
);
--> statement-breakpoint
CREATE TABLE "service_slots" (
	"epoch" bigint PRIMARY KEY NOT NULL,
	"slots" bit varying NOT NULL
);
--> statement-breakpoint
ALTER TABLE "receipts" ADD COLUMN "job_type" text DEFAULT 'inference' NOT NULL;