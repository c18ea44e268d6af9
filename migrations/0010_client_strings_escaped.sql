-- Strings clients send are bytes: they may hold NUL and bytes that are not UTF-8, which Postgres text
-- cannot store. From this version on, the columns that hold such strings store an escaped form
-- (src/storage/pg/db-text.ts): `\` doubled, NUL and non-UTF-8 bytes as `\xHH`. Every other string is
-- stored as before, so the only change to existing rows is doubling the backslashes they hold.
-- Answers to waiting JoinGroup/SyncGroup requests (kpg.group_replies) live for seconds and are left alone.
UPDATE kpg.groups SET
  group_id = replace(group_id, '\', '\\'),
  protocol_type = replace(protocol_type, '\', '\\'),
  protocol_name = replace(protocol_name, '\', '\\'),
  leader_id = replace(leader_id, '\', '\\'),
  pending_sync_member_ids = ARRAY(SELECT replace(x, '\', '\\') FROM unnest(pending_sync_member_ids) WITH ORDINALITY AS u(x, i) ORDER BY i),
  pending_member_ids = ARRAY(SELECT replace(x, '\', '\\') FROM unnest(pending_member_ids) WITH ORDINALITY AS u(x, i) ORDER BY i),
  subscribed_topics = CASE WHEN subscribed_topics IS NULL THEN NULL
    ELSE ARRAY(SELECT replace(x, '\', '\\') FROM unnest(subscribed_topics) WITH ORDINALITY AS u(x, i) ORDER BY i) END
WHERE strpos(concat_ws('', group_id, protocol_type, protocol_name, leader_id, array_to_string(pending_sync_member_ids, ''),
                       array_to_string(pending_member_ids, ''), array_to_string(subscribed_topics, '')), '\') > 0;
--> statement-breakpoint
UPDATE kpg.group_members SET
  member_id = replace(member_id, '\', '\\'),
  group_instance_id = replace(group_instance_id, '\', '\\'),
  client_id = replace(client_id, '\', '\\'),
  client_host = replace(client_host, '\', '\\'),
  protocol_type = replace(protocol_type, '\', '\\'),
  protocol_names = ARRAY(SELECT replace(x, '\', '\\') FROM unnest(protocol_names) WITH ORDINALITY AS u(x, i) ORDER BY i)
WHERE strpos(concat_ws('', member_id, group_instance_id, client_id, client_host, protocol_type, array_to_string(protocol_names, '')), '\') > 0;
--> statement-breakpoint
UPDATE kpg.group_offsets SET metadata = replace(metadata, '\', '\\') WHERE strpos(metadata, '\') > 0;
--> statement-breakpoint
UPDATE kpg.broker_configs SET name = replace(name, '\', '\\'), value = replace(value, '\', '\\')
WHERE strpos(concat_ws('', name, value), '\') > 0;
