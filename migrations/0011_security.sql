CREATE TABLE "kpg"."acls" (
	"acl_id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "kpg"."acls_acl_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"resource_type" smallint NOT NULL,
	"resource_name" text NOT NULL,
	"pattern_type" smallint NOT NULL,
	"principal" text NOT NULL,
	"host" text NOT NULL,
	"operation" smallint NOT NULL,
	"permission_type" smallint NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpg"."client_quotas" (
	"entity_key" text NOT NULL,
	"entity" jsonb NOT NULL,
	"quota_key" text NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "client_quotas_entity_key_quota_key_pk" PRIMARY KEY("entity_key","quota_key")
);
--> statement-breakpoint
CREATE TABLE "kpg"."scram_credentials" (
	"user_name" text NOT NULL,
	"mechanism" text NOT NULL,
	"iterations" integer NOT NULL,
	"salt" "bytea" NOT NULL,
	"stored_key" "bytea" NOT NULL,
	"server_key" "bytea" NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "scram_credentials_user_name_mechanism_pk" PRIMARY KEY("user_name","mechanism")
);
--> statement-breakpoint
ALTER TABLE "kpg"."brokers" ADD COLUMN "endpoints" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "acls_binding" ON "kpg"."acls" USING btree ("resource_type","resource_name","pattern_type","principal","host","operation","permission_type");