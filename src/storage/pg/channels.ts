/**
 * The LISTEN/NOTIFY channels kpg uses. The payload formats are parsed in ./notifications.ts and sent by
 * kpg's SQL and by the pg storage classes; they are a wire format shared with the SQL functions in
 * migrations, so they never change casually.
 */
export const Channel = {
  /** `<topic_id>:<partition>:<next_offset>[:<log_start_offset>]` after records are appended. */
  records: 'kpg_records',
  /** `<topic_id>` or `broker` after a config change. */
  config: 'kpg_config',
  /** `<group_key>` after a consumer group changes, `<group_key>+` when answers to waiting requests were written. */
  groups: 'kpg_groups',
  /** `<topic_id>` after a topic is created, deleted or changes its partitions. */
  topics: 'kpg_topics',
  /** Empty, when a REPEATABLE READ or SERIALIZABLE transaction that called kpg.produce commits (./sql-outbox-relay.ts). */
  outbox: 'kpg_outbox',
} as const;

/** The payload of kpg_config announcing a broker config change. */
export const BROKER_CONFIG_PAYLOAD = 'broker';
