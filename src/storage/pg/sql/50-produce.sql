-- Producing from SQL (the transactional outbox): kpg.produce, kpg.produce_batch, kpg.produced_offset and
-- the commit trigger and relay behind them. The tables (kpg.sql_outbox, kpg.sql_outbox_relay,
-- kpg.sql_produced) and sequences are in migrations/0005_sql_streams.sql and src/storage/pg/schema.ts.
--
-- kpg.produce writes nothing to the log and takes no lock anyone else waits for. In a READ COMMITTED
-- transaction it queues the record in kpg.sql_outbox; the transaction's first queued record carries a
-- deferred constraint trigger event, which runs at COMMIT, builds one batch per partition (split at
-- max.message.bytes) and appends them with kpg.append_batches. The partition lock is therefore held only
-- while the commit completes, offsets follow commit order, a rollback leaves nothing behind, and no
-- gateway has to run. sql_outbox is UNLOGGED: its rows never outlive their transaction.
--
-- A REPEATABLE READ or SERIALIZABLE transaction cannot append at commit (locking the partition row that
-- others updated after its snapshot is a serialization failure), so there kpg.produce writes the record
-- to kpg.sql_outbox_relay, a logged table, and NOTIFY kpg_outbox wakes the gateways when it commits; one
-- of them appends it within milliseconds (kpg.relay_sql_records).
--
-- kpg.produce returns a record id; the offset exists only once the record is appended, and
-- kpg.produced_offset(record_id) finds it afterwards (kpg.sql_produced).

-- The part of a record kpg.produce can encode at once: key, value and headers, each length-prefixed.
-- Headers are a JSON array of {"key": text, "value": text or null} objects (the form kpg.records shows,
-- "key_encoding"/"value_encoding": "base64" included), or an object {"name": "value", ...} (one header per
-- member; object members have no order). Anything else is refused.
CREATE OR REPLACE FUNCTION kpg.record_body(key bytea, value bytea, headers jsonb) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE
AS $$
DECLARE
  out bytea := CASE WHEN key IS NULL THEN kpg.varint(-1) ELSE kpg.varint(length(key)) || key END
            || CASE WHEN value IS NULL THEN kpg.varint(-1) ELSE kpg.varint(length(value)) || value END;
  h jsonb;
  n integer := 0;
  encoded bytea := '\x'::bytea;
  header_key bytea;
  header_value bytea;
BEGIN
  IF headers IS NULL OR headers = 'null'::jsonb THEN
    RETURN out || kpg.varint(0);
  END IF;
  IF jsonb_typeof(headers) = 'object' THEN
    headers := (SELECT coalesce(jsonb_agg(jsonb_build_object('key', e.key, 'value', e.value)), '[]') FROM jsonb_each(headers) AS e);
  ELSIF jsonb_typeof(headers) <> 'array' THEN
    RAISE EXCEPTION 'kpg.produce: headers must be a JSON array of {"key": ..., "value": ...} objects or a JSON object, not %', jsonb_typeof(headers)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  FOR h IN SELECT e FROM jsonb_array_elements(headers) AS e LOOP
    n := n + 1;
    IF jsonb_typeof(h) <> 'object' OR jsonb_typeof(h -> 'key') IS DISTINCT FROM 'string' THEN
      RAISE EXCEPTION 'kpg.produce: header % must be an object with a string "key", not %', n, h::text
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF jsonb_typeof(h -> 'value') NOT IN ('string', 'null') THEN
      RAISE EXCEPTION 'kpg.produce: header % ("%") must have a string or null "value", not %', n, h ->> 'key', h -> 'value'
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    BEGIN
      header_key := CASE WHEN h ->> 'key_encoding' = 'base64' THEN decode(h ->> 'key', 'base64') ELSE convert_to(h ->> 'key', 'UTF8') END;
      header_value := CASE WHEN h ->> 'value_encoding' = 'base64' THEN decode(h ->> 'value', 'base64') ELSE convert_to(h ->> 'value', 'UTF8') END;
    EXCEPTION WHEN invalid_parameter_value THEN
      RAISE EXCEPTION 'kpg.produce: header % ("%") is marked base64 but is not valid base64', n, h ->> 'key'
        USING ERRCODE = 'invalid_parameter_value';
    END;
    encoded := encoded || kpg.varint(length(header_key)) || header_key
            || CASE WHEN header_value IS NULL THEN kpg.varint(-1) ELSE kpg.varint(length(header_value)) || header_value END;
  END LOOP;
  RETURN out || kpg.varint(n) || encoded;
END;
$$;

-- Records kpg.produce accepted, with everything but their offset: what the queues hold.
-- (CREATE TYPE has no OR REPLACE: a type is created when missing. To change one, drop it here first, with
-- the functions that use it, and let this file create them again.)
DO $$
BEGIN
  IF to_regtype('kpg.sql_record') IS NULL THEN
    CREATE TYPE kpg.sql_record AS (topic_id uuid, "partition" integer, timestamp_ms bigint, body bytea);
  END IF;
END;
$$;

-- A topic as the SQL producer needs it: its partitions and the configs it honours.
DO $$
BEGIN
  IF to_regtype('kpg.sql_topic_target') IS NULL THEN
    CREATE TYPE kpg.sql_topic_target AS (topic text, topic_id uuid, partition_count integer, max_message_bytes integer,
                                         log_append_time boolean, timestamp_before_max_ms bigint, timestamp_after_max_ms bigint);
  END IF;
END;
$$;

CREATE OR REPLACE FUNCTION kpg.sql_topic_target(topic text) RETURNS kpg.sql_topic_target
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  target kpg.sql_topic_target;
BEGIN
  SELECT $1, t.topic_id, t.partition_count, s.max_message_bytes, s.log_append_time, s.timestamp_before_max_ms, s.timestamp_after_max_ms
    INTO target
    FROM kpg.topics t CROSS JOIN LATERAL kpg.sql_topic_settings(t.topic_id) s
   WHERE t.name = $1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'kpg.produce: topic "%" does not exist', $1
      USING ERRCODE = 'undefined_object',
            HINT = 'kpg.produce never creates topics; create it with a Kafka admin client, e.g. kafka-topics.sh --create.';
  END IF;
  RETURN target;
END;
$$;

-- Validates one record for the topic `target` and returns it encoded, with its partition and timestamp
-- chosen. (kpg.produce_batch looks its topic up once for all its records.)
CREATE OR REPLACE FUNCTION kpg.prepare_sql_record_for(target kpg.sql_topic_target, key bytea, value bytea, headers jsonb,
                                                      "partition" integer, "timestamp" timestamptz)
RETURNS kpg.sql_record
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  result kpg.sql_record;
  now_ms bigint;
  batch_size bigint;
BEGIN
  result.topic_id := target.topic_id;

  IF $5 IS NOT NULL THEN
    IF $5 < 0 OR $5 >= target.partition_count THEN
      RAISE EXCEPTION 'kpg.produce: topic "%" has no partition % (it has % partitions, numbered from 0)', target.topic, $5, target.partition_count
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    result.partition := $5;
  ELSIF $2 IS NOT NULL THEN
    result.partition := kpg.default_partition($2, target.partition_count);
  ELSE
    result.partition := nextval('kpg.sql_keyless_partition') % target.partition_count;
  END IF;

  now_ms := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
  IF $6 IS NULL THEN
    result.timestamp_ms := now_ms;
  ELSE
    IF NOT isfinite($6) THEN
      RAISE EXCEPTION 'kpg.produce: timestamp % is not a point in time', $6 USING ERRCODE = 'invalid_parameter_value';
    END IF;
    result.timestamp_ms := floor(extract(epoch FROM $6) * 1000)::bigint;
    IF NOT target.log_append_time AND now_ms - result.timestamp_ms > target.timestamp_before_max_ms THEN
      RAISE EXCEPTION 'kpg.produce: timestamp % is more than message.timestamp.before.max.ms (% ms) in the past', $6, target.timestamp_before_max_ms
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT target.log_append_time AND result.timestamp_ms - now_ms > target.timestamp_after_max_ms THEN
      RAISE EXCEPTION 'kpg.produce: timestamp % is more than message.timestamp.after.max.ms (% ms) in the future', $6, target.timestamp_after_max_ms
        USING ERRCODE = 'invalid_parameter_value';
    END IF;
  END IF;

  result.body := kpg.record_body($2, $3, $4);
  -- The size of a batch holding only this record (record attributes and both deltas take one byte each
  -- there): Kafka's limit is per batch, and a record never shares a batch that would exceed it.
  batch_size := 61 + length(kpg.varint(3 + length(result.body))) + 3 + length(result.body);
  IF batch_size > target.max_message_bytes THEN
    RAISE EXCEPTION 'kpg.produce: the record is % bytes as a batch, more than max.message.bytes (%) of topic "%"',
      batch_size, target.max_message_bytes, target.topic
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  RETURN result;
END;
$$;

-- Validates one record for `topic` and returns it encoded, with its partition and timestamp chosen.
CREATE OR REPLACE FUNCTION kpg.prepare_sql_record(topic text, key bytea, value bytea, headers jsonb, "partition" integer, "timestamp" timestamptz)
RETURNS kpg.sql_record
LANGUAGE sql STABLE
AS $$ SELECT kpg.prepare_sql_record_for(kpg.sql_topic_target($1), $2, $3, $4, $5, $6) $$;

-- Queues a prepared record in the caller's transaction and returns its record id.
CREATE OR REPLACE FUNCTION kpg.enqueue_sql_record(prepared kpg.sql_record) RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  id bigint;
  first_of_transaction boolean;
BEGIN
  IF current_setting('transaction_isolation') = 'read committed' THEN
    -- A transaction-local setting remembers that this transaction's commit trigger is queued; a savepoint
    -- rolled back undoes it together with the rows, so the two always agree.
    first_of_transaction := current_setting('kpg.sql_outbox_xact', true) IS DISTINCT FROM pg_current_xact_id()::text;
    INSERT INTO kpg.sql_outbox (record_id, xact, topic_id, "partition", timestamp_ms, body, flush)
    VALUES (nextval('kpg.sql_record_ids'), pg_current_xact_id(), prepared.topic_id, prepared.partition,
            prepared.timestamp_ms, prepared.body, first_of_transaction)
    RETURNING record_id INTO id;
    IF first_of_transaction THEN
      PERFORM set_config('kpg.sql_outbox_xact', pg_current_xact_id()::text, true);
    END IF;
  ELSE
    INSERT INTO kpg.sql_outbox_relay (record_id, topic_id, "partition", timestamp_ms, body)
    VALUES (nextval('kpg.sql_record_ids'), prepared.topic_id, prepared.partition, prepared.timestamp_ms, prepared.body)
    RETURNING record_id INTO id;
    PERFORM pg_notify('kpg_outbox', '');
  END IF;
  RETURN id;
END;
$$;

-- The same for many records, in one statement; returns their record ids in order.
CREATE OR REPLACE FUNCTION kpg.enqueue_sql_records(prepared kpg.sql_record[]) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  ids bigint[];
  first_of_transaction boolean;
BEGIN
  IF cardinality(prepared) = 0 THEN
    RETURN '{}';
  END IF;
  ids := ARRAY(SELECT nextval('kpg.sql_record_ids') FROM generate_series(1, cardinality(prepared)));
  IF current_setting('transaction_isolation') = 'read committed' THEN
    first_of_transaction := current_setting('kpg.sql_outbox_xact', true) IS DISTINCT FROM pg_current_xact_id()::text;
    INSERT INTO kpg.sql_outbox (record_id, xact, topic_id, "partition", timestamp_ms, body, flush)
    SELECT u.id, pg_current_xact_id(), u.topic_id, u.partition, u.timestamp_ms, u.body, first_of_transaction AND u.n = 1
      FROM unnest(ids, prepared) WITH ORDINALITY AS u(id, topic_id, "partition", timestamp_ms, body, n);
    IF first_of_transaction THEN
      PERFORM set_config('kpg.sql_outbox_xact', pg_current_xact_id()::text, true);
    END IF;
  ELSE
    INSERT INTO kpg.sql_outbox_relay (record_id, topic_id, "partition", timestamp_ms, body)
    SELECT u.id, u.topic_id, u.partition, u.timestamp_ms, u.body
      FROM unnest(ids, prepared) AS u(id, topic_id, "partition", timestamp_ms, body);
    PERFORM pg_notify('kpg_outbox', '');
  END IF;
  RETURN ids;
END;
$$;

-- The record batch kpg's SQL producer stores: records uncompressed, no producer id, base offset 0 (set by
-- kpg.append_batches, outside the CRC), partition leader epoch -1, CRC-32C over attributes to the end.
CREATE OR REPLACE FUNCTION kpg.sql_batch(records bytea, record_count integer, base_timestamp bigint, max_timestamp bigint, log_append_time boolean)
RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  covered CONSTANT bytea := int2send(CASE WHEN log_append_time THEN 8 ELSE 0 END::smallint) -- attributes
    || int4send(record_count - 1)   -- last offset delta
    || int8send(base_timestamp) || int8send(max_timestamp)
    || int8send(-1::bigint)         -- producer id
    || int2send(-1::smallint)       -- producer epoch
    || int4send(-1)                 -- base sequence
    || int4send(record_count)
    || records;
  crc CONSTANT bigint := kpg.crc32c(covered);
BEGIN
  RETURN int8send(0::bigint)        -- base offset
    || int4send(9 + length(covered)) -- batch length: everything after this field
    || int4send(-1)                 -- partition leader epoch
    || '\x02'::bytea                -- magic
    || int4send((crc - CASE WHEN crc >= 2147483648 THEN 4294967296 ELSE 0 END)::integer)
    || covered;
END;
$$;

-- Appends queued SQL records, given as columns sorted by (topic_id, partition, record_id): one batch per
-- partition (more when max.message.bytes would be exceeded), all batches in one kpg.append_batches call (so
-- partitions are locked in order and concurrent callers cannot deadlock). Batches are built, CRC included,
-- before that call takes the partition locks. A partition that no longer exists fails the call, unless
-- skip_missing (the relay, whose records' transactions have already committed) drops its records with a
-- warning. Returns how many records were appended.
CREATE OR REPLACE FUNCTION kpg.append_sql_records(record_ids bigint[], topic_ids uuid[], partitions integer[], timestamps bigint[], bodies bytea[],
                                       skip_missing boolean)
RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  total CONSTANT integer := coalesce(cardinality(record_ids), 0);
  cur_topic uuid;
  cur_partition integer;
  found_partition boolean := false;
  log_start bigint;
  settings record;
  append_ms bigint;
  n integer := 0;
  size integer := 0;
  base_ts bigint;
  inner_bytes bytea;
  rec bytea;
  batch_no integer := 0;
  start_batch boolean;
  -- Per record, in order:
  rec_bytes bytea[] := '{}';
  rec_batch integer[] := '{}';
  rec_ts bigint[] := '{}';
  rec_id bigint[] := '{}';
  rec_delta integer[] := '{}';
  -- Per batch:
  b_topic uuid[] := '{}';
  b_partition integer[] := '{}';
  b_base_ts bigint[] := '{}';
  b_log_append boolean[] := '{}';
  b_append_ms bigint[] := '{}';
  batches bytea[];
  counts integer[];
  max_ts bigint[];
  max_deltas integer[];
  base_offsets bigint[];
  appended integer := 0;
  a record;
BEGIN
  FOR i IN 1 .. total LOOP
    IF topic_ids[i] IS DISTINCT FROM cur_topic OR partitions[i] IS DISTINCT FROM cur_partition THEN
      cur_topic := topic_ids[i];
      cur_partition := partitions[i];
      SELECT p.log_start_offset INTO log_start FROM kpg.partitions p WHERE p.topic_id = cur_topic AND p.partition = cur_partition;
      found_partition := FOUND;
      IF NOT found_partition THEN
        IF NOT skip_missing THEN
          RAISE EXCEPTION 'kpg.produce: partition % of topic % was deleted before the transaction committed', cur_partition, cur_topic
            USING ERRCODE = 'undefined_object';
        END IF;
        RAISE WARNING 'kpg: dropping records produced from SQL: partition % of topic % no longer exists', cur_partition, cur_topic;
      ELSE
        settings := kpg.sql_topic_settings(cur_topic);
        append_ms := floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint;
        IF log_start > 0 THEN
          -- Offsets of records below the log start are gone; so is the need to find them.
          DELETE FROM kpg.sql_produced s WHERE s.topic_id = cur_topic AND s.partition = cur_partition AND s.offset < log_start;
        END IF;
      END IF;
      start_batch := true;
    ELSE
      start_batch := false;
    END IF;
    CONTINUE WHEN NOT found_partition;

    IF NOT start_batch THEN
      inner_bytes := '\x00'::bytea || kpg.varint(timestamps[i] - base_ts) || kpg.varint(n) || bodies[i];
      rec := kpg.varint(length(inner_bytes)) || inner_bytes;
      start_batch := size + length(rec) > settings.max_message_bytes;
    END IF;
    IF start_batch THEN
      batch_no := batch_no + 1;
      n := 0;
      size := 61;
      base_ts := timestamps[i];
      inner_bytes := '\x000000'::bytea || bodies[i]; -- attributes, timestamp delta 0, offset delta 0
      rec := kpg.varint(length(inner_bytes)) || inner_bytes;
      b_topic := b_topic || cur_topic;
      b_partition := b_partition || cur_partition;
      b_base_ts := b_base_ts || base_ts;
      b_log_append := b_log_append || settings.log_append_time;
      b_append_ms := b_append_ms || append_ms;
    END IF;
    rec_bytes := rec_bytes || rec;
    rec_batch := rec_batch || batch_no;
    rec_ts := rec_ts || timestamps[i];
    rec_id := rec_id || record_ids[i];
    rec_delta := rec_delta || n;
    n := n + 1;
    size := size + length(rec);
  END LOOP;
  IF batch_no = 0 THEN
    RETURN 0;
  END IF;

  -- Each batch's records, and its largest timestamp with the offset delta of the first record carrying it
  -- (LogAppendTime: the append time and the last record, as Kafka stores them).
  SELECT array_agg(kpg.sql_batch(g.records, g.n, b_base_ts[g.no], CASE WHEN b_log_append[g.no] THEN b_append_ms[g.no] ELSE g.max_ts END, b_log_append[g.no]) ORDER BY g.no),
         array_agg(g.n ORDER BY g.no),
         array_agg(CASE WHEN b_log_append[g.no] THEN b_append_ms[g.no] ELSE g.max_ts END ORDER BY g.no),
         array_agg(CASE WHEN b_log_append[g.no] THEN g.n - 1 ELSE g.max_delta END ORDER BY g.no)
    INTO batches, counts, max_ts, max_deltas
    FROM (
      SELECT u.no, string_agg(u.rec, '\x'::bytea ORDER BY u.i) AS records, count(*)::integer AS n, max(u.ts) AS max_ts,
             (array_agg(u.delta ORDER BY u.ts DESC, u.i))[1] AS max_delta
        FROM unnest(rec_bytes, rec_batch, rec_ts, rec_delta) WITH ORDINALITY AS u(rec, no, ts, delta, i)
       GROUP BY u.no
    ) g;

  base_offsets := array_fill(NULL::bigint, ARRAY[batch_no]);
  FOR a IN
    SELECT * FROM kpg.append_batches(b_topic, b_partition, (SELECT string_agg(x, '\x'::bytea ORDER BY k) FROM unnest(batches) WITH ORDINALITY AS u(x, k)),
                                     ARRAY(SELECT length(x) FROM unnest(batches) WITH ORDINALITY AS u(x, k) ORDER BY k),
                                     counts, max_ts, max_deltas,
                                     array_fill(-1::bigint, ARRAY[batch_no]), array_fill(-1::smallint, ARRAY[batch_no]),
                                     array_fill(-1, ARRAY[batch_no]), true)
  LOOP
    IF a.error_code = 0 THEN
      base_offsets[a.idx] := a.base_offset;
      appended := appended + counts[a.idx];
    ELSIF a.error_code = 3 AND skip_missing THEN
      RAISE WARNING 'kpg: dropping % records produced from SQL: partition % of topic % no longer exists', counts[a.idx], b_partition[a.idx], b_topic[a.idx];
    ELSIF a.error_code = 3 THEN
      RAISE EXCEPTION 'kpg.produce: partition % of topic % was deleted before the transaction committed', b_partition[a.idx], b_topic[a.idx]
        USING ERRCODE = 'undefined_object';
    ELSE
      RAISE EXCEPTION 'kpg.produce: appending to partition % of topic % failed with Kafka error %', b_partition[a.idx], b_topic[a.idx], a.error_code;
    END IF;
  END LOOP;

  INSERT INTO kpg.sql_produced (record_id, topic_id, "partition", "offset")
  SELECT u.id, b_topic[u.no], b_partition[u.no], base_offsets[u.no] + u.delta
    FROM unnest(rec_id, rec_batch, rec_delta) AS u(id, no, delta)
   WHERE base_offsets[u.no] IS NOT NULL;
  RETURN appended;
END;
$$;

-- Runs at COMMIT (deferred), once per READ COMMITTED transaction that produced records.
CREATE OR REPLACE FUNCTION kpg.sql_outbox_at_commit() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ids bigint[];
  topic_ids uuid[];
  partitions integer[];
  timestamps bigint[];
  bodies bytea[];
BEGIN
  -- Records produced after this point (by deferred triggers that run later in this commit, or after SET
  -- CONSTRAINTS ALL IMMEDIATE) queue an event of their own.
  PERFORM set_config('kpg.sql_outbox_xact', '', true);
  WITH pending AS (
    DELETE FROM kpg.sql_outbox o WHERE o.xact = NEW.xact
    RETURNING o.record_id, o.topic_id, o.partition, o.timestamp_ms, o.body
  )
  SELECT array_agg(p.record_id ORDER BY p.topic_id, p.partition, p.record_id),
         array_agg(p.topic_id ORDER BY p.topic_id, p.partition, p.record_id),
         array_agg(p.partition ORDER BY p.topic_id, p.partition, p.record_id),
         array_agg(p.timestamp_ms ORDER BY p.topic_id, p.partition, p.record_id),
         array_agg(p.body ORDER BY p.topic_id, p.partition, p.record_id)
    INTO ids, topic_ids, partitions, timestamps, bodies
    FROM pending p;
  IF ids IS NOT NULL THEN
    PERFORM kpg.append_sql_records(ids, topic_ids, partitions, timestamps, bodies, false);
  END IF;
  RETURN NULL;
END;
$$;
-- Constraint triggers have no CREATE OR REPLACE; this file runs in one transaction, so the trigger is
-- never missing for anyone else.
DROP TRIGGER IF EXISTS append_at_commit ON kpg.sql_outbox;
CREATE CONSTRAINT TRIGGER append_at_commit
  AFTER INSERT ON kpg.sql_outbox
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.flush)
  EXECUTE FUNCTION kpg.sql_outbox_at_commit();
-- Fires whatever session_replication_role says: left unfired, committed records would never be appended.
ALTER TABLE kpg.sql_outbox ENABLE ALWAYS TRIGGER append_at_commit;

-- Appends records committed by REPEATABLE READ / SERIALIZABLE transactions, oldest record id first, up to
-- `max_records`; returns how many it appended (0: nothing left). Gateways call it when NOTIFY kpg_outbox
-- arrives; an advisory lock makes concurrent callers take turns.
CREATE OR REPLACE FUNCTION kpg.relay_sql_records(max_records integer DEFAULT 10000) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  ids bigint[];
  topic_ids uuid[];
  partitions integer[];
  timestamps bigint[];
  bodies bytea[];
BEGIN
  IF current_setting('transaction_isolation') <> 'read committed' THEN
    RAISE EXCEPTION 'kpg.relay_sql_records must run in a READ COMMITTED transaction';
  END IF;
  PERFORM pg_advisory_xact_lock(1802528544); -- 0x6b706720, "kpg" and 0x20: the SQL record relay
  WITH taken AS (
    DELETE FROM kpg.sql_outbox_relay o
     WHERE o.record_id IN (SELECT q.record_id FROM kpg.sql_outbox_relay q ORDER BY q.record_id LIMIT $1)
    RETURNING o.record_id, o.topic_id, o.partition, o.timestamp_ms, o.body
  )
  SELECT array_agg(t.record_id ORDER BY t.topic_id, t.partition, t.record_id),
         array_agg(t.topic_id ORDER BY t.topic_id, t.partition, t.record_id),
         array_agg(t.partition ORDER BY t.topic_id, t.partition, t.record_id),
         array_agg(t.timestamp_ms ORDER BY t.topic_id, t.partition, t.record_id),
         array_agg(t.body ORDER BY t.topic_id, t.partition, t.record_id)
    INTO ids, topic_ids, partitions, timestamps, bodies
    FROM taken t;
  IF ids IS NULL THEN
    RETURN 0;
  END IF;
  PERFORM kpg.append_sql_records(ids, topic_ids, partitions, timestamps, bodies, true);
  RETURN cardinality(ids);
END;
$$;

-- Where a record produced from SQL went, once its transaction has committed and it was appended; no row
-- before that, after a rollback, or once the record is below its partition's log start offset.
CREATE OR REPLACE FUNCTION kpg.produced_offset(record_id bigint)
RETURNS TABLE (topic text, "partition" integer, "offset" bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT t.name, s.partition, s.offset
    FROM kpg.sql_produced s
    JOIN kpg.topics t ON t.topic_id = s.topic_id
    JOIN kpg.partitions p ON p.topic_id = s.topic_id AND p.partition = s.partition
   WHERE s.record_id = $1 AND s.offset >= p.log_start_offset
$$;

-- A deleted topic takes its SQL bookkeeping with it.
CREATE OR REPLACE FUNCTION kpg.forget_sql_records_of_topic() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  DELETE FROM kpg.sql_produced WHERE topic_id = OLD.topic_id;
  DELETE FROM kpg.sql_outbox_relay WHERE topic_id = OLD.topic_id;
  RETURN NULL;
END;
$$;
CREATE OR REPLACE TRIGGER forget_sql_records AFTER DELETE ON kpg.topics
  FOR EACH ROW EXECUTE FUNCTION kpg.forget_sql_records_of_topic();

-- kpg.produce: one record into `topic`, in the caller's transaction; returns its record id (see
-- kpg.produced_offset). Overloads take the key as bytea or text and the value as bytea, text or jsonb
-- (text and jsonb are written as UTF-8). With no partition, keyed records go where Kafka's default
-- partitioner puts them and keyless ones round robin; with no timestamp, the record gets the current time.
CREATE OR REPLACE FUNCTION kpg.produce(topic text, key bytea, value bytea, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, $2, $3, $4, $5, $6)) $$;
CREATE OR REPLACE FUNCTION kpg.produce(topic text, key text, value text, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, convert_to($2, 'UTF8'), convert_to($3, 'UTF8'), $4, $5, $6)) $$;
CREATE OR REPLACE FUNCTION kpg.produce(topic text, key text, value jsonb, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, convert_to($2, 'UTF8'), convert_to($3::text, 'UTF8'), $4, $5, $6)) $$;
CREATE OR REPLACE FUNCTION kpg.produce(topic text, key text, value bytea, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, convert_to($2, 'UTF8'), $3, $4, $5, $6)) $$;
CREATE OR REPLACE FUNCTION kpg.produce(topic text, key bytea, value text, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, $2, convert_to($3, 'UTF8'), $4, $5, $6)) $$;
CREATE OR REPLACE FUNCTION kpg.produce(topic text, key bytea, value jsonb, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, $2, convert_to($3::text, 'UTF8'), $4, $5, $6)) $$;

-- A record for kpg.produce_batch.
DO $$
BEGIN
  IF to_regtype('kpg.new_record') IS NULL THEN
    CREATE TYPE kpg.new_record AS (key bytea, value bytea, headers jsonb, "partition" integer, "timestamp" timestamptz);
  END IF;
END;
$$;

-- Many records into `topic` in one call; returns their record ids in input order.
CREATE OR REPLACE FUNCTION kpg.produce_batch(topic text, records kpg.new_record[]) RETURNS bigint[]
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN cardinality($2) > 0 THEN kpg.enqueue_sql_records(ARRAY(
    SELECT kpg.prepare_sql_record_for(target, r.key, r.value, r.headers, r.partition, r."timestamp")
      FROM kpg.sql_topic_target($1) AS target
     CROSS JOIN unnest($2) WITH ORDINALITY AS r(key, value, headers, "partition", "timestamp", n)
     ORDER BY r.n)) ELSE '{}'::bigint[] END
$$;

-- The same from a JSON array of objects {"key", "value", "headers", "partition", "timestamp"}: a string key
-- or value is written as its UTF-8 text, any other JSON value (object, array, number, boolean) as its JSON
-- text, null as null; "timestamp" is milliseconds since the epoch or an ISO 8601 string.
CREATE OR REPLACE FUNCTION kpg.produce_batch(topic text, records jsonb) RETURNS bigint[]
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  converted kpg.new_record[];
BEGIN
  IF jsonb_typeof($2) <> 'array' THEN
    RAISE EXCEPTION 'kpg.produce_batch: records must be a JSON array of objects, not %', jsonb_typeof($2)
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  IF EXISTS (SELECT 1 FROM jsonb_array_elements($2) AS e WHERE jsonb_typeof(e) <> 'object') THEN
    RAISE EXCEPTION 'kpg.produce_batch: every record must be a JSON object {"key": ..., "value": ..., "headers": ...}'
      USING ERRCODE = 'invalid_parameter_value';
  END IF;
  converted := ARRAY(
    SELECT ROW(
      CASE jsonb_typeof(e -> 'key') WHEN 'string' THEN convert_to(e ->> 'key', 'UTF8') WHEN 'null' THEN NULL
           ELSE convert_to((e -> 'key')::text, 'UTF8') END,
      CASE jsonb_typeof(e -> 'value') WHEN 'string' THEN convert_to(e ->> 'value', 'UTF8') WHEN 'null' THEN NULL
           ELSE convert_to((e -> 'value')::text, 'UTF8') END,
      e -> 'headers',
      (e ->> 'partition')::integer,
      CASE jsonb_typeof(e -> 'timestamp') WHEN 'number' THEN kpg.ms_to_timestamptz((e ->> 'timestamp')::bigint)
           WHEN 'string' THEN (e ->> 'timestamp')::timestamptz END
    )::kpg.new_record
      FROM jsonb_array_elements($2) WITH ORDINALITY AS x(e, n)
     ORDER BY x.n);
  RETURN kpg.produce_batch($1, converted);
END;
$$;
