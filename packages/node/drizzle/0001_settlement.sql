CREATE TABLE "epoch_trees" (
	"epoch" bigint PRIMARY KEY NOT NULL,
	"root" text NOT NULL,
	"claims" text NOT NULL,
	"manifest" text NOT NULL
);
