CREATE TABLE "epoch_input_parts" (
	"epoch" bigint NOT NULL,
	"part" integer NOT NULL,
	"nodes" text NOT NULL,
	CONSTRAINT "epoch_input_parts_epoch_part_pk" PRIMARY KEY("epoch","part")
);
