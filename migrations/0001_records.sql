CREATE SEQUENCE "kpg"."producer_ids" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1000 CACHE 1;--> statement-breakpoint
CREATE TABLE "kpg"."producer_states" (
	"topic_id" uuid NOT NULL,
	"partition" integer NOT NULL,
	"producer_id" bigint NOT NULL,
	"producer_epoch" smallint NOT NULL,
	"last_sequence" integer NOT NULL,
	"recent_first_sequences" integer[] NOT NULL,
	"recent_last_sequences" integer[] NOT NULL,
	"recent_base_offsets" bigint[] NOT NULL,
	"last_timestamp" bigint DEFAULT -1 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "producer_states_topic_id_partition_producer_id_pk" PRIMARY KEY("topic_id","partition","producer_id")
);
--> statement-breakpoint
CREATE TABLE "kpg"."producers" (
	"producer_id" bigint PRIMARY KEY NOT NULL,
	"producer_epoch" smallint DEFAULT 0 NOT NULL,
	"transactional_id" text,
	"transaction_timeout_ms" integer,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "kpg"."record_batches" (
	"topic_id" uuid NOT NULL,
	"partition" integer NOT NULL,
	"base_offset" bigint NOT NULL,
	"last_offset" bigint NOT NULL,
	"record_count" integer NOT NULL,
	"max_timestamp" bigint NOT NULL,
	"time_index" bigint NOT NULL,
	"producer_id" bigint DEFAULT -1 NOT NULL,
	"from_sql" boolean DEFAULT false NOT NULL,
	"size_bytes" integer NOT NULL,
	"batch" "bytea" NOT NULL,
	CONSTRAINT "record_batches_topic_id_partition_last_offset_pk" PRIMARY KEY("topic_id","partition","last_offset")
);
--> statement-breakpoint
ALTER TABLE "kpg"."producer_states" ADD CONSTRAINT "producer_states_topic_id_topics_topic_id_fk" FOREIGN KEY ("topic_id") REFERENCES "kpg"."topics"("topic_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "producers_transactional_id" ON "kpg"."producers" USING btree ("transactional_id");--> statement-breakpoint
CREATE INDEX "record_batches_time" ON "kpg"."record_batches" USING btree ("topic_id","partition","time_index");