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
    ('cleanup.policy', 'list', 'delete', ARRAY['log.cleanup.policy']::text[], ARRAY[NULL]::bigint[]),
    ('compression.gzip.level', 'int', '-1', ARRAY['compression.gzip.level']::text[], ARRAY[NULL]::bigint[]),
    ('compression.lz4.level', 'int', '9', ARRAY['compression.lz4.level']::text[], ARRAY[NULL]::bigint[]),
    ('compression.type', 'string', 'producer', ARRAY['compression.type']::text[], ARRAY[NULL]::bigint[]),
    ('compression.zstd.level', 'int', '3', ARRAY['compression.zstd.level']::text[], ARRAY[NULL]::bigint[]),
    ('delete.retention.ms', 'long', '86400000', ARRAY['log.cleaner.delete.retention.ms']::text[], ARRAY[NULL]::bigint[]),
    ('file.delete.delay.ms', 'long', '60000', ARRAY['log.segment.delete.delay.ms']::text[], ARRAY[NULL]::bigint[]),
    ('flush.messages', 'long', '9223372036854775807', ARRAY['log.flush.interval.messages']::text[], ARRAY[NULL]::bigint[]),
    ('flush.ms', 'long', '9223372036854775807', ARRAY['log.flush.interval.ms', 'log.flush.scheduler.interval.ms']::text[], ARRAY[NULL, NULL]::bigint[]),
    ('follower.replication.throttled.replicas', 'list', '', ARRAY[]::text[], ARRAY[]::bigint[]),
    ('index.interval.bytes', 'int', '4096', ARRAY['log.index.interval.bytes']::text[], ARRAY[NULL]::bigint[]),
    ('leader.replication.throttled.replicas', 'list', '', ARRAY[]::text[], ARRAY[]::bigint[]),
    ('local.retention.bytes', 'long', '-2', ARRAY['log.local.retention.bytes']::text[], ARRAY[NULL]::bigint[]),
    ('local.retention.ms', 'long', '-2', ARRAY['log.local.retention.ms']::text[], ARRAY[NULL]::bigint[]),
    ('max.compaction.lag.ms', 'long', '9223372036854775807', ARRAY['log.cleaner.max.compaction.lag.ms']::text[], ARRAY[NULL]::bigint[]),
    ('max.message.bytes', 'int', '1048588', ARRAY['message.max.bytes']::text[], ARRAY[NULL]::bigint[]),
    ('message.timestamp.after.max.ms', 'long', '3600000', ARRAY['log.message.timestamp.after.max.ms']::text[], ARRAY[NULL]::bigint[]),
    ('message.timestamp.before.max.ms', 'long', '9223372036854775807', ARRAY['log.message.timestamp.before.max.ms']::text[], ARRAY[NULL]::bigint[]),
    ('message.timestamp.type', 'string', 'CreateTime', ARRAY['log.message.timestamp.type']::text[], ARRAY[NULL]::bigint[]),
    ('min.cleanable.dirty.ratio', 'double', '0.5', ARRAY['log.cleaner.min.cleanable.ratio']::text[], ARRAY[NULL]::bigint[]),
    ('min.compaction.lag.ms', 'long', '0', ARRAY['log.cleaner.min.compaction.lag.ms']::text[], ARRAY[NULL]::bigint[]),
    ('min.insync.replicas', 'int', '1', ARRAY['min.insync.replicas']::text[], ARRAY[NULL]::bigint[]),
    ('preallocate', 'boolean', 'false', ARRAY['log.preallocate']::text[], ARRAY[NULL]::bigint[]),
    ('remote.log.copy.disable', 'boolean', 'false', ARRAY[]::text[], ARRAY[]::bigint[]),
    ('remote.log.delete.on.disable', 'boolean', 'false', ARRAY[]::text[], ARRAY[]::bigint[]),
    ('remote.storage.enable', 'boolean', 'false', ARRAY[]::text[], ARRAY[]::bigint[]),
    ('retention.bytes', 'long', '-1', ARRAY['log.retention.bytes']::text[], ARRAY[NULL]::bigint[]),
    ('retention.ms', 'long', '604800000', ARRAY['log.retention.ms', 'log.retention.minutes', 'log.retention.hours']::text[], ARRAY[NULL, 60000, 3600000]::bigint[]),
    ('segment.bytes', 'int', '1073741824', ARRAY['log.segment.bytes']::text[], ARRAY[NULL]::bigint[]),
    ('segment.index.bytes', 'int', '10485760', ARRAY['log.index.size.max.bytes']::text[], ARRAY[NULL]::bigint[]),
    ('segment.jitter.ms', 'long', '0', ARRAY['log.roll.jitter.ms', 'log.roll.jitter.hours']::text[], ARRAY[NULL, 3600000]::bigint[]),
    ('segment.ms', 'long', '604800000', ARRAY['log.roll.ms', 'log.roll.hours']::text[], ARRAY[NULL, 3600000]::bigint[]),
    ('unclean.leader.election.enable', 'boolean', 'false', ARRAY['unclean.leader.election.enable']::text[], ARRAY[NULL]::bigint[])
$$;
