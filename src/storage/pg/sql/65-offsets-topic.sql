-- The internal topic __consumer_offsets, written from kpg's group tables as Kafka's group coordinator
-- writes it (README "The internal topic __consumer_offsets"). Triggers on kpg.group_offsets, kpg.groups and
-- kpg.topics append Kafka's own records, in the transaction that changes the tables, through
-- kpg.append_batches (so offsets, high watermarks, NOTIFY kpg_records and Fetch work as for any topic):
--
--   OffsetCommitKey (key version 1: group, topic, partition) with OffsetCommitValue v4 (offset, leader epoch,
--     metadata, commit timestamp; flexible), or v1 (with the expire timestamp of OffsetCommit v2-4); a null value
--     (tombstone) when the offset is deleted (OffsetDelete, expiry, DeleteGroups, the topic deleted).
--   GroupMetadataKey (key version 2: group) with GroupMetadataValue v3 (protocol type, generation,
--     protocol, leader, current state timestamp, members with their subscription and assignment) when a
--     group becomes Stable (its assignment synced) or Empty, and for a group created by JoinGroup
--     (protocol type "", generation 0, no members); a tombstone when the group is deleted.
--
-- Each record goes to partition abs(javaHashCode(group id)) % partition count, as Kafka places it. Nothing
-- is written while the topic does not exist (a gateway creates it on the first FindCoordinator for a group,
-- as Kafka does, with the current state of every group: kpg.offsets_topic_snapshot).

-- Java's String.hashCode of a client string as stored in the group tables (the escaped form of
-- kpg.client_string_bytes: `\\` is a backslash, `\xHH` NUL or a byte that was not UTF-8, `\uHHHH` a lone
-- surrogate). A byte that was not UTF-8 counts as U+FFFD, as Java's decoder reads it.
CREATE OR REPLACE FUNCTION kpg.java_string_hash(s text) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  h bigint := 0;
  chars text[] := regexp_split_to_array(s, '');
  i integer := 1;
  cp integer;
BEGIN
  WHILE i <= coalesce(array_length(chars, 1), 0) LOOP
    cp := ascii(chars[i]);
    IF cp = 92 AND chars[i + 1] = '\' THEN
      i := i + 1;
    ELSIF cp = 92 AND chars[i + 1] = 'x' AND array_to_string(chars[i + 2:i + 3], '') ~ '^[0-9a-f]{2}$' THEN
      cp := CASE WHEN array_to_string(chars[i + 2:i + 3], '') = '00' THEN 0 ELSE 65533 END;
      i := i + 3;
    ELSIF cp = 92 AND chars[i + 1] = 'u' AND array_to_string(chars[i + 2:i + 5], '') ~ '^[0-9a-f]{4}$' THEN
      cp := 65533;
      i := i + 5;
    END IF;
    -- Java hashes UTF-16 code units: a code point past U+FFFF counts as its two surrogates.
    IF cp > 65535 THEN
      h := (h * 31 + (55296 + ((cp - 65536) >> 10))) & 4294967295;
      h := (h * 31 + (56320 + ((cp - 65536) & 1023))) & 4294967295;
    ELSE
      h := (h * 31 + cp) & 4294967295;
    END IF;
    i := i + 1;
  END LOOP;
  RETURN (CASE WHEN h >= 2147483648 THEN h - 4294967296 ELSE h END)::integer;
END;
$$;

