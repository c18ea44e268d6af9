-- Privileges, applied last: what PUBLIC may not execute, and kpg.grant_streams for application roles.
-- REVOKE and GRANT are idempotent; CREATE OR REPLACE keeps the grants a function already has.

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
  kpg.prepare_sql_record_for(kpg.sql_topic_target, bytea, bytea, jsonb, integer, timestamptz),
  kpg.sql_topic_target(text),
  kpg.forget_sql_records_of_topic()
FROM PUBLIC;
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

-- Lets `grantee` read the streams (kpg.records and its functions, the group and lag views) and, when
-- `produce`, write to them with kpg.produce / kpg.produce_batch; nothing else. Run it as kpg's owner.
CREATE OR REPLACE FUNCTION kpg.grant_streams(grantee regrole, produce boolean DEFAULT true) RETURNS void
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
REVOKE EXECUTE ON FUNCTION kpg.grant_streams(regrole, boolean) FROM PUBLIC;
