CREATE SCHEMA IF NOT EXISTS "kpg";
--> statement-breakpoint
CREATE TABLE "kpg"."broker_configs" (
	"broker_id" integer NOT NULL,
	"name" text NOT NULL,
	"value" text,
	CONSTRAINT "broker_configs_broker_id_name_pk" PRIMARY KEY("broker_id","name")
);
--> statement-breakpoint
CREATE TABLE "kpg"."brokers" (
	"node_id" integer PRIMARY KEY NOT NULL,
	"host" text NOT NULL,
	"port" integer NOT NULL,
	"rack" text,
	"incarnation" uuid NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_heartbeat" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpg"."cluster" (
	"singleton" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"cluster_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpg"."partitions" (
	"topic_id" uuid NOT NULL,
	"partition" integer NOT NULL,
	"next_offset" bigint DEFAULT 0 NOT NULL,
	"log_start_offset" bigint DEFAULT 0 NOT NULL,
	"leader_epoch" integer DEFAULT 0 NOT NULL,
	"max_timestamp" bigint DEFAULT -1 NOT NULL,
	"max_timestamp_offset" bigint DEFAULT -1 NOT NULL,
	"replicas" integer[] DEFAULT '{}'::integer[] NOT NULL,
	CONSTRAINT "partitions_topic_id_partition_pk" PRIMARY KEY("topic_id","partition")
);
--> statement-breakpoint
CREATE TABLE "kpg"."topic_configs" (
	"topic_id" uuid NOT NULL,
	"name" text NOT NULL,
	"value" text,
	CONSTRAINT "topic_configs_topic_id_name_pk" PRIMARY KEY("topic_id","name")
);
--> statement-breakpoint
CREATE TABLE "kpg"."topics" (
	"topic_id" uuid PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"partition_count" integer NOT NULL,
	"replication_factor" integer DEFAULT 1 NOT NULL,
	"is_internal" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "kpg"."partitions" ADD CONSTRAINT "partitions_topic_id_topics_topic_id_fk" FOREIGN KEY ("topic_id") REFERENCES "kpg"."topics"("topic_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpg"."topic_configs" ADD CONSTRAINT "topic_configs_topic_id_topics_topic_id_fk" FOREIGN KEY ("topic_id") REFERENCES "kpg"."topics"("topic_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "broker_configs_name" ON "kpg"."broker_configs" USING btree ("name");--> statement-breakpoint
CREATE UNIQUE INDEX "brokers_address" ON "kpg"."brokers" USING btree ("host","port");--> statement-breakpoint
CREATE UNIQUE INDEX "topics_name" ON "kpg"."topics" USING btree ("name");