-- Reading: every record as a row (kpg.records), and index-driven readers (kpg.tail, kpg.records_between,
-- kpg.records_since). README "Reading records" documents the interface; the comments here say why it is
-- built this way. Views are CREATE OR REPLACE: new columns may only be added at the end, and dropping one
-- would drop the functions returning SETOF kpg.records and the grants of application roles with it.

-- One record header as JSON: {"key": ..., "value": ...}. Keys and values are text when their bytes are
-- valid UTF-8 without NUL bytes (kpg.utf8_text); otherwise they are base64 and the object says so with
-- "key_encoding": "base64" / "value_encoding": "base64". A null header value is JSON null.
CREATE OR REPLACE FUNCTION kpg.header_json(key bytea, value bytea) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  key_text CONSTANT text := kpg.utf8_text(key);
  value_text CONSTANT text := kpg.utf8_text(value);
  result jsonb;
BEGIN
  result := jsonb_build_object(
    'key', coalesce(key_text, translate(encode(key, 'base64'), E'\n', '')),
    'value', CASE WHEN value IS NULL THEN NULL ELSE coalesce(value_text, translate(encode(value, 'base64'), E'\n', '')) END);
  IF key_text IS NULL THEN result := result || '{"key_encoding": "base64"}'; END IF;
  IF value IS NOT NULL AND value_text IS NULL THEN result := result || '{"value_encoding": "base64"}'; END IF;
  RETURN result;
END;
$$;

