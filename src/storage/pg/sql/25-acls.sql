-- The SQL face of Kafka's ACLs: a Postgres session limited by the ACLs of its Kafka principal reads from
-- kpg.records (and kpg.records_between, kpg.records_since, kpg.tail) only the topics it may READ, and
-- kpg.produce / kpg.produce_batch refuse topics it may not WRITE. docs/sql-security.md explains it.
--
-- Who is limited: a session whose login role (session_user; SET ROLE does not change it, so a limited
-- login cannot step out of its limits) is a member of the role kpg_acl_limited, which a DBA creates once
-- (CREATE ROLE kpg_acl_limited NOLOGIN) and grants to application roles. Its principal is
-- User:<login role name>, its host the client address (a Unix-socket session matches only host "*").
-- Superusers and the owner of schema kpg are never limited. Without the role nothing changes.
--
-- The ACL rules are the authorizer's (src/security/acl-authorizer.ts): LITERAL names and "*", PREFIXED
-- names, User:* and host "*", DENY wins, READ/WRITE/DELETE/ALTER imply DESCRIBE, ALTER_CONFIGS implies
-- DESCRIBE_CONFIGS. super.users and allow.everyone.if.no.acl.found are gateway configs Postgres does not
-- see: here nobody is a super user (do not limit such roles) and a resource without ACLs is denied.
-- (This file sorts before 30-records.sql, whose view and functions call kpg.topic_allowed.)

-- Whether kpg.acls lets `principal` from `host` do `operation` on the resource. Codes are Kafka's
-- (src/protocol/acl.ts): resource TOPIC 2; operation ALL 2, READ 3, WRITE 4, DELETE 6, ALTER 7, DESCRIBE 8,
-- DESCRIBE_CONFIGS 10, ALTER_CONFIGS 11; pattern LITERAL 3, PREFIXED 4; permission DENY 2, ALLOW 3.
CREATE OR REPLACE FUNCTION kpg.acls_allow(principal text, host text, resource_type smallint, resource_name text, operation smallint)
RETURNS boolean
LANGUAGE sql STABLE
AS $$
  WITH applying AS (
    SELECT a.operation, a.permission_type
      FROM kpg.acls a
     WHERE a.resource_type = $3
       AND ((a.pattern_type = 3 AND a.resource_name IN ($4, '*')) OR (a.pattern_type = 4 AND starts_with($4, a.resource_name)))
       AND a.principal IN ($1, 'User:*')
       AND (a.host = '*' OR a.host = $2)
  )
  SELECT NOT EXISTS (SELECT 1 FROM applying WHERE permission_type = 2 AND operation IN ($5, 2))
     AND EXISTS (SELECT 1 FROM applying
                  WHERE permission_type = 3
                    AND (operation IN ($5, 2)
                         OR ($5 = 8 AND operation IN (3, 4, 6, 7))
                         OR ($5 = 10 AND operation = 11)))
$$;

-- Whether this session may do `operation` ('READ', 'WRITE', 'DESCRIBE', ...) on `topic`: always, unless
-- the session is limited by ACLs (above). It answers only about the caller's own principal.
CREATE OR REPLACE FUNCTION kpg.topic_allowed(topic text, operation text) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  limited_role oid := to_regrole('kpg_acl_limited');
  code smallint;
BEGIN
  IF limited_role IS NULL OR NOT pg_has_role(session_user, limited_role, 'MEMBER') THEN
    RETURN true;
  END IF;
  IF EXISTS (SELECT 1 FROM pg_roles r WHERE r.rolname = session_user AND r.rolsuper)
     OR session_user = (SELECT n.nspowner::regrole::text FROM pg_namespace n WHERE n.nspname = 'kpg') THEN
    RETURN true;
  END IF;
  code := CASE upper(replace($2, ' ', '_'))
            WHEN 'READ' THEN 3 WHEN 'WRITE' THEN 4 WHEN 'CREATE' THEN 5 WHEN 'DELETE' THEN 6 WHEN 'ALTER' THEN 7
            WHEN 'DESCRIBE' THEN 8 WHEN 'DESCRIBE_CONFIGS' THEN 10 WHEN 'ALTER_CONFIGS' THEN 11 END;
  IF code IS NULL THEN
    RAISE EXCEPTION 'kpg.topic_allowed: "%" is not a topic operation', $2 USING ERRCODE = 'invalid_parameter_value';
  END IF;
  RETURN kpg.acls_allow('User:' || session_user, host(inet_client_addr()), 2::smallint, $1, code);
END;
$$;

-- Refuses records queued by kpg.produce / kpg.produce_batch for a topic the session may not WRITE (one
-- check per topic and statement, on both queues: READ COMMITTED and REPEATABLE READ / SERIALIZABLE).
CREATE OR REPLACE FUNCTION kpg.check_sql_produce_acls() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  denied text;
BEGIN
  IF to_regrole('kpg_acl_limited') IS NULL THEN
    RETURN NULL; -- nobody is limited: no per-topic work
  END IF;
  SELECT t.name INTO denied
    FROM (SELECT DISTINCT topic_id FROM queued) q
    JOIN kpg.topics t ON t.topic_id = q.topic_id
   WHERE NOT kpg.topic_allowed(t.name, 'WRITE')
   ORDER BY t.name
   LIMIT 1;
  IF denied IS NOT NULL THEN
    RAISE EXCEPTION 'kpg.produce: User:% is not authorized to WRITE topic "%"', session_user, denied
      USING ERRCODE = 'insufficient_privilege',
            HINT = 'Kafka ACLs limit this role (it is a member of kpg_acl_limited): grant it WRITE on the topic, e.g. kpg acl add --allow-principal User:<role> --operation Write --topic <topic>.';
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE TRIGGER check_produce_acls AFTER INSERT ON kpg.sql_outbox
  REFERENCING NEW TABLE AS queued FOR EACH STATEMENT EXECUTE FUNCTION kpg.check_sql_produce_acls();
CREATE OR REPLACE TRIGGER check_produce_acls AFTER INSERT ON kpg.sql_outbox_relay
  REFERENCING NEW TABLE AS queued FOR EACH STATEMENT EXECUTE FUNCTION kpg.check_sql_produce_acls();

REVOKE EXECUTE ON FUNCTION kpg.acls_allow(text, text, smallint, text, smallint), kpg.check_sql_produce_acls() FROM PUBLIC;
