-- GENERATED from TOPIC_CONFIGS in src/config/topic-config.ts by test/storage/topic-config-definitions.ts;
-- do not edit. After changing a topic config's type, default or broker synonyms there, run
-- `npm run gen:sql` (test/storage/sql-source.test.ts fails while this file is stale).

-- Kafka's topic configs: type, default, and the broker configs that supply the default in precedence order,
-- each with the factor converting its value into the topic config's unit (NULL: same unit and type).
CREATE OR REPLACE FUNCTION kpg.topic_config_definitions()
RETURNS TABLE (name text, type text, default_value text, broker_synonyms text[], synonym_factors bigint[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  VALUES
    ('cleanup.policy', 'list', 'delete', '{"log.cleanup.policy"}'::text[], '{NULL}'::bigint[]),
    ('compression.gzip.level', 'int', '-1', '{"compression.gzip.level"}'::text[], '{NULL}'::bigint[]),
    ('compression.lz4.level', 'int', '9', '{"compression.lz4.level"}'::text[], '{NULL}'::bigint[]),
    ('compression.type', 'string', 'producer', '{"compression.type"}'::text[], '{NULL}'::bigint[]),
    ('compression.zstd.level', 'int', '3', '{"compression.zstd.level"}'::text[], '{NULL}'::bigint[]),
    ('delete.retention.ms', 'long', '86400000', '{"log.cleaner.delete.retention.ms"}'::text[], '{NULL}'::bigint[]),
    ('file.delete.delay.ms', 'long', '60000', '{"log.segment.delete.delay.ms"}'::text[], '{NULL}'::bigint[]),
    ('flush.messages', 'long', '9223372036854775807', '{"log.flush.interval.messages"}'::text[], '{NULL}'::bigint[]),
    ('flush.ms', 'long', '9223372036854775807', '{"log.flush.interval.ms","log.flush.scheduler.interval.ms"}'::text[], '{NULL,NULL}'::bigint[]),
    ('follower.replication.throttled.replicas', 'list', '', '{}'::text[], '{}'::bigint[]),
    ('index.interval.bytes', 'int', '4096', '{"log.index.interval.bytes"}'::text[], '{NULL}'::bigint[]),
    ('leader.replication.throttled.replicas', 'list', '', '{}'::text[], '{}'::bigint[]),
    ('local.retention.bytes', 'long', '-2', '{"log.local.retention.bytes"}'::text[], '{NULL}'::bigint[]),
    ('local.retention.ms', 'long', '-2', '{"log.local.retention.ms"}'::text[], '{NULL}'::bigint[]),
    ('max.compaction.lag.ms', 'long', '9223372036854775807', '{"log.cleaner.max.compaction.lag.ms"}'::text[], '{NULL}'::bigint[]),
    ('max.message.bytes', 'int', '1048588', '{"message.max.bytes"}'::text[], '{NULL}'::bigint[]),
    ('message.timestamp.after.max.ms', 'long', '3600000', '{"log.message.timestamp.after.max.ms"}'::text[], '{NULL}'::bigint[]),
    ('message.timestamp.before.max.ms', 'long', '9223372036854775807', '{"log.message.timestamp.before.max.ms"}'::text[], '{NULL}'::bigint[]),
    ('message.timestamp.type', 'string', 'CreateTime', '{"log.message.timestamp.type"}'::text[], '{NULL}'::bigint[]),
    ('min.cleanable.dirty.ratio', 'double', '0.5', '{"log.cleaner.min.cleanable.ratio"}'::text[], '{NULL}'::bigint[]),
    ('min.compaction.lag.ms', 'long', '0', '{"log.cleaner.min.compaction.lag.ms"}'::text[], '{NULL}'::bigint[]),
    ('min.insync.replicas', 'int', '1', '{"min.insync.replicas"}'::text[], '{NULL}'::bigint[]),
    ('preallocate', 'boolean', 'false', '{"log.preallocate"}'::text[], '{NULL}'::bigint[]),
    ('remote.log.copy.disable', 'boolean', 'false', '{}'::text[], '{}'::bigint[]),
    ('remote.log.delete.on.disable', 'boolean', 'false', '{}'::text[], '{}'::bigint[]),
    ('remote.storage.enable', 'boolean', 'false', '{}'::text[], '{}'::bigint[]),
    ('retention.bytes', 'long', '-1', '{"log.retention.bytes"}'::text[], '{NULL}'::bigint[]),
    ('retention.ms', 'long', '604800000', '{"log.retention.ms","log.retention.minutes","log.retention.hours"}'::text[], '{NULL,60000,3600000}'::bigint[]),
    ('segment.bytes', 'int', '1073741824', '{"log.segment.bytes"}'::text[], '{NULL}'::bigint[]),
    ('segment.index.bytes', 'int', '10485760', '{"log.index.size.max.bytes"}'::text[], '{NULL}'::bigint[]),
    ('segment.jitter.ms', 'long', '0', '{"log.roll.jitter.ms","log.roll.jitter.hours"}'::text[], '{NULL,3600000}'::bigint[]),
    ('segment.ms', 'long', '604800000', '{"log.roll.ms","log.roll.hours"}'::text[], '{NULL,3600000}'::bigint[]),
    ('unclean.leader.election.enable', 'boolean', 'false', '{"unclean.leader.election.enable"}'::text[], '{NULL}'::bigint[])
$$;