-- The bytes of the last header named `key` (Kafka's Headers.lastHeader), whichever way it is encoded in
-- `headers` (the headers column of kpg.records); NULL when there is none or its value is null.
CREATE OR REPLACE FUNCTION kpg.header_value(headers jsonb, key text) RETURNS bytea
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$
  SELECT CASE WHEN h ->> 'value_encoding' = 'base64' THEN decode(h ->> 'value', 'base64')
              ELSE convert_to(h ->> 'value', 'UTF8') END
    FROM jsonb_array_elements(CASE WHEN jsonb_typeof($1) = 'array' THEN $1 ELSE '[]' END) WITH ORDINALITY AS e(h, n)
   WHERE CASE WHEN h ->> 'key_encoding' = 'base64' THEN decode(h ->> 'key', 'base64') = convert_to($2, 'UTF8')
              ELSE h ->> 'key' = $2 END
   ORDER BY n DESC
   LIMIT 1
$$;

-- The records of one stored batch. Stored batches always hold their records uncompressed (the gateway
-- decompresses on produce), so this decodes the v2 records section only. Control batches hold no user
-- records. On LogAppendTime batches (attribute 0x08) every record's timestamp is the batch's maxTimestamp.
CREATE OR REPLACE FUNCTION kpg.batch_records(batch bytea)
RETURNS TABLE (offset_delta integer, timestamp_ms bigint, timestamp_type text, key bytea, value bytea, headers jsonb)
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE ROWS 20
AS $$
DECLARE
  -- A copy: a TOASTed argument would otherwise be fetched again by every get_byte.
  b CONSTANT bytea := batch || '\x'::bytea;
  size CONSTANT integer := length(b);
  attributes integer;
  log_append boolean;
  base_ts bigint;
  max_ts bigint;
  record_count integer;
  pos integer := 61;
  record_end integer;
  ts_delta bigint;
  header_count integer;
  header_key bytea;
  header_value bytea;
  v bigint;
  byte integer;
  shift integer;
BEGIN
  IF size < 61 OR get_byte(b, 16) <> 2 THEN
    RAISE EXCEPTION 'kpg.batch_records: not a v2 record batch' USING ERRCODE = 'data_corrupted';
  END IF;
  attributes := (get_byte(b, 21) << 8) | get_byte(b, 22);
  IF attributes & 32 <> 0 THEN
    RETURN;
  END IF;
  IF attributes & 7 <> 0 THEN
    RAISE EXCEPTION 'kpg.batch_records: compressed batch (codec %); stored batches are uncompressed', attributes & 7
      USING ERRCODE = 'data_corrupted';
  END IF;
  log_append := attributes & 8 <> 0;
  timestamp_type := CASE WHEN log_append THEN 'LogAppendTime' ELSE 'CreateTime' END;
  base_ts := ('x' || encode(substring(b FROM 28 FOR 8), 'hex'))::bit(64)::bigint;
  max_ts := ('x' || encode(substring(b FROM 36 FOR 8), 'hex'))::bit(64)::bigint;
  record_count := ('x' || encode(substring(b FROM 58 FOR 4), 'hex'))::bit(32)::integer;

  -- Each varint below is read inline (a function call per field would double the cost): bytes of 7 bits,
  -- least significant first, then zig-zag decoded.
  FOR i IN 1 .. record_count LOOP
    byte := get_byte(b, pos); v := byte & 127; shift := 0;
    WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
    pos := pos + 1; v := ((v >> 1) & 9223372036854775807) # -(v & 1);
    IF v < 0 OR pos + v > size THEN
      RAISE EXCEPTION 'kpg.batch_records: record % overruns the batch', i USING ERRCODE = 'data_corrupted';
    END IF;
    record_end := pos + v::integer;
    pos := pos + 1; -- record attributes, unused in v2

    byte := get_byte(b, pos); v := byte & 127; shift := 0;
    WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
    pos := pos + 1; ts_delta := ((v >> 1) & 9223372036854775807) # -(v & 1);

    byte := get_byte(b, pos); v := byte & 127; shift := 0;
    WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
    pos := pos + 1; offset_delta := (((v >> 1) & 9223372036854775807) # -(v & 1))::integer;

    byte := get_byte(b, pos); v := byte & 127; shift := 0;
    WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
    pos := pos + 1; v := ((v >> 1) & 9223372036854775807) # -(v & 1);
    IF v < 0 THEN key := NULL; ELSE key := substring(b FROM pos + 1 FOR v::integer); pos := pos + v::integer; END IF;

    byte := get_byte(b, pos); v := byte & 127; shift := 0;
    WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
    pos := pos + 1; v := ((v >> 1) & 9223372036854775807) # -(v & 1);
    IF v < 0 THEN value := NULL; ELSE value := substring(b FROM pos + 1 FOR v::integer); pos := pos + v::integer; END IF;

    byte := get_byte(b, pos); v := byte & 127; shift := 0;
    WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
    pos := pos + 1; header_count := (((v >> 1) & 9223372036854775807) # -(v & 1))::integer;

    headers := '[]';
    FOR h IN 1 .. header_count LOOP
      byte := get_byte(b, pos); v := byte & 127; shift := 0;
      WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
      pos := pos + 1; v := ((v >> 1) & 9223372036854775807) # -(v & 1);
      IF v < 0 THEN
        RAISE EXCEPTION 'kpg.batch_records: record % has a header with a null key', i USING ERRCODE = 'data_corrupted';
      END IF;
      header_key := substring(b FROM pos + 1 FOR v::integer); pos := pos + v::integer;

      byte := get_byte(b, pos); v := byte & 127; shift := 0;
      WHILE byte >= 128 LOOP pos := pos + 1; shift := shift + 7; byte := get_byte(b, pos); v := v | ((byte & 127)::bigint << shift); END LOOP;
      pos := pos + 1; v := ((v >> 1) & 9223372036854775807) # -(v & 1);
      IF v < 0 THEN header_value := NULL; ELSE header_value := substring(b FROM pos + 1 FOR v::integer); pos := pos + v::integer; END IF;

      headers := headers || kpg.header_json(header_key, header_value);
    END LOOP;

    IF pos <> record_end THEN
      RAISE EXCEPTION 'kpg.batch_records: record % length does not match its contents', i USING ERRCODE = 'data_corrupted';
    END IF;
    timestamp_ms := CASE WHEN log_append THEN max_ts ELSE base_ts + ts_delta END;
    RETURN NEXT;
  END LOOP;
END;
$$;

-- Every record still in the log (at or above its partition's log start offset), one row each.
--
-- A filter on topic (and partition) becomes an index condition on kpg.topics (and kpg.partitions), and the
-- batches are read per partition through record_batches' primary key, so other topics' data is never
-- touched. Filters on "offset" or "timestamp" are applied after decoding, because they cannot be pushed
-- through the decoder: on large topics use kpg.records_between, kpg.records_since and kpg.tail, which
-- choose batches by index first. (OFFSET 0 keeps the batch scan a per-partition index scan.)
CREATE OR REPLACE VIEW kpg.records AS
SELECT t.name AS topic,
       p.partition,
       b.base_offset + r.offset_delta AS "offset",
       kpg.ms_to_timestamptz(r.timestamp_ms) AS "timestamp",
       r.timestamp_type,
       r.key,
       r.value,
       r.headers,
       b.producer_id,
       CASE WHEN b.from_sql THEN 'sql' ELSE 'kafka' END AS source
  FROM kpg.topics t
  JOIN kpg.partitions p ON p.topic_id = t.topic_id
  CROSS JOIN LATERAL (
    SELECT rb.base_offset, rb.producer_id, rb.from_sql, rb.batch
      FROM kpg.record_batches rb
     WHERE rb.topic_id = p.topic_id AND rb.partition = p.partition AND rb.last_offset >= p.log_start_offset
     ORDER BY rb.last_offset
    OFFSET 0
  ) b
  CROSS JOIN LATERAL kpg.batch_records(b.batch) r
 WHERE b.base_offset + r.offset_delta >= p.log_start_offset
   AND kpg.topic_allowed(t.name, 'READ');

-- The records of one partition with offsets in [first_offset, last_offset]: the batches with last_offset in
-- that range, plus the one batch that straddles last_offset, both found by primary-key range. (The range
-- holds at most last - first + 1 batches; ordering and limiting the scan makes the planner walk the primary
-- key even where a topic's statistics look like those of a tiny one.)
CREATE OR REPLACE FUNCTION kpg.partition_records(topic text, topic_id uuid, "partition" integer, first_offset bigint, last_offset bigint)
RETURNS SETOF kpg.records
LANGUAGE sql STABLE
AS $$
  SELECT $1, $3, b.base_offset + r.offset_delta, kpg.ms_to_timestamptz(r.timestamp_ms), r.timestamp_type,
         r.key, r.value, r.headers, b.producer_id, CASE WHEN b.from_sql THEN 'sql' ELSE 'kafka' END
    FROM (
      SELECT * FROM (
        SELECT rb.base_offset, rb.last_offset, rb.producer_id, rb.from_sql, rb.batch
          FROM kpg.record_batches rb
         WHERE rb.topic_id = $2 AND rb.partition = $3 AND rb.last_offset >= $4 AND rb.last_offset <= $5
         ORDER BY rb.last_offset
         LIMIT greatest($5 - $4 + 1, 0)
      ) in_range
      UNION ALL
      SELECT * FROM (
        SELECT rb.base_offset, rb.last_offset, rb.producer_id, rb.from_sql, rb.batch
          FROM kpg.record_batches rb
         WHERE rb.topic_id = $2 AND rb.partition = $3 AND rb.last_offset > $5 AND rb.last_offset >= $4
         ORDER BY rb.last_offset
         LIMIT 1
      ) straddling
      WHERE straddling.base_offset <= $5
    ) b
    CROSS JOIN LATERAL kpg.batch_records(b.batch) r
   WHERE b.base_offset + r.offset_delta BETWEEN $4 AND $5
   ORDER BY b.last_offset, r.offset_delta
$$;

-- Records of `topic` with offsets from first_offset to last_offset inclusive, in every partition or one,
-- ordered by partition and offset.
CREATE OR REPLACE FUNCTION kpg.records_between(topic text, first_offset bigint, last_offset bigint, "partition" integer DEFAULT NULL)
RETURNS SETOF kpg.records
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.*
    FROM kpg.topics t
    JOIN kpg.partitions p ON p.topic_id = t.topic_id
    CROSS JOIN LATERAL kpg.partition_records(t.name, t.topic_id, p.partition, greatest($2, p.log_start_offset), $3) r
   WHERE t.name = $1 AND ($4 IS NULL OR p.partition = $4) AND kpg.topic_allowed(t.name, 'READ')
   ORDER BY p.partition
$$;

-- The last `count` records of each partition of `topic` (or of one partition), by partition and offset.
CREATE OR REPLACE FUNCTION kpg.tail(topic text, count integer DEFAULT 10, "partition" integer DEFAULT NULL)
RETURNS SETOF kpg.records
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.*
    FROM kpg.topics t
    JOIN kpg.partitions p ON p.topic_id = t.topic_id
    CROSS JOIN LATERAL kpg.partition_records(t.name, t.topic_id, p.partition,
                                             greatest(p.next_offset - $2, p.log_start_offset), p.next_offset - 1) r
   WHERE t.name = $1 AND ($3 IS NULL OR p.partition = $3) AND kpg.topic_allowed(t.name, 'READ')
   ORDER BY p.partition
$$;

-- Records of `topic` whose timestamp is at or after `since` (and before `until`, when given), by partition
-- and offset. Batches are chosen by record_batches' time index (each batch's running maximum timestamp):
-- every batch before the first one whose time index reaches `since` holds only older records. There is no
-- such bound for `until` (CreateTime timestamps need not grow), so the scan runs to the end of the log.
CREATE OR REPLACE FUNCTION kpg.records_since(topic text, since timestamptz, until timestamptz DEFAULT NULL, "partition" integer DEFAULT NULL)
RETURNS SETOF kpg.records
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT t.name, p.partition, b.base_offset + r.offset_delta, kpg.ms_to_timestamptz(r.timestamp_ms), r.timestamp_type,
         r.key, r.value, r.headers, b.producer_id, CASE WHEN b.from_sql THEN 'sql' ELSE 'kafka' END
    FROM kpg.topics t
    JOIN kpg.partitions p ON p.topic_id = t.topic_id
    CROSS JOIN LATERAL (
      SELECT rb.base_offset, rb.last_offset, rb.producer_id, rb.from_sql, rb.batch
        FROM kpg.record_batches rb
       WHERE rb.topic_id = p.topic_id AND rb.partition = p.partition
         AND rb.time_index >= kpg.timestamptz_to_ms($2) AND rb.last_offset >= p.log_start_offset
       ORDER BY rb.time_index
      OFFSET 0
    ) b
    CROSS JOIN LATERAL kpg.batch_records(b.batch) r
   WHERE t.name = $1 AND ($4 IS NULL OR p.partition = $4) AND kpg.topic_allowed(t.name, 'READ')
     AND b.base_offset + r.offset_delta >= p.log_start_offset
     AND r.timestamp_ms >= kpg.timestamptz_to_ms($2)
     AND ($3 IS NULL OR r.timestamp_ms < kpg.timestamptz_to_ms($3))
   ORDER BY p.partition, b.last_offset, r.offset_delta
$$;
