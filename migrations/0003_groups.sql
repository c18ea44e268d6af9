CREATE TABLE "kpg"."group_members" (
	"group_key" bigint NOT NULL,
	"member_seq" integer NOT NULL,
	"member_id" text NOT NULL,
	"group_instance_id" text,
	"client_id" text NOT NULL,
	"client_host" text NOT NULL,
	"rebalance_timeout_ms" integer NOT NULL,
	"session_timeout_ms" integer NOT NULL,
	"protocol_type" text NOT NULL,
	"protocol_names" text[] NOT NULL,
	"protocol_metadata" "bytea"[] NOT NULL,
	"assignment" "bytea" NOT NULL,
	"is_new" boolean DEFAULT false NOT NULL,
	"join_waiter" uuid,
	"sync_waiter" uuid,
	"session_deadline_ms" bigint,
	CONSTRAINT "group_members_group_key_member_seq_pk" PRIMARY KEY("group_key","member_seq")
);
--> statement-breakpoint
CREATE TABLE "kpg"."group_offsets" (
	"group_key" bigint NOT NULL,
	"topic_id" uuid NOT NULL,
	"partition" integer NOT NULL,
	"committed_offset" bigint NOT NULL,
	"leader_epoch" integer DEFAULT -1 NOT NULL,
	"metadata" text DEFAULT '' NOT NULL,
	"commit_timestamp_ms" bigint NOT NULL,
	"expire_timestamp_ms" bigint,
	CONSTRAINT "group_offsets_group_key_topic_id_partition_pk" PRIMARY KEY("group_key","topic_id","partition")
);
--> statement-breakpoint
CREATE TABLE "kpg"."group_replies" (
	"waiter_id" uuid PRIMARY KEY NOT NULL,
	"group_key" bigint NOT NULL,
	"reply" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"replied_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "kpg"."groups" (
	"group_key" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "kpg"."groups_group_key_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"group_id" text NOT NULL,
	"state" text NOT NULL,
	"previous_state" text,
	"state_changed_ms" bigint NOT NULL,
	"protocol_type" text,
	"protocol_name" text,
	"generation_id" integer DEFAULT 0 NOT NULL,
	"leader_id" text,
	"new_member_added" boolean DEFAULT false NOT NULL,
	"join_deadline_ms" bigint,
	"initial_delay_ms" integer,
	"initial_remaining_ms" integer,
	"sync_deadline_ms" bigint,
	"sync_generation" integer,
	"pending_sync_member_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"pending_member_ids" text[] DEFAULT '{}'::text[] NOT NULL,
	"pending_deadlines_ms" bigint[] DEFAULT '{}'::bigint[] NOT NULL,
	"subscribed_topics" text[],
	"timer_deadline_ms" bigint
);
--> statement-breakpoint
ALTER TABLE "kpg"."group_members" ADD CONSTRAINT "group_members_group_key_groups_group_key_fk" FOREIGN KEY ("group_key") REFERENCES "kpg"."groups"("group_key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpg"."group_offsets" ADD CONSTRAINT "group_offsets_group_key_groups_group_key_fk" FOREIGN KEY ("group_key") REFERENCES "kpg"."groups"("group_key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpg"."group_offsets" ADD CONSTRAINT "group_offsets_topic_id_topics_topic_id_fk" FOREIGN KEY ("topic_id") REFERENCES "kpg"."topics"("topic_id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "kpg"."group_replies" ADD CONSTRAINT "group_replies_group_key_groups_group_key_fk" FOREIGN KEY ("group_key") REFERENCES "kpg"."groups"("group_key") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "group_members_session_deadline" ON "kpg"."group_members" USING btree ("session_deadline_ms");--> statement-breakpoint
CREATE INDEX "group_offsets_topic" ON "kpg"."group_offsets" USING btree ("topic_id");--> statement-breakpoint
CREATE INDEX "group_replies_group" ON "kpg"."group_replies" USING btree ("group_key");--> statement-breakpoint
CREATE INDEX "groups_timer_deadline" ON "kpg"."groups" USING btree ("timer_deadline_ms");