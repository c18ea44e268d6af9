-- Consumer groups and lag as views over the group tables (README "Watching consumers").

-- The partitions a consumer-protocol assignment (ConsumerProtocolAssignment v0-3, as the group leader
-- sends it in SyncGroup) gives a member: [{"topic": ..., "partitions": [...]}, ...]. NULL when the bytes
-- are empty or are not such an assignment (other protocol types carry their own formats).
CREATE OR REPLACE FUNCTION kpg.consumer_assignment(assignment bytea) RETURNS jsonb
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

-- The bytes a client sent for a string the group tables and views hold. Such strings (group, member,
-- instance and client ids, hosts, protocol names, commit metadata) are stored as text, escaped where
-- text cannot hold them (src/storage/pg/db-text.ts): `\\` is a backslash, `\xHH` a NUL or a byte that
-- was not UTF-8; everything else is the string's own UTF-8.
CREATE OR REPLACE FUNCTION kpg.client_string_bytes(s text) RETURNS bytea
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE
AS $$
DECLARE
  result bytea := '';
  pos integer := 1;
  i integer;
  next_char text;
BEGIN
  LOOP
    i := strpos(substr(s, pos), '\');
    IF i = 0 THEN RETURN result || convert_to(substr(s, pos), 'UTF8'); END IF;
    result := result || convert_to(substr(s, pos, i - 1), 'UTF8');
    pos := pos + i - 1;
    next_char := substr(s, pos + 1, 1);
    IF next_char = '\' THEN
      result := result || '\x5c'::bytea;
      pos := pos + 2;
    ELSIF next_char = 'x' AND substr(s, pos + 2, 2) ~ '^[0-9a-f]{2}$' THEN
      result := result || decode(substr(s, pos + 2, 2), 'hex');
      pos := pos + 4;
    ELSIF next_char = 'u' AND substr(s, pos + 2, 4) ~ '^[0-9a-f]{4}$' THEN
      -- A lone surrogate (never from the wire): the protocol encoder writes U+FFFD for it.
      result := result || '\xefbfbd'::bytea;
      pos := pos + 6;
    ELSE
      result := result || '\x5c'::bytea;
      pos := pos + 1;
    END IF;
  END LOOP;
END;
$$;

-- Consumer groups as kafka-consumer-groups --describe --state shows them.
CREATE OR REPLACE VIEW kpg.consumer_groups AS
SELECT g.group_id,
       g.state,
       g.protocol_type,
       g.protocol_name AS protocol,
       g.generation_id AS generation,
       g.leader_id,
       (SELECT count(*) FROM kpg.group_members m WHERE m.group_key = g.group_key) AS members,
       kpg.ms_to_timestamptz(g.state_changed_ms) AS state_changed_at
  FROM kpg.groups g;

-- Members of consumer groups and the partitions assigned to them (consumer protocol only).
CREATE OR REPLACE VIEW kpg.consumer_group_members AS
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

-- Committed offsets against the log end, per group, topic and partition, with the member consuming it now.
-- lag = log end offset - committed offset (the records the group has yet to commit past).
CREATE OR REPLACE VIEW kpg.consumer_lag AS
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