-- The partition of __consumer_offsets that holds a group's records (Kafka's Utils.abs: MIN_VALUE is 0).
CREATE OR REPLACE FUNCTION kpg.offsets_topic_partition(group_id text, partition_count integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE WHEN h = -2147483648 THEN 0 ELSE abs(h) END % partition_count
    FROM (SELECT kpg.java_string_hash(group_id) AS h) x
$$;

-- Kafka's non-flexible STRING (int16 length, UTF-8) and nullable STRING (-1 for null), BYTES (int32 length).
-- Text is a client string as the group tables store it (kpg.client_string_bytes gives the exact bytes the
-- client sent; topic names read as themselves).
CREATE OR REPLACE FUNCTION kpg.kafka_string(s bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN s IS NULL THEN int2send(-1::smallint) ELSE int2send(length(s)::smallint) || s END $$;
CREATE OR REPLACE FUNCTION kpg.kafka_string(s text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT kpg.kafka_string(kpg.client_string_bytes(s)) $$;
CREATE OR REPLACE FUNCTION kpg.kafka_bytes(b bytea) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT CASE WHEN b IS NULL THEN int4send(-1) ELSE int4send(length(b)) || b END $$;

CREATE OR REPLACE FUNCTION kpg.offset_commit_key(group_id text, topic text, "partition" integer) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT int2send(1::smallint) || kpg.kafka_string(group_id) || kpg.kafka_string(topic) || int4send("partition") $$;

-- An unsigned varint (flexible versions' lengths and counts).
CREATE OR REPLACE FUNCTION kpg.unsigned_varint(v bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  out bytea := '\x'::bytea;
BEGIN
  WHILE v >= 128 LOOP
    out := out || set_byte('\x00'::bytea, 0, ((v & 127) | 128)::integer);
    v := v >> 7;
  END LOOP;
  RETURN out || set_byte('\x00'::bytea, 0, v::integer);
END;
$$;

-- Version 4 (the first flexible one: compact string, empty tagged fields), or version 1 when the commit
-- carried an explicit expiry (OffsetCommit v2-4), as Kafka 4.1 writes it.
CREATE OR REPLACE FUNCTION kpg.offset_commit_value(committed_offset bigint, leader_epoch integer, metadata text,
                                                   commit_timestamp_ms bigint, expire_timestamp_ms bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN expire_timestamp_ms IS NOT NULL
    THEN int2send(1::smallint) || int8send(committed_offset) || kpg.kafka_string(coalesce(metadata, ''))
         || int8send(commit_timestamp_ms) || int8send(expire_timestamp_ms)
    ELSE int2send(4::smallint) || int8send(committed_offset) || int4send(coalesce(leader_epoch, -1))
         || kpg.unsigned_varint(length(kpg.client_string_bytes(coalesce(metadata, ''))) + 1) || kpg.client_string_bytes(coalesce(metadata, ''))
         || int8send(commit_timestamp_ms) || '\x00'::bytea
  END
$$;

CREATE OR REPLACE FUNCTION kpg.group_metadata_key(group_id text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT int2send(2::smallint) || kpg.kafka_string(group_id) $$;

-- GroupMetadataValue v3 of a group as its rows are now; members (with the subscription of the group's
-- protocol and their assignment) only when `with_members`.
CREATE OR REPLACE FUNCTION kpg.group_metadata_value(p_group_key bigint, with_members boolean) RETURNS bytea
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  g record;
  members bytea := '\x'::bytea;
  n integer := 0;
  m record;
BEGIN
  SELECT * INTO g FROM kpg.groups WHERE group_key = p_group_key;
  IF NOT FOUND THEN RETURN NULL; END IF;
  IF with_members THEN
    FOR m IN SELECT * FROM kpg.group_members WHERE group_key = p_group_key ORDER BY member_seq LOOP
      n := n + 1;
      members := members || kpg.kafka_string(m.member_id) || kpg.kafka_string(m.group_instance_id)
        || kpg.kafka_string(m.client_id) || kpg.kafka_string(m.client_host)
        || int4send(m.rebalance_timeout_ms) || int4send(m.session_timeout_ms)
        || kpg.kafka_bytes(coalesce(m.protocol_metadata[array_position(m.protocol_names, g.protocol_name)], '\x'::bytea))
        || kpg.kafka_bytes(coalesce(m.assignment, '\x'::bytea));
    END LOOP;
  END IF;
  RETURN int2send(3::smallint) || kpg.kafka_string(coalesce(g.protocol_type, ''))
    || int4send(g.generation_id)
    || kpg.kafka_string(CASE WHEN n > 0 THEN g.protocol_name END)
    || kpg.kafka_string(CASE WHEN n > 0 THEN g.leader_id END)
    || int8send(g.state_changed_ms)
    || int4send(n) || members;
END;
$$;

-- Appends records (keys, values: null for a tombstone) of the groups named to __consumer_offsets, one batch
-- per partition in argument order, stamped now (CreateTime). Does nothing while the topic does not exist.
CREATE OR REPLACE FUNCTION kpg.offsets_topic_append(group_ids text[], keys bytea[], vals bytea[]) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  t record;
  now_ms CONSTANT bigint := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  batches bytea[];
  parts integer[];
  counts integer[];
  a record;
BEGIN
  IF coalesce(cardinality(keys), 0) = 0 THEN RETURN; END IF;
  SELECT topic_id, partition_count INTO t FROM kpg.topics WHERE name = '__consumer_offsets';
  IF NOT FOUND THEN RETURN; END IF;
  SELECT array_agg(kpg.sql_batch(b.records, b.n, now_ms, now_ms, false) ORDER BY b.p),
         array_agg(b.p ORDER BY b.p), array_agg(b.n ORDER BY b.p)
    INTO batches, parts, counts
    FROM (
      SELECT r.p, count(*)::integer AS n,
             string_agg(kpg.varint(length(r.body)) || r.body, '\x'::bytea ORDER BY r.i) AS records
        FROM (
          SELECT u.i, kpg.offsets_topic_partition(u.g, t.partition_count) AS p,
                 -- attributes, timestamp delta 0, offset delta (position in its partition's batch), key, value, no headers
                 '\x0000'::bytea || kpg.varint((row_number() OVER (PARTITION BY kpg.offsets_topic_partition(u.g, t.partition_count) ORDER BY u.i) - 1))
                   || kpg.record_body(u.k, u.v, NULL) AS body
            FROM unnest(group_ids, keys, vals) WITH ORDINALITY AS u(g, k, v, i)
        ) r
       GROUP BY r.p
    ) b;
  FOR a IN
    SELECT * FROM kpg.append_batches(array_fill(t.topic_id, ARRAY[cardinality(parts)]), parts,
                                     (SELECT string_agg(x, '\x'::bytea ORDER BY k) FROM unnest(batches) WITH ORDINALITY AS u(x, k)),
                                     ARRAY(SELECT length(x) FROM unnest(batches) WITH ORDINALITY AS u(x, k) ORDER BY k),
                                     counts, array_fill(now_ms, ARRAY[cardinality(parts)]), array_fill(0, ARRAY[cardinality(parts)]),
                                     array_fill(-1::bigint, ARRAY[cardinality(parts)]), array_fill(-1::smallint, ARRAY[cardinality(parts)]),
                                     array_fill(-1, ARRAY[cardinality(parts)]), false)
  LOOP
    IF a.error_code <> 0 THEN
      RAISE EXCEPTION 'kpg: appending to partition % of __consumer_offsets failed with Kafka error %', parts[a.idx], a.error_code;
    END IF;
  END LOOP;
END;
$$;

-- Tombstones (null values) for the keys given, each of the group named beside it.
CREATE OR REPLACE FUNCTION kpg.offsets_topic_tombstones(group_ids text[], keys bytea[]) RETURNS void
LANGUAGE sql
AS $$ SELECT kpg.offsets_topic_append(group_ids, keys, array_fill(NULL::bytea, ARRAY[cardinality(keys)])) $$;

-- Committed offsets (inserted or updated): one OffsetCommit record each. (A group created by an offset
-- commit gets no group metadata record, as in Kafka 4.1.)
CREATE OR REPLACE FUNCTION kpg.offsets_topic_on_commit() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  g text[];
  k bytea[];
  v bytea[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM kpg.topics WHERE name = '__consumer_offsets') THEN RETURN NULL; END IF;
  SELECT coalesce(array_agg(x.group_id ORDER BY x.ord, x.topic, x.part), '{}'), coalesce(array_agg(x.k ORDER BY x.ord, x.topic, x.part), '{}'),
         coalesce(array_agg(x.v ORDER BY x.ord, x.topic, x.part), '{}')
    INTO g, k, v
    FROM (
      SELECT 1 AS ord, t.name AS topic, n.partition AS part, gr.group_id AS group_id,
             kpg.offset_commit_key(gr.group_id, t.name, n.partition) AS k,
             kpg.offset_commit_value(n.committed_offset, n.leader_epoch, n.metadata,
                                     n.commit_timestamp_ms, n.expire_timestamp_ms) AS v
        FROM new_offsets n
        JOIN kpg.groups gr ON gr.group_key = n.group_key
        JOIN kpg.topics t ON t.topic_id = n.topic_id
    ) x;
  PERFORM kpg.offsets_topic_append(g, k, v);
  RETURN NULL;
END;
$$;

-- Deleted offsets (OffsetDelete, expiry, a reset's deletion): tombstones. Offsets deleted with their group
-- or topic were written by the BEFORE DELETE triggers below (their names are gone by now).
CREATE OR REPLACE FUNCTION kpg.offsets_topic_on_offset_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  g text[];
  k bytea[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM kpg.topics WHERE name = '__consumer_offsets') THEN RETURN NULL; END IF;
  SELECT coalesce(array_agg(gr.group_id ORDER BY gr.group_key, t.name, o.partition), '{}'),
         coalesce(array_agg(kpg.offset_commit_key(gr.group_id, t.name, o.partition) ORDER BY gr.group_key, t.name, o.partition), '{}')
    INTO g, k
    FROM old_offsets o
    JOIN kpg.groups gr ON gr.group_key = o.group_key
    JOIN kpg.topics t ON t.topic_id = o.topic_id;
  PERFORM kpg.offsets_topic_tombstones(g, k);
  RETURN NULL;
END;
$$;

-- A group about to be deleted: tombstones for its offsets, then for its metadata.
CREATE OR REPLACE FUNCTION kpg.offsets_topic_on_group_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  gid CONSTANT text := OLD.group_id;
  k bytea[];
BEGIN
  IF NOT EXISTS (SELECT 1 FROM kpg.topics WHERE name = '__consumer_offsets') THEN RETURN OLD; END IF;
  SELECT coalesce(array_agg(kpg.offset_commit_key(gid, t.name, o.partition) ORDER BY t.name, o.partition), '{}')
    INTO k
    FROM kpg.group_offsets o JOIN kpg.topics t ON t.topic_id = o.topic_id
   WHERE o.group_key = OLD.group_key;
  k := k || kpg.group_metadata_key(gid);
  PERFORM kpg.offsets_topic_tombstones(array_fill(gid, ARRAY[cardinality(k)]), k);
  RETURN OLD;
END;
$$;

-- A topic about to be deleted: tombstones for every group's offsets of it.
CREATE OR REPLACE FUNCTION kpg.offsets_topic_on_topic_delete() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  g text[];
  k bytea[];
BEGIN
  IF OLD.name = '__consumer_offsets' OR NOT EXISTS (SELECT 1 FROM kpg.topics WHERE name = '__consumer_offsets') THEN RETURN OLD; END IF;
  -- The topic row first, then the partition of __consumer_offsets: an OffsetCommit for this topic (which
  -- holds a key share of the row, then appends) waits here instead of deadlocking with us.
  PERFORM 1 FROM kpg.topics WHERE topic_id = OLD.topic_id FOR UPDATE;
  SELECT coalesce(array_agg(gr.group_id ORDER BY gr.group_key, o.partition), '{}'),
         coalesce(array_agg(kpg.offset_commit_key(gr.group_id, OLD.name, o.partition) ORDER BY gr.group_key, o.partition), '{}')
    INTO g, k
    FROM kpg.group_offsets o JOIN kpg.groups gr ON gr.group_key = o.group_key
   WHERE o.topic_id = OLD.topic_id;
  PERFORM kpg.offsets_topic_tombstones(g, k);
  RETURN OLD;
END;
$$;

-- A group that changed state or generation: at commit (when its members' rows are final), group metadata
-- if it is now Stable (with members and assignments) or Empty (without members).
CREATE OR REPLACE FUNCTION kpg.offsets_topic_on_group_update() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  cur record;
  gid text;
BEGIN
  SELECT group_key, group_id, state INTO cur FROM kpg.groups WHERE group_key = NEW.group_key;
  IF NOT FOUND OR cur.state NOT IN ('Stable', 'Empty') THEN RETURN NULL; END IF;
  gid := cur.group_id;
  PERFORM kpg.offsets_topic_append(ARRAY[gid], ARRAY[kpg.group_metadata_key(gid)],
                                   ARRAY[kpg.group_metadata_value(cur.group_key, cur.state = 'Stable')]);
  RETURN NULL;
END;
$$;

-- A group created by a JoinGroup (not by an offset commit, which leaves offsets and no protocol type):
-- Kafka 4.1 writes its empty metadata (protocol type "", generation 0, no members) when it creates it.
CREATE OR REPLACE FUNCTION kpg.offsets_topic_on_group_insert() RETURNS trigger
LANGUAGE plpgsql
AS $$
DECLARE
  cur record;
  gid text;
BEGIN
  SELECT group_key, group_id, protocol_type, state INTO cur FROM kpg.groups WHERE group_key = NEW.group_key;
  IF NOT FOUND OR (coalesce(cur.protocol_type, '') = ''
                   AND EXISTS (SELECT 1 FROM kpg.group_offsets o WHERE o.group_key = NEW.group_key)) THEN
    RETURN NULL;
  END IF;
  gid := cur.group_id;
  PERFORM kpg.offsets_topic_append(ARRAY[gid], ARRAY[kpg.group_metadata_key(gid)],
    ARRAY[int2send(3::smallint) || kpg.kafka_string('') || int4send(0) || int2send(-1::smallint) || int2send(-1::smallint)
          || int8send(NEW.state_changed_ms) || int4send(0)]);
  RETURN NULL;
END;
$$;

-- Every group's metadata and committed offsets as records: what a freshly created __consumer_offsets holds.
CREATE OR REPLACE FUNCTION kpg.offsets_topic_snapshot() RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  g text[];
  k bytea[];
  v bytea[];
BEGIN
  SELECT coalesce(array_agg(x.gid ORDER BY x.group_key, x.ord, x.topic, x.partition), '{}'),
         coalesce(array_agg(x.k ORDER BY x.group_key, x.ord, x.topic, x.partition), '{}'),
         coalesce(array_agg(x.v ORDER BY x.group_key, x.ord, x.topic, x.partition), '{}')
    INTO g, k, v
    FROM (
      SELECT gr.group_key, 0 AS ord, ''::text AS topic, 0 AS partition, gr.group_id AS gid,
             kpg.group_metadata_key(gr.group_id) AS k,
             kpg.group_metadata_value(gr.group_key, gr.state = 'Stable') AS v
        FROM kpg.groups gr
       -- Simple groups (created by a commit, no protocol type) have no group metadata record in Kafka.
       WHERE gr.state IN ('Stable', 'Empty') AND coalesce(gr.protocol_type, '') <> ''
      UNION ALL
      SELECT gr.group_key, 1, t.name, o.partition, gr.group_id,
             kpg.offset_commit_key(gr.group_id, t.name, o.partition),
             kpg.offset_commit_value(o.committed_offset, o.leader_epoch, o.metadata,
                                     o.commit_timestamp_ms, o.expire_timestamp_ms)
        FROM kpg.group_offsets o
        JOIN kpg.groups gr ON gr.group_key = o.group_key
        JOIN kpg.topics t ON t.topic_id = o.topic_id
    ) x;
  PERFORM kpg.offsets_topic_append(g, k, v);
END;
$$;

-- CREATE OR REPLACE TRIGGER needs Postgres 14 and does not cover constraint triggers; this file runs in one
-- transaction, so dropping and creating leaves no moment without them.
DROP TRIGGER IF EXISTS offsets_topic_insert ON kpg.group_offsets;
CREATE TRIGGER offsets_topic_insert AFTER INSERT ON kpg.group_offsets
  REFERENCING NEW TABLE AS new_offsets FOR EACH STATEMENT EXECUTE FUNCTION kpg.offsets_topic_on_commit();
DROP TRIGGER IF EXISTS offsets_topic_update ON kpg.group_offsets;
CREATE TRIGGER offsets_topic_update AFTER UPDATE ON kpg.group_offsets
  REFERENCING NEW TABLE AS new_offsets FOR EACH STATEMENT EXECUTE FUNCTION kpg.offsets_topic_on_commit();
DROP TRIGGER IF EXISTS offsets_topic_delete ON kpg.group_offsets;
CREATE TRIGGER offsets_topic_delete AFTER DELETE ON kpg.group_offsets
  REFERENCING OLD TABLE AS old_offsets FOR EACH STATEMENT EXECUTE FUNCTION kpg.offsets_topic_on_offset_delete();
DROP TRIGGER IF EXISTS offsets_topic_group_delete ON kpg.groups;
CREATE TRIGGER offsets_topic_group_delete BEFORE DELETE ON kpg.groups
  FOR EACH ROW EXECUTE FUNCTION kpg.offsets_topic_on_group_delete();
DROP TRIGGER IF EXISTS offsets_topic_topic_delete ON kpg.topics;
CREATE TRIGGER offsets_topic_topic_delete BEFORE DELETE ON kpg.topics
  FOR EACH ROW EXECUTE FUNCTION kpg.offsets_topic_on_topic_delete();
DROP TRIGGER IF EXISTS offsets_topic_group_insert ON kpg.groups;
CREATE CONSTRAINT TRIGGER offsets_topic_group_insert AFTER INSERT ON kpg.groups
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW EXECUTE FUNCTION kpg.offsets_topic_on_group_insert();
DROP TRIGGER IF EXISTS offsets_topic_group_update ON kpg.groups;
CREATE CONSTRAINT TRIGGER offsets_topic_group_update AFTER UPDATE ON kpg.groups
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.state IS DISTINCT FROM OLD.state OR NEW.generation_id IS DISTINCT FROM OLD.generation_id)
  EXECUTE FUNCTION kpg.offsets_topic_on_group_update();
ALTER TABLE kpg.group_offsets ENABLE ALWAYS TRIGGER offsets_topic_insert;
ALTER TABLE kpg.group_offsets ENABLE ALWAYS TRIGGER offsets_topic_update;
ALTER TABLE kpg.group_offsets ENABLE ALWAYS TRIGGER offsets_topic_delete;
ALTER TABLE kpg.groups ENABLE ALWAYS TRIGGER offsets_topic_group_delete;
ALTER TABLE kpg.groups ENABLE ALWAYS TRIGGER offsets_topic_group_update;
ALTER TABLE kpg.groups ENABLE ALWAYS TRIGGER offsets_topic_group_insert;
ALTER TABLE kpg.topics ENABLE ALWAYS TRIGGER offsets_topic_topic_delete;

REVOKE EXECUTE ON FUNCTION
  kpg.offsets_topic_append(text[], bytea[], bytea[]),
  kpg.offsets_topic_snapshot(),
  kpg.offsets_topic_on_commit(),
  kpg.offsets_topic_on_offset_delete(),
  kpg.offsets_topic_on_group_delete(),
  kpg.offsets_topic_on_topic_delete(),
  kpg.offsets_topic_on_group_update(),
  kpg.offsets_topic_on_group_insert()
FROM PUBLIC;
