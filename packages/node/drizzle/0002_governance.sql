CREATE TABLE "proposals" (
	"id" text PRIMARY KEY NOT NULL,
	"proposer_key" text NOT NULL,
	"kind" text NOT NULL,
	"patch" text NOT NULL,
	"description" text NOT NULL,
	"deposit" numeric(78, 0) NOT NULL,
	"created_epoch" bigint NOT NULL,
	"voting_ends_after_epoch" bigint NOT NULL,
	"status" text NOT NULL,
	"tally" text,
	"message" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "votes" (
	"proposal_id" text NOT NULL,
	"voter_key" text NOT NULL,
	"option" text NOT NULL,
	"epoch" bigint NOT NULL,
	"message" text NOT NULL,
	CONSTRAINT "votes_proposal_id_voter_key_pk" PRIMARY KEY("proposal_id","voter_key")
);
