-- Effective topic configs as SQL sees them, resolved the way the gateway resolves them
-- (src/config/topic-config.ts, effectiveTopicConfig): the topic's own value (kpg.topic_configs), else the
-- first of its broker synonyms set in the cluster-wide dynamic defaults (kpg.broker_configs, broker_id -1,
-- what `kafka-configs --alter --entity-type brokers --entity-default` writes), converted to the topic
-- config's unit, else Kafka's default (kpg.topic_config_definitions, generated from the TypeScript table).
--
-- What SQL cannot see: a gateway's static values (`--broker-config` on its command line) and its
-- per-gateway dynamic values (`--entity-name <node id>`). They belong to one gateway, while kpg.produce
-- runs in the application's session with no gateway in it; set cluster-wide defaults dynamically when SQL
-- producers must honour them.

-- A config value in its canonical text, as Kafka's ConfigDef parses and prints it (and as
-- src/config/config-def.ts does: " 1000 " is "1000", "TRUE" is "true", "a , b" is "a,b"); NULL when it
-- does not parse as `type`.
CREATE OR REPLACE FUNCTION kpg.canonical_config_value(type text, raw text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE
AS $$
DECLARE
  trimmed CONSTANT text := btrim(raw, E' \t\n\r\f\x0b'); -- JavaScript's trim(), for ASCII
  n numeric;
  bits integer;
  d double precision;
BEGIN
  IF raw IS NULL THEN
    RETURN NULL;
  END IF;
  CASE type
    WHEN 'short', 'int', 'long' THEN
      IF trimmed !~ '^[+-]?[0-9]+$' THEN RETURN NULL; END IF;
      n := trimmed::numeric;
      bits := CASE type WHEN 'short' THEN 15 WHEN 'int' THEN 31 ELSE 63 END;
      IF n < -(2::numeric ^ bits) OR n >= 2::numeric ^ bits THEN RETURN NULL; END IF;
      RETURN trunc(n)::text;
    WHEN 'boolean' THEN
      RETURN CASE WHEN lower(trimmed) IN ('true', 'false') THEN lower(trimmed) END;
    WHEN 'list' THEN
      RETURN array_to_string(regexp_split_to_array(trimmed, '\s*,\s*'), ',');
    WHEN 'double' THEN
      IF trimmed !~ '^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?[fFdD]?$' THEN RETURN NULL; END IF;
      d := rtrim(trimmed, 'fFdD')::double precision;
      -- As config-def.ts prints it: whole numbers without a fraction; other numbers in [0.001, 10^7) as
      -- plain decimals. (Smaller and larger fractions, which Java prints in its E notation, show as
      -- Postgres prints them.)
      IF d = trunc(d) AND abs(d) < 1e15 THEN RETURN trunc(d)::bigint::text; END IF;
      RETURN d::text;
    WHEN 'password' THEN
      RETURN raw;
    ELSE
      RETURN trimmed;
  END CASE;
END;
$$;

-- The effective value of every topic config of one topic (or of those named in `names`), with the
-- source DescribeConfigs would report for it.
CREATE OR REPLACE FUNCTION kpg.effective_topic_configs(topic_id uuid, names text[] DEFAULT NULL)
RETURNS TABLE (name text, value text, source text)
LANGUAGE sql STABLE
AS $$
  -- Each table is read once (a few rows, usually none), whatever the number of configs asked for.
  WITH own AS MATERIALIZED (
         SELECT tc.name, tc.value FROM kpg.topic_configs tc WHERE tc.topic_id = $1 AND tc.value IS NOT NULL
       ),
       cluster_default AS MATERIALIZED (
         SELECT bc.name, bc.value FROM kpg.broker_configs bc WHERE bc.broker_id = -1 AND bc.value IS NOT NULL
       ),
       -- Per config, the first broker synonym (in the definition's order) set as a cluster-wide default.
       resolved AS (
         SELECT DISTINCT ON (d.name)
                d.name, d.type, d.default_value, own.value AS own, c.name AS synonym, c.value AS synonym_value,
                d.synonym_factors[array_position(d.broker_synonyms, c.name)] AS factor
           FROM kpg.topic_config_definitions() d
           LEFT JOIN own ON own.name = d.name
           LEFT JOIN cluster_default c ON c.name = ANY (d.broker_synonyms)
          WHERE $2 IS NULL OR d.name = ANY ($2)
          ORDER BY d.name, array_position(d.broker_synonyms, c.name)
       )
  SELECT r.name,
         CASE WHEN r.own IS NOT NULL THEN coalesce(kpg.canonical_config_value(r.type, r.own), r.default_value)
              WHEN r.synonym IS NOT NULL THEN
                -- A value that does not parse falls back to Kafka's default, as in the gateway.
                coalesce(CASE WHEN r.factor IS NULL THEN kpg.canonical_config_value(r.type, r.synonym_value)
                              ELSE (kpg.canonical_config_value('long', r.synonym_value)::numeric * r.factor)::text END,
                         r.default_value)
              ELSE r.default_value END,
         CASE WHEN r.own IS NOT NULL THEN 'TOPIC_CONFIG'
              WHEN r.synonym IS NOT NULL THEN 'DYNAMIC_DEFAULT_BROKER_CONFIG'
              ELSE 'DEFAULT_CONFIG' END
    FROM resolved r
$$;

-- The topic configs the SQL producer honours, typed. (PL/pgSQL so that its plan, with
-- kpg.effective_topic_configs inlined, is cached per session: kpg.produce calls it for every record.)
CREATE OR REPLACE FUNCTION kpg.sql_topic_settings(topic_id uuid, OUT max_message_bytes integer, OUT log_append_time boolean,
                                                  OUT timestamp_before_max_ms bigint, OUT timestamp_after_max_ms bigint)
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  SELECT (max(e.value) FILTER (WHERE e.name = 'max.message.bytes'))::integer,
         max(e.value) FILTER (WHERE e.name = 'message.timestamp.type') = 'LogAppendTime',
         (max(e.value) FILTER (WHERE e.name = 'message.timestamp.before.max.ms'))::bigint,
         (max(e.value) FILTER (WHERE e.name = 'message.timestamp.after.max.ms'))::bigint
    INTO max_message_bytes, log_append_time, timestamp_before_max_ms, timestamp_after_max_ms
    FROM kpg.effective_topic_configs($1, ARRAY['max.message.bytes', 'message.timestamp.type',
                                               'message.timestamp.before.max.ms', 'message.timestamp.after.max.ms']) e;
END;
$$;
