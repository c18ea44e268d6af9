-- Streams in SQL: every record as a row (kpg.records and index-driven readers), producing from inside an
-- application's transaction (kpg.produce), consumer lag and group views, and the grants for application
-- roles. Plain SQL and PL/pgSQL only: no extensions, nothing outside the kpg schema. README "Your streams
-- in SQL" documents the interface; the comments here say why it is built this way.

-------------------------------------------------------------------------------------------------------
-- Codec helpers
-------------------------------------------------------------------------------------------------------

-- Kafka timestamps are milliseconds since the epoch. Ones beyond timestamptz's range (a producer may send
-- any number) show as -infinity / infinity instead of failing the query.
CREATE FUNCTION kpg.ms_to_timestamptz(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN $1 < -210866803200000 THEN '-infinity'::timestamptz
              WHEN $1 >= 9224318016000000 THEN 'infinity'::timestamptz
              ELSE to_timestamp($1 / 1000.0) END
$$;
--> statement-breakpoint
CREATE FUNCTION kpg.timestamptz_to_ms(ts timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN $1 = '-infinity' THEN -9223372036854775808
              WHEN $1 = 'infinity' THEN 9223372036854775807
              ELSE floor(extract(epoch FROM $1) * 1000)::bigint END
$$;
--> statement-breakpoint

-- A zig-zag varint as Kafka's record format writes it (varint and varlong alike). Lengths and deltas are
-- nearly always small: those take an expression the planner inlines; the rest loops in PL/pgSQL.
CREATE FUNCTION kpg.varint_long(v bigint) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  z bigint := (v << 1) # (v >> 63);
  out bytea := '\x'::bytea;
BEGIN
  -- z is unsigned 64-bit; after the first step it is shifted logically, so the loop ends.
  WHILE z < 0 OR z >= 128 LOOP
    out := out || set_byte('\x00'::bytea, 0, ((z & 127) | 128)::integer);
    z := (z >> 7) & 144115188075855871;
  END LOOP;
  RETURN out || set_byte('\x00'::bytea, 0, z::integer);
END;
$$;
--> statement-breakpoint
CREATE FUNCTION kpg.varint(v bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN $1 BETWEEN -64 AND 63 THEN set_byte('\x00'::bytea, 0, (($1 << 1) # ($1 >> 63))::integer)
    WHEN $1 BETWEEN -8192 AND 8191 THEN
      set_byte(set_byte('\x0000'::bytea, 0, (((($1 << 1) # ($1 >> 63)) & 127) | 128)::integer), 1, ((($1 << 1) # ($1 >> 63)) >> 7)::integer)
    ELSE kpg.varint_long($1)
  END
$$;
--> statement-breakpoint

-- CRC-32C (Castagnoli), as record batches carry it; Java consumers check it. Byte-wise with a lookup table:
-- about 7 MB/s in PL/pgSQL, and it runs before the partition lock is taken.
CREATE FUNCTION kpg.crc32c(data bytea) RETURNS bigint
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  c bigint := 4294967295;
BEGIN
  -- The table is a constant of the loop's expression, so it is parsed once per session, not per call.
  FOR i IN 0 .. length(data) - 1 LOOP
    c := (c >> 8) # ('[0:255]={
    0, 4067132163, 3778769143, 324072436, 3348797215, 904991772, 648144872, 3570033899,
    2329499855, 2024987596, 1809983544, 2575936315, 1296289744, 3207089363, 2893594407, 1578318884,
    274646895, 3795141740, 4049975192, 51262619, 3619967088, 632279923, 922689671, 3298075524,
    2592579488, 1760304291, 2075979607, 2312596564, 1562183871, 2943781820, 3156637768, 1313733451,
    549293790, 3537243613, 3246849577, 871202090, 3878099393, 357341890, 102525238, 4101499445,
    2858735121, 1477399826, 1264559846, 3107202533, 1845379342, 2677391885, 2361733625, 2125378298,
    820201905, 3263744690, 3520608582, 598981189, 4151959214, 85089709, 373468761, 3827903834,
    3124367742, 1213305469, 1526817161, 2842354314, 2107672161, 2412447074, 2627466902, 1861252501,
    1098587580, 3004210879, 2688576843, 1378610760, 2262928035, 1955203488, 1742404180, 2511436119,
    3416409459, 969524848, 714683780, 3639785095, 205050476, 4266873199, 3976438427, 526918040,
    1361435347, 2739821008, 2954799652, 1114974503, 2529119692, 1691668175, 2005155131, 2247081528,
    3690758684, 697762079, 986182379, 3366744552, 476452099, 3993867776, 4250756596, 255256311,
    1640403810, 2477592673, 2164122517, 1922457750, 2791048317, 1412925310, 1197962378, 3037525897,
    3944729517, 427051182, 170179418, 4165941337, 746937522, 3740196785, 3451792453, 1070968646,
    1905808397, 2213795598, 2426610938, 1657317369, 3053634322, 1147748369, 1463399397, 2773627110,
    4215344322, 153784257, 444234805, 3893493558, 1021025245, 3467647198, 3722505002, 797665321,
    2197175160, 1889384571, 1674398607, 2443626636, 1164749927, 3070701412, 2757221520, 1446797203,
    137323447, 4198817972, 3910406976, 461344835, 3484808360, 1037989803, 781091935, 3705997148,
    2460548119, 1623424788, 1939049696, 2180517859, 1429367560, 2807687179, 3020495871, 1180866812,
    410100952, 3927582683, 4182430767, 186734380, 3756733383, 763408580, 1053836080, 3434856499,
    2722870694, 1344288421, 1131464017, 2971354706, 1708204729, 2545590714, 2229949006, 1988219213,
    680717673, 3673779818, 3383336350, 1002577565, 4010310262, 493091189, 238226049, 4233660802,
    2987750089, 1082061258, 1395524158, 2705686845, 1972364758, 2279892693, 2494862625, 1725896226,
    952904198, 3399985413, 3656866545, 731699698, 4283874585, 222117402, 510512622, 3959836397,
    3280807620, 837199303, 582374963, 3504198960, 68661723, 4135334616, 3844915500, 390545967,
    1230274059, 3141532936, 2825850620, 1510247935, 2395924756, 2091215383, 1878366691, 2644384480,
    3553878443, 565732008, 854102364, 3229815391, 340358836, 3861050807, 4117890627, 119113024,
    1493875044, 2875275879, 3090270611, 1247431312, 2660249211, 1828433272, 2141937292, 2378227087,
    3811616794, 291187481, 34330861, 4032846830, 615137029, 3603020806, 3314634738, 939183345,
    1776939221, 2609017814, 2295496738, 2058945313, 2926798794, 1545135305, 1330124605, 3173225534,
    4084100981, 17165430, 307568514, 3762199681, 888469610, 3332340585, 3587147933, 665062302,
    2042050490, 2346497209, 2559330125, 1793573966, 3190661285, 1279665062, 1595330642, 2910671697
    }'::bigint[])[(c # get_byte(data, i)) & 255];
  END LOOP;
  RETURN c # 4294967295;
END;
$$;
--> statement-breakpoint

-- Kafka's murmur2 (seed 0x9747b28c), the hash of its default partitioner, returned as Java's signed int.
-- Values are kept as unsigned 32-bit numbers in bigint: a product of one with the multiplier stays below
-- 2^63, and masking gives Java's wrap-around.
CREATE FUNCTION kpg.murmur2(data bytea) RETURNS integer
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  m CONSTANT bigint := 1540483477; -- 0x5bd1e995
  mask CONSTANT bigint := 4294967295;
  len CONSTANT integer := length(data);
  whole CONSTANT integer := len - len % 4;
  h bigint := 2538058380 # len; -- seed ^ length
  k bigint;
  i integer := 0;
BEGIN
  WHILE i < whole LOOP
    k := get_byte(data, i) | (get_byte(data, i + 1) << 8) | (get_byte(data, i + 2) << 16) | (get_byte(data, i + 3)::bigint << 24);
    k := (k * m) & mask;
    k := k # (k >> 24);
    k := (k * m) & mask;
    h := ((h * m) & mask) # k;
    i := i + 4;
  END LOOP;
  IF len % 4 = 3 THEN h := h # (get_byte(data, whole + 2) << 16); END IF;
  IF len % 4 >= 2 THEN h := h # (get_byte(data, whole + 1) << 8); END IF;
  IF len % 4 >= 1 THEN
    h := h # get_byte(data, whole);
    h := (h * m) & mask;
  END IF;
  h := h # (h >> 13);
  h := (h * m) & mask;
  h := h # (h >> 15);
  RETURN (h - CASE WHEN h >= 2147483648 THEN 4294967296 ELSE 0 END)::integer;
END;
$$;
--> statement-breakpoint

-- The partition Kafka's default partitioner (Java, librdkafka's murmur2_random, kafkajs) gives a keyed record.
CREATE FUNCTION kpg.default_partition(key bytea, partition_count integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (kpg.murmur2($1) & 2147483647) % $2 $$;
--> statement-breakpoint

-- The bytes as text when they are valid UTF-8 without NUL bytes (Postgres text cannot hold NUL), else NULL.
-- On a database whose encoding is not UTF8, only pure ASCII counts, since other characters may not convert.
CREATE FUNCTION kpg.utf8_text(data bytea) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  n CONSTANT integer := length(data);
  i integer := 0;
  c integer;
  need integer;
  lo integer;
  hi integer;
BEGIN
  -- 'escape' output has a backslash exactly when a byte is NUL, non-ASCII or a backslash.
  IF strpos(encode(data, 'escape'), '\') = 0 THEN
    RETURN convert_from(data, 'UTF8');
  END IF;
  WHILE i < n LOOP
    c := get_byte(data, i);
    IF c < 128 THEN
      IF c = 0 THEN RETURN NULL; END IF;
      i := i + 1;
      CONTINUE;
    END IF;
    IF current_setting('server_encoding') <> 'UTF8' THEN RETURN NULL; END IF;
    -- The well-formed sequences of RFC 3629 (no overlongs, surrogates or code points past U+10FFFF).
    IF c BETWEEN 194 AND 223 THEN need := 1; lo := 128; hi := 191;
    ELSIF c = 224 THEN need := 2; lo := 160; hi := 191;
    ELSIF c = 237 THEN need := 2; lo := 128; hi := 159;
    ELSIF c BETWEEN 225 AND 239 THEN need := 2; lo := 128; hi := 191;
    ELSIF c = 240 THEN need := 3; lo := 144; hi := 191;
    ELSIF c BETWEEN 241 AND 243 THEN need := 3; lo := 128; hi := 191;
    ELSIF c = 244 THEN need := 3; lo := 128; hi := 143;
    ELSE RETURN NULL;
    END IF;
    IF i + need >= n THEN RETURN NULL; END IF;
    c := get_byte(data, i + 1);
    IF c < lo OR c > hi THEN RETURN NULL; END IF;
    FOR j IN 2 .. need LOOP
      c := get_byte(data, i + j);
      IF c < 128 OR c > 191 THEN RETURN NULL; END IF;
    END LOOP;
    i := i + need + 1;
  END LOOP;
  RETURN convert_from(data, 'UTF8');
END;
$$;
--> statement-breakpoint
-------------------------------------------------------------------------------------------------------
-- Reading: every record as a row
-------------------------------------------------------------------------------------------------------

-- One record header as JSON: {"key": ..., "value": ...}. Keys and values are text when their bytes are
-- valid UTF-8 without NUL bytes (kpg.utf8_text); otherwise they are base64 and the object says so with
-- "key_encoding": "base64" / "value_encoding": "base64". A null header value is JSON null.
CREATE FUNCTION kpg.header_json(key bytea, value bytea) RETURNS jsonb
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
--> statement-breakpoint

-- The bytes of the last header named `key` (Kafka's Headers.lastHeader), whichever way it is encoded in
-- `headers` (the headers column of kpg.records); NULL when there is none or its value is null.
CREATE FUNCTION kpg.header_value(headers jsonb, key text) RETURNS bytea
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
--> statement-breakpoint

-- The records of one stored batch. Stored batches always hold their records uncompressed (the gateway
-- decompresses on produce), so this decodes the v2 records section only. Control batches hold no user
-- records. On LogAppendTime batches (attribute 0x08) every record's timestamp is the batch's maxTimestamp.
CREATE FUNCTION kpg.batch_records(batch bytea)
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
--> statement-breakpoint

-- Every record still in the log (at or above its partition's log start offset), one row each.
--
-- A filter on topic (and partition) becomes an index condition on kpg.topics (and kpg.partitions), and the
-- batches are read per partition through record_batches' primary key, so other topics' data is never
-- touched. Filters on "offset" or "timestamp" are applied after decoding, because they cannot be pushed
-- through the decoder: on large topics use kpg.records_between, kpg.records_since and kpg.tail, which
-- choose batches by index first. (OFFSET 0 keeps the batch scan a per-partition index scan.)
CREATE VIEW kpg.records AS
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
 WHERE b.base_offset + r.offset_delta >= p.log_start_offset;
--> statement-breakpoint

-- The records of one partition with offsets in [first_offset, last_offset]: the batches with last_offset in
-- that range, plus the one batch that straddles last_offset, both found by primary-key range. (The range
-- holds at most last - first + 1 batches; ordering and limiting the scan makes the planner walk the primary
-- key even where a topic's statistics look like those of a tiny one.)
CREATE FUNCTION kpg.partition_records(topic text, topic_id uuid, "partition" integer, first_offset bigint, last_offset bigint)
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
--> statement-breakpoint

-- Records of `topic` with offsets from first_offset to last_offset inclusive, in every partition or one,
-- ordered by partition and offset.
CREATE FUNCTION kpg.records_between(topic text, first_offset bigint, last_offset bigint, "partition" integer DEFAULT NULL)
RETURNS SETOF kpg.records
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.*
    FROM kpg.topics t
    JOIN kpg.partitions p ON p.topic_id = t.topic_id
    CROSS JOIN LATERAL kpg.partition_records(t.name, t.topic_id, p.partition, greatest($2, p.log_start_offset), $3) r
   WHERE t.name = $1 AND ($4 IS NULL OR p.partition = $4)
   ORDER BY p.partition
$$;
--> statement-breakpoint

-- The last `count` records of each partition of `topic` (or of one partition), by partition and offset.
CREATE FUNCTION kpg.tail(topic text, count integer DEFAULT 10, "partition" integer DEFAULT NULL)
RETURNS SETOF kpg.records
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT r.*
    FROM kpg.topics t
    JOIN kpg.partitions p ON p.topic_id = t.topic_id
    CROSS JOIN LATERAL kpg.partition_records(t.name, t.topic_id, p.partition,
                                             greatest(p.next_offset - $2, p.log_start_offset), p.next_offset - 1) r
   WHERE t.name = $1 AND ($3 IS NULL OR p.partition = $3)
   ORDER BY p.partition
$$;
--> statement-breakpoint

-- Records of `topic` whose timestamp is at or after `since` (and before `until`, when given), by partition
-- and offset. Batches are chosen by record_batches' time index (each batch's running maximum timestamp):
-- every batch before the first one whose time index reaches `since` holds only older records. There is no
-- such bound for `until` (CreateTime timestamps need not grow), so the scan runs to the end of the log.
CREATE FUNCTION kpg.records_since(topic text, since timestamptz, until timestamptz DEFAULT NULL, "partition" integer DEFAULT NULL)
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
   WHERE t.name = $1 AND ($4 IS NULL OR p.partition = $4)
     AND b.base_offset + r.offset_delta >= p.log_start_offset
     AND r.timestamp_ms >= kpg.timestamptz_to_ms($2)
     AND ($3 IS NULL OR r.timestamp_ms < kpg.timestamptz_to_ms($3))
   ORDER BY p.partition, b.last_offset, r.offset_delta
$$;
--> statement-breakpoint
-------------------------------------------------------------------------------------------------------
-- Producing from SQL (the transactional outbox)
-------------------------------------------------------------------------------------------------------
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

CREATE SEQUENCE kpg.sql_record_ids;
--> statement-breakpoint
-- Spreads keyless records over partitions, round robin, without a lock.
CREATE SEQUENCE kpg.sql_keyless_partition CYCLE;
--> statement-breakpoint

CREATE UNLOGGED TABLE kpg.sql_outbox (
  record_id bigint PRIMARY KEY,
  -- The producing transaction (top level).
  xact xid8 NOT NULL,
  topic_id uuid NOT NULL,
  "partition" integer NOT NULL,
  -- CreateTime; a LogAppendTime topic stamps the commit time instead.
  timestamp_ms bigint NOT NULL,
  -- The record from its key length on (key, value, headers); the length, attributes and timestamp and
  -- offset deltas are only known when the batch is built.
  body bytea NOT NULL,
  -- Set on the first row of a transaction: its trigger event appends all of them at commit.
  flush boolean NOT NULL
);
--> statement-breakpoint
CREATE INDEX sql_outbox_xact ON kpg.sql_outbox (xact, record_id);
--> statement-breakpoint
-- Written and deleted in one transaction: compressing the bodies would be wasted work.
ALTER TABLE kpg.sql_outbox ALTER COLUMN body SET STORAGE EXTERNAL;
--> statement-breakpoint

CREATE TABLE kpg.sql_outbox_relay (
  record_id bigint PRIMARY KEY,
  topic_id uuid NOT NULL,
  "partition" integer NOT NULL,
  timestamp_ms bigint NOT NULL,
  body bytea NOT NULL
);
--> statement-breakpoint

-- Where each SQL-produced record went (kpg.produced_offset). Rows below the log start offset are removed
-- by the next SQL append to that partition; a deleted topic's rows go with it (trigger below).
CREATE TABLE kpg.sql_produced (
  record_id bigint PRIMARY KEY,
  topic_id uuid NOT NULL,
  "partition" integer NOT NULL,
  "offset" bigint NOT NULL
);
--> statement-breakpoint
CREATE INDEX sql_produced_position ON kpg.sql_produced (topic_id, "partition", "offset");
--> statement-breakpoint

-- The topic configs the SQL producer honours: the topic's own value, else the cluster-wide dynamic broker
-- default of its broker synonym (kafka-configs --entity-default), else Kafka's default. A gateway's static
-- (command line) or per-broker values are not visible from SQL.
CREATE FUNCTION kpg.sql_topic_settings(topic_id uuid, OUT max_message_bytes integer, OUT log_append_time boolean,
                                       OUT timestamp_before_max_ms bigint, OUT timestamp_after_max_ms bigint)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  SELECT coalesce(max(c.value) FILTER (WHERE c.name = 'max.message.bytes'),
                  max(c.value) FILTER (WHERE c.name = 'message.max.bytes'), '1048588')::integer,
         coalesce(max(c.value) FILTER (WHERE c.name = 'message.timestamp.type'),
                  max(c.value) FILTER (WHERE c.name = 'log.message.timestamp.type'), 'CreateTime') = 'LogAppendTime',
         coalesce(max(c.value) FILTER (WHERE c.name = 'message.timestamp.before.max.ms'),
                  max(c.value) FILTER (WHERE c.name = 'log.message.timestamp.before.max.ms'), '9223372036854775807')::bigint,
         coalesce(max(c.value) FILTER (WHERE c.name = 'message.timestamp.after.max.ms'),
                  max(c.value) FILTER (WHERE c.name = 'log.message.timestamp.after.max.ms'), '3600000')::bigint
    INTO max_message_bytes, log_append_time, timestamp_before_max_ms, timestamp_after_max_ms
    FROM (
      SELECT tc.name, tc.value FROM kpg.topic_configs tc
       WHERE tc.topic_id = $1 AND tc.value IS NOT NULL
         AND tc.name IN ('max.message.bytes', 'message.timestamp.type', 'message.timestamp.before.max.ms', 'message.timestamp.after.max.ms')
      UNION ALL
      SELECT bc.name, bc.value FROM kpg.broker_configs bc
       WHERE bc.broker_id = -1 AND bc.value IS NOT NULL
         AND bc.name IN ('message.max.bytes', 'log.message.timestamp.type', 'log.message.timestamp.before.max.ms', 'log.message.timestamp.after.max.ms')
    ) c;
END;
$$;
--> statement-breakpoint

-- The part of a record kpg.produce can encode at once: key, value and headers, each length-prefixed.
-- Headers are a JSON array of {"key": text, "value": text or null} objects (the form kpg.records shows,
-- "key_encoding"/"value_encoding": "base64" included), or an object {"name": "value", ...} (one header per
-- member; object members have no order). Anything else is refused.
CREATE FUNCTION kpg.record_body(key bytea, value bytea, headers jsonb) RETURNS bytea
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
--> statement-breakpoint

-- Records kpg.produce accepted, with everything but their offset: what the queues hold.
CREATE TYPE kpg.sql_record AS (topic_id uuid, "partition" integer, timestamp_ms bigint, body bytea);
--> statement-breakpoint

-- Validates one record for `topic` and returns it encoded, with its partition and timestamp chosen.
CREATE FUNCTION kpg.prepare_sql_record(topic text, key bytea, value bytea, headers jsonb, "partition" integer, "timestamp" timestamptz)
RETURNS kpg.sql_record
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  target record;
  result kpg.sql_record;
  now_ms bigint;
  batch_size bigint;
BEGIN
  SELECT t.topic_id, t.partition_count, s.* INTO target
    FROM kpg.topics t CROSS JOIN LATERAL kpg.sql_topic_settings(t.topic_id) s
   WHERE t.name = $1;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'kpg.produce: topic "%" does not exist', $1
      USING ERRCODE = 'undefined_object',
            HINT = 'kpg.produce never creates topics; create it with a Kafka admin client, e.g. kafka-topics.sh --create.';
  END IF;
  result.topic_id := target.topic_id;

  IF $5 IS NOT NULL THEN
    IF $5 < 0 OR $5 >= target.partition_count THEN
      RAISE EXCEPTION 'kpg.produce: topic "%" has no partition % (it has % partitions, numbered from 0)', $1, $5, target.partition_count
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
      batch_size, target.max_message_bytes, $1
      USING ERRCODE = 'program_limit_exceeded';
  END IF;
  RETURN result;
END;
$$;
--> statement-breakpoint

-- Queues a prepared record in the caller's transaction and returns its record id.
CREATE FUNCTION kpg.enqueue_sql_record(prepared kpg.sql_record) RETURNS bigint
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
--> statement-breakpoint

-- The same for many records, in one statement; returns their record ids in order.
CREATE FUNCTION kpg.enqueue_sql_records(prepared kpg.sql_record[]) RETURNS bigint[]
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
--> statement-breakpoint

-- The record batch kpg's SQL producer stores: records uncompressed, no producer id, base offset 0 (set by
-- kpg.append_batches, outside the CRC), partition leader epoch -1, CRC-32C over attributes to the end.
CREATE FUNCTION kpg.sql_batch(records bytea, record_count integer, base_timestamp bigint, max_timestamp bigint, log_append_time boolean)
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
--> statement-breakpoint

-- Appends queued SQL records, given as columns sorted by (topic_id, partition, record_id): one batch per
-- partition (more when max.message.bytes would be exceeded), all batches in one kpg.append_batches call (so
-- partitions are locked in order and concurrent callers cannot deadlock). Batches are built, CRC included,
-- before that call takes the partition locks. A partition that no longer exists fails the call, unless
-- skip_missing (the relay, whose records' transactions have already committed) drops its records with a
-- warning. Returns how many records were appended.
CREATE FUNCTION kpg.append_sql_records(record_ids bigint[], topic_ids uuid[], partitions integer[], timestamps bigint[], bodies bytea[],
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
--> statement-breakpoint

-- Runs at COMMIT (deferred), once per READ COMMITTED transaction that produced records.
CREATE FUNCTION kpg.sql_outbox_at_commit() RETURNS trigger
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
--> statement-breakpoint
CREATE CONSTRAINT TRIGGER append_at_commit
  AFTER INSERT ON kpg.sql_outbox
  DEFERRABLE INITIALLY DEFERRED
  FOR EACH ROW WHEN (NEW.flush)
  EXECUTE FUNCTION kpg.sql_outbox_at_commit();
--> statement-breakpoint
-- Fires whatever session_replication_role says: left unfired, committed records would never be appended.
ALTER TABLE kpg.sql_outbox ENABLE ALWAYS TRIGGER append_at_commit;
--> statement-breakpoint

-- Appends records committed by REPEATABLE READ / SERIALIZABLE transactions, oldest record id first, up to
-- `max_records`; returns how many it appended (0: nothing left). Gateways call it when NOTIFY kpg_outbox
-- arrives; an advisory lock makes concurrent callers take turns.
CREATE FUNCTION kpg.relay_sql_records(max_records integer DEFAULT 10000) RETURNS integer
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
--> statement-breakpoint

-- Where a record produced from SQL went, once its transaction has committed and it was appended; no row
-- before that, after a rollback, or once the record is below its partition's log start offset.
CREATE FUNCTION kpg.produced_offset(record_id bigint)
RETURNS TABLE (topic text, "partition" integer, "offset" bigint)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT t.name, s.partition, s.offset
    FROM kpg.sql_produced s
    JOIN kpg.topics t ON t.topic_id = s.topic_id
    JOIN kpg.partitions p ON p.topic_id = s.topic_id AND p.partition = s.partition
   WHERE s.record_id = $1 AND s.offset >= p.log_start_offset
$$;
--> statement-breakpoint

-- A deleted topic takes its SQL bookkeeping with it.
CREATE FUNCTION kpg.forget_sql_records_of_topic() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  DELETE FROM kpg.sql_produced WHERE topic_id = OLD.topic_id;
  DELETE FROM kpg.sql_outbox_relay WHERE topic_id = OLD.topic_id;
  RETURN NULL;
END;
$$;
--> statement-breakpoint
CREATE TRIGGER forget_sql_records AFTER DELETE ON kpg.topics
  FOR EACH ROW EXECUTE FUNCTION kpg.forget_sql_records_of_topic();
--> statement-breakpoint

-- kpg.produce: one record into `topic`, in the caller's transaction; returns its record id (see
-- kpg.produced_offset). Overloads take the key as bytea or text and the value as bytea, text or jsonb
-- (text and jsonb are written as UTF-8). With no partition, keyed records go where Kafka's default
-- partitioner puts them and keyless ones round robin; with no timestamp, the record gets the current time.
CREATE FUNCTION kpg.produce(topic text, key bytea, value bytea, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, $2, $3, $4, $5, $6)) $$;
--> statement-breakpoint
CREATE FUNCTION kpg.produce(topic text, key text, value text, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, convert_to($2, 'UTF8'), convert_to($3, 'UTF8'), $4, $5, $6)) $$;
--> statement-breakpoint
CREATE FUNCTION kpg.produce(topic text, key text, value jsonb, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, convert_to($2, 'UTF8'), convert_to($3::text, 'UTF8'), $4, $5, $6)) $$;
--> statement-breakpoint
CREATE FUNCTION kpg.produce(topic text, key text, value bytea, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, convert_to($2, 'UTF8'), $3, $4, $5, $6)) $$;
--> statement-breakpoint
CREATE FUNCTION kpg.produce(topic text, key bytea, value text, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, $2, convert_to($3, 'UTF8'), $4, $5, $6)) $$;
--> statement-breakpoint
CREATE FUNCTION kpg.produce(topic text, key bytea, value jsonb, headers jsonb DEFAULT NULL, "partition" integer DEFAULT NULL, "timestamp" timestamptz DEFAULT NULL)
RETURNS bigint
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$ SELECT kpg.enqueue_sql_record(kpg.prepare_sql_record($1, $2, convert_to($3::text, 'UTF8'), $4, $5, $6)) $$;
--> statement-breakpoint

-- A record for kpg.produce_batch.
CREATE TYPE kpg.new_record AS (key bytea, value bytea, headers jsonb, "partition" integer, "timestamp" timestamptz);
--> statement-breakpoint

-- Many records into `topic` in one call; returns their record ids in input order.
CREATE FUNCTION kpg.produce_batch(topic text, records kpg.new_record[]) RETURNS bigint[]
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT CASE WHEN cardinality($2) > 0 THEN kpg.enqueue_sql_records(ARRAY(
    SELECT kpg.prepare_sql_record($1, r.key, r.value, r.headers, r.partition, r."timestamp")
      FROM unnest($2) WITH ORDINALITY AS r(key, value, headers, "partition", "timestamp", n)
     ORDER BY r.n)) ELSE '{}'::bigint[] END
$$;
--> statement-breakpoint

-- The same from a JSON array of objects {"key", "value", "headers", "partition", "timestamp"}: a string key
-- or value is written as its UTF-8 text, any other JSON value (object, array, number, boolean) as its JSON
-- text, null as null; "timestamp" is milliseconds since the epoch or an ISO 8601 string.
CREATE FUNCTION kpg.produce_batch(topic text, records jsonb) RETURNS bigint[]
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
--> statement-breakpoint
-------------------------------------------------------------------------------------------------------
-- Consumer groups and lag
-------------------------------------------------------------------------------------------------------

-- The partitions a consumer-protocol assignment (ConsumerProtocolAssignment v0-3, as the group leader
-- sends it in SyncGroup) gives a member: [{"topic": ..., "partitions": [...]}, ...]. NULL when the bytes
-- are empty or are not such an assignment (other protocol types carry their own formats).
CREATE FUNCTION kpg.consumer_assignment(assignment bytea) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  n CONSTANT integer := length(assignment);
  pos integer := 2; -- after the int16 version
  topic_count integer;
  name_length integer;
  topic_name text;
  partition_count integer;
  parts integer[];
  result jsonb := '[]';
BEGIN
  IF n < 6 THEN RETURN NULL; END IF;
  topic_count := ('x' || encode(substring(assignment FROM pos + 1 FOR 4), 'hex'))::bit(32)::integer;
  pos := pos + 4;
  IF topic_count < 0 OR topic_count > n THEN RETURN NULL; END IF;
  FOR i IN 1 .. topic_count LOOP
    IF pos + 2 > n THEN RETURN NULL; END IF;
    name_length := (get_byte(assignment, pos) << 8) | get_byte(assignment, pos + 1);
    pos := pos + 2;
    IF pos + name_length + 4 > n THEN RETURN NULL; END IF;
    topic_name := kpg.utf8_text(substring(assignment FROM pos + 1 FOR name_length));
    IF topic_name IS NULL THEN RETURN NULL; END IF;
    pos := pos + name_length;
    partition_count := ('x' || encode(substring(assignment FROM pos + 1 FOR 4), 'hex'))::bit(32)::integer;
    pos := pos + 4;
    IF partition_count < 0 OR pos + 4 * partition_count > n THEN RETURN NULL; END IF;
    parts := ARRAY(SELECT ('x' || encode(substring(assignment FROM pos + 1 + 4 * k FOR 4), 'hex'))::bit(32)::integer
                     FROM generate_series(0, partition_count - 1) AS k ORDER BY k);
    pos := pos + 4 * partition_count;
    result := result || jsonb_build_object('topic', topic_name, 'partitions', to_jsonb(parts));
  END LOOP;
  RETURN result;
END;
$$;
--> statement-breakpoint

-- Consumer groups as kafka-consumer-groups --describe --state shows them.
CREATE VIEW kpg.consumer_groups AS
SELECT g.group_id,
       g.state,
       g.protocol_type,
       g.protocol_name AS protocol,
       g.generation_id AS generation,
       g.leader_id,
       (SELECT count(*) FROM kpg.group_members m WHERE m.group_key = g.group_key) AS members,
       kpg.ms_to_timestamptz(g.state_changed_ms) AS state_changed_at
  FROM kpg.groups g;
--> statement-breakpoint

-- Members of consumer groups and the partitions assigned to them (consumer protocol only).
CREATE VIEW kpg.consumer_group_members AS
SELECT g.group_id,
       m.member_id,
       m.group_instance_id,
       m.client_id,
       m.client_host,
       m.member_id = g.leader_id AS is_leader,
       m.session_timeout_ms,
       m.rebalance_timeout_ms,
       CASE WHEN m.protocol_type = 'consumer' THEN kpg.consumer_assignment(m.assignment) END AS assignment
  FROM kpg.group_members m
  JOIN kpg.groups g ON g.group_key = m.group_key;
--> statement-breakpoint

-- Committed offsets against the log end, per group, topic and partition, with the member consuming it now.
-- lag = log end offset - committed offset (the records the group has yet to commit past).
CREATE VIEW kpg.consumer_lag AS
SELECT g.group_id,
       t.name AS topic,
       o.partition,
       o.committed_offset,
       p.next_offset AS log_end_offset,
       greatest(p.next_offset - o.committed_offset, 0) AS lag,
       kpg.ms_to_timestamptz(o.commit_timestamp_ms) AS committed_at,
       owner.member_id,
       owner.client_id,
       owner.client_host
  FROM kpg.group_offsets o
  JOIN kpg.groups g ON g.group_key = o.group_key
  JOIN kpg.topics t ON t.topic_id = o.topic_id
  JOIN kpg.partitions p ON p.topic_id = o.topic_id AND p.partition = o.partition
  LEFT JOIN LATERAL (
    SELECT m.member_id, m.client_id, m.client_host
      FROM kpg.group_members m
      CROSS JOIN LATERAL jsonb_array_elements(kpg.consumer_assignment(m.assignment)) AS a
     WHERE m.group_key = o.group_key AND m.protocol_type = 'consumer'
       AND a ->> 'topic' = t.name AND a -> 'partitions' @> to_jsonb(o.partition)
     LIMIT 1
  ) owner ON true;
--> statement-breakpoint

-------------------------------------------------------------------------------------------------------
-- Privileges
-------------------------------------------------------------------------------------------------------

-- New functions are executable by PUBLIC; the ones that run with kpg's rights, and the internals that
-- write, are not. (The pure codec helpers stay public: the views call them on the reader's behalf.)
REVOKE EXECUTE ON FUNCTION
  kpg.produce(text, bytea, bytea, jsonb, integer, timestamptz),
  kpg.produce(text, text, text, jsonb, integer, timestamptz),
  kpg.produce(text, text, jsonb, jsonb, integer, timestamptz),
  kpg.produce(text, text, bytea, jsonb, integer, timestamptz),
  kpg.produce(text, bytea, text, jsonb, integer, timestamptz),
  kpg.produce(text, bytea, jsonb, jsonb, integer, timestamptz),
  kpg.produce_batch(text, kpg.new_record[]),
  kpg.produce_batch(text, jsonb),
  kpg.produced_offset(bigint),
  kpg.records_between(text, bigint, bigint, integer),
  kpg.records_since(text, timestamptz, timestamptz, integer),
  kpg.tail(text, integer, integer),
  kpg.relay_sql_records(integer),
  kpg.sql_outbox_at_commit(),
  kpg.append_sql_records(bigint[], uuid[], integer[], bigint[], bytea[], boolean),
  kpg.enqueue_sql_record(kpg.sql_record),
  kpg.enqueue_sql_records(kpg.sql_record[]),
  kpg.sql_topic_settings(uuid),
  kpg.prepare_sql_record(text, bytea, bytea, jsonb, integer, timestamptz),
  kpg.forget_sql_records_of_topic()
FROM PUBLIC;
--> statement-breakpoint
-- kpg.append_batches writes as its caller; only kpg itself has reason to call it (every overload).
DO $$
DECLARE
  f regprocedure;
BEGIN
  FOR f IN SELECT p.oid::regprocedure FROM pg_proc p WHERE p.pronamespace = 'kpg'::regnamespace AND p.proname = 'append_batches' LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION %s FROM PUBLIC', f);
  END LOOP;
END;
$$;
--> statement-breakpoint

-- Lets `grantee` read the streams (kpg.records and its functions, the group and lag views) and, when
-- `produce`, write to them with kpg.produce / kpg.produce_batch; nothing else. Run it as kpg's owner.
CREATE FUNCTION kpg.grant_streams(grantee regrole, produce boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA kpg TO %s', grantee);
  EXECUTE format('GRANT SELECT ON kpg.records, kpg.consumer_lag, kpg.consumer_groups, kpg.consumer_group_members TO %s', grantee);
  EXECUTE format('GRANT EXECUTE ON FUNCTION kpg.records_between(text, bigint, bigint, integer), '
                 'kpg.records_since(text, timestamptz, timestamptz, integer), kpg.tail(text, integer, integer) TO %s', grantee);
  IF produce THEN
    EXECUTE format('GRANT EXECUTE ON FUNCTION '
                   'kpg.produce(text, bytea, bytea, jsonb, integer, timestamptz), kpg.produce(text, text, text, jsonb, integer, timestamptz), '
                   'kpg.produce(text, text, jsonb, jsonb, integer, timestamptz), kpg.produce(text, text, bytea, jsonb, integer, timestamptz), '
                   'kpg.produce(text, bytea, text, jsonb, integer, timestamptz), kpg.produce(text, bytea, jsonb, jsonb, integer, timestamptz), '
                   'kpg.produce_batch(text, kpg.new_record[]), kpg.produce_batch(text, jsonb), kpg.produced_offset(bigint) TO %s', grantee);
  END IF;
END;
$$;
--> statement-breakpoint
REVOKE EXECUTE ON FUNCTION kpg.grant_streams(regrole, boolean) FROM PUBLIC;
