-- The record codec's building blocks in SQL: timestamps, Kafka's zig-zag varints, CRC-32C, murmur2 (the
-- default partitioner's hash) and the UTF-8 rule of kpg.records. Plain SQL and PL/pgSQL only: no extensions.
-- Every file in this directory is applied, in name order and in one transaction, at every gateway start
-- whose source differs from what the database holds (src/storage/pg/migrate.ts); each must be idempotent.

-- Kafka timestamps are milliseconds since the epoch. Ones beyond timestamptz's range (a producer may send
-- any number) show as -infinity / infinity instead of failing the query.
CREATE OR REPLACE FUNCTION kpg.ms_to_timestamptz(ms bigint) RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN $1 < -210866803200000 THEN '-infinity'::timestamptz
              WHEN $1 >= 9224318016000000 THEN 'infinity'::timestamptz
              ELSE to_timestamp($1 / 1000.0) END
$$;
CREATE OR REPLACE FUNCTION kpg.timestamptz_to_ms(ts timestamptz) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE WHEN $1 = '-infinity' THEN -9223372036854775808
              WHEN $1 = 'infinity' THEN 9223372036854775807
              ELSE floor(extract(epoch FROM $1) * 1000)::bigint END
$$;

-- A zig-zag varint as Kafka's record format writes it (varint and varlong alike). Lengths and deltas are
-- nearly always small: those take an expression the planner inlines; the rest loops in PL/pgSQL.
CREATE OR REPLACE FUNCTION kpg.varint_long(v bigint) RETURNS bytea
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
CREATE OR REPLACE FUNCTION kpg.varint(v bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  SELECT CASE
    WHEN $1 BETWEEN -64 AND 63 THEN set_byte('\x00'::bytea, 0, (($1 << 1) # ($1 >> 63))::integer)
    WHEN $1 BETWEEN -8192 AND 8191 THEN
      set_byte(set_byte('\x0000'::bytea, 0, (((($1 << 1) # ($1 >> 63)) & 127) | 128)::integer), 1, ((($1 << 1) # ($1 >> 63)) >> 7)::integer)
    ELSE kpg.varint_long($1)
  END
$$;

-- CRC-32C (Castagnoli), as record batches carry it; Java consumers check it. Byte-wise with a lookup table:
-- about 7 MB/s in PL/pgSQL, and it runs before the partition lock is taken.
CREATE OR REPLACE FUNCTION kpg.crc32c(data bytea) RETURNS bigint
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

-- Kafka's murmur2 (seed 0x9747b28c), the hash of its default partitioner, returned as Java's signed int.
-- Values are kept as unsigned 32-bit numbers in bigint: a product of one with the multiplier stays below
-- 2^63, and masking gives Java's wrap-around.
CREATE OR REPLACE FUNCTION kpg.murmur2(data bytea) RETURNS integer
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

-- The partition Kafka's default partitioner (Java, librdkafka's murmur2_random, kafkajs) gives a keyed record.
CREATE OR REPLACE FUNCTION kpg.default_partition(key bytea, partition_count integer) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT (kpg.murmur2($1) & 2147483647) % $2 $$;

-- The bytes as text when they are valid UTF-8 without NUL bytes (Postgres text cannot hold NUL), else NULL.
-- On a database whose encoding is not UTF8, only pure ASCII counts, since other characters may not convert.
CREATE OR REPLACE FUNCTION kpg.utf8_text(data bytea) RETURNS text
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
