CREATE TABLE "kpg"."sql_source" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"digest" text NOT NULL,
	"applied_at" timestamp with time zone DEFAULT now() NOT NULL
);
