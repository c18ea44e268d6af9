/**
 * Least privilege: the gateway runs as a plain owner role that may create its one schema, and an
 * application role granted with kpg.grant_streams reads the streams and calls kpg.produce, and nothing more.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { TestDatabase } from '../support/database.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { consumeAll, sqlSession, text, urlAs } from './support.js';
import { createTopic as createTopicIn } from '../support/gateway.js';

const suffix = randomBytes(4).toString('hex');
const OWNER = `kpg_owner_${suffix}`;
const APP = `kpg_app_${suffix}`;
const READER = `kpg_reader_${suffix}`;
const DATABASE = `kpg_roles_${suffix}`;
const PASSWORD = randomBytes(12).toString('hex');

let admin: pg.Client; // superuser, on the test database
let kpg: TestGateway | undefined;
let databaseUrl: string;

function onDatabase(serverUrl: string, name: string): string {
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

async function denied(client: pg.Client, sql: string): Promise<string> {
  try {
    await client.query(sql);
  } catch (err) {
    return (err as { code: string }).code;
  }
  throw new Error(`expected "${sql}" to be refused`);
}

beforeAll(async () => {
  const serverUrl = inject('postgresUrl');
  const server = await sqlSession(serverUrl);
  try {
    // What a DBA runs once: an owner role with no special attributes, a database nobody else may use.
    await server.query(`CREATE ROLE ${OWNER} LOGIN PASSWORD '${PASSWORD}' NOSUPERUSER NOCREATEDB NOCREATEROLE`);
    await server.query(`CREATE ROLE ${APP} LOGIN PASSWORD '${PASSWORD}'`);
    await server.query(`CREATE ROLE ${READER} LOGIN PASSWORD '${PASSWORD}'`);
    await server.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await server.end();
  }
  databaseUrl = onDatabase(serverUrl, DATABASE);
  admin = await sqlSession(databaseUrl);
  await admin.query(`REVOKE ALL ON DATABASE ${DATABASE} FROM PUBLIC`);
  await admin.query('REVOKE CREATE ON SCHEMA public FROM PUBLIC');
  await admin.query(`GRANT CONNECT, CREATE ON DATABASE ${DATABASE} TO ${OWNER}`);
  await admin.query(`GRANT CONNECT ON DATABASE ${DATABASE} TO ${APP}, ${READER}`);
  await admin.query(`CREATE SCHEMA shop AUTHORIZATION ${APP}`);

  const database: TestDatabase = { url: urlAs(databaseUrl, OWNER, PASSWORD), name: DATABASE, drop: async () => undefined };
  kpg = await startTestGateway({ database });
  const owner = await sqlSession(urlAs(databaseUrl, OWNER, PASSWORD));
  try {
    await owner.query(`SELECT kpg.grant_streams('${APP}')`);
    await owner.query(`SELECT kpg.grant_streams('${READER}', produce => false)`);
  } finally {
    await owner.end();
  }
  await createTopicIn(kpg.gateway, 'payments', 2);
});

afterAll(async () => {
  await kpg?.stop();
  await admin?.end();
  const server = await sqlSession(inject('postgresUrl'));
  try {
    await server.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`);
    for (const role of [APP, READER, OWNER]) await server.query(`DROP ROLE IF EXISTS ${role}`);
  } finally {
    await server.end();
  }
});

describe('the kpg owner role', () => {
  it('is an ordinary role, and everything it created is in the kpg schema', async () => {
    const { rows: role } = await admin.query('SELECT rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls FROM pg_roles WHERE rolname = $1', [OWNER]);
    expect(role).toEqual([{ rolsuper: false, rolcreatedb: false, rolcreaterole: false, rolreplication: false, rolbypassrls: false }]);
    const { rows: owned } = await admin.query(
      `SELECT DISTINCT n.nspname FROM (
         SELECT relnamespace AS ns FROM pg_class WHERE relowner = $1::regrole
         UNION ALL SELECT pronamespace FROM pg_proc WHERE proowner = $1::regrole
         UNION ALL SELECT typnamespace FROM pg_type WHERE typowner = $1::regrole
         UNION ALL SELECT oid FROM pg_namespace WHERE nspowner = $1::regrole
       ) o JOIN pg_namespace n ON n.oid = o.ns
       WHERE n.nspname <> 'pg_toast'`,
      [OWNER],
    );
    expect(owned).toEqual([{ nspname: 'kpg' }]);
    const { rows: extensions } = await admin.query(`SELECT extname FROM pg_extension WHERE extname <> 'plpgsql'`);
    expect(extensions).toEqual([]);
  });

  it('serves Kafka clients', async () => {
    const producer = kafkaClient(kpg!.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic: 'payments', messages: [{ key: 'p-0', value: '{"id": 0, "via": "kafka"}', partition: 0 }] });
    await producer.disconnect();
    expect((await consumeAll(kpg!.bootstrap, 'payments', 0)).records.map((r) => text(r.value))).toEqual(['{"id": 0, "via": "kafka"}']);
  });
});

describe('an application role granted with kpg.grant_streams', () => {
  let app: pg.Client;
  let reader: pg.Client;

  beforeAll(async () => {
    app = await sqlSession(urlAs(databaseUrl, APP, PASSWORD));
    reader = await sqlSession(urlAs(databaseUrl, READER, PASSWORD));
    await app.query('CREATE TABLE shop.payments (id integer PRIMARY KEY, amount numeric NOT NULL)');
  });

  afterAll(async () => {
    await app?.end();
    await reader?.end();
  });

  it('produces from its own transactions and reads the streams', async () => {
    await app.query('BEGIN');
    await app.query('INSERT INTO shop.payments VALUES (1, 9.99)');
    const { rows } = await app.query<{ id: bigint }>(
      `SELECT kpg.produce('payments', 'p-1', jsonb_build_object('id', 1, 'amount', 9.99), NULL, 0) AS id`,
    );
    await app.query('COMMIT');
    await app.query(`SELECT kpg.produce_batch('payments', '[{"key": "p-2", "value": {"id": 2, "amount": 5}, "partition": 0}]'::jsonb)`);

    const consumed = await consumeAll(kpg!.bootstrap, 'payments', 0);
    expect(consumed.records.map((r) => text(r.value))).toEqual(['{"id": 0, "via": "kafka"}', '{"id": 1, "amount": 9.99}', '{"id": 2, "amount": 5}']);
    expect((await app.query('SELECT * FROM kpg.produced_offset($1)', [rows[0]!.id])).rows).toEqual([{ topic: 'payments', partition: 0, offset: 1n }]);

    for (const client of [app, reader]) {
      const view = await client.query(`SELECT "offset", source FROM kpg.records WHERE topic = 'payments' ORDER BY "offset"`);
      expect(view.rows).toEqual([{ offset: 0n, source: 'kafka' }, { offset: 1n, source: 'sql' }, { offset: 2n, source: 'sql' }]);
      expect((await client.query(`SELECT count(*)::int AS n FROM kpg.tail('payments', 10)`)).rows[0].n).toBe(3);
      expect((await client.query(`SELECT count(*)::int AS n FROM kpg.records_between('payments', 1, 2)`)).rows[0].n).toBe(2);
      expect((await client.query(`SELECT count(*)::int AS n FROM kpg.records_since('payments', now() - interval '1 hour')`)).rows[0].n).toBe(3);
      for (const view of ['kpg.consumer_lag', 'kpg.consumer_groups', 'kpg.consumer_group_members']) {
        await client.query(`SELECT * FROM ${view}`);
      }
    }
    // A join of the stream with the application's own table.
    const joined = await app.query(
      `SELECT p.id, r."offset" FROM shop.payments p
         JOIN kpg.records r ON r.topic = 'payments' AND (convert_from(r.value, 'UTF8')::jsonb ->> 'id')::int = p.id`,
    );
    expect(joined.rows).toEqual([{ id: 1, offset: 1n }]);
  });

  it('cannot read, change or drop kpg\'s tables, nor call its internals', async () => {
    const statements = [
      'SELECT * FROM kpg.record_batches',
      'SELECT * FROM kpg.sql_outbox',
      "INSERT INTO kpg.topics (topic_id, name, partition_count) VALUES (gen_random_uuid(), 'x', 1)",
      'UPDATE kpg.partitions SET next_offset = 0',
      'DELETE FROM kpg.sql_outbox_relay',
      'TRUNCATE kpg.record_batches',
      'ALTER TABLE kpg.topics ADD COLUMN evil text',
      'DROP VIEW kpg.records',
      'CREATE TABLE kpg.mine (x int)',
      'SELECT kpg.relay_sql_records()',
      `SELECT kpg.grant_streams('${APP}')`,
      `SELECT * FROM kpg.append_batches(ARRAY[gen_random_uuid()], '{0}', '\\x00', '{1}', '{1}', '{0}', '{0}', '{-1}', '{-1}', '{-1}', true)`,
      `SELECT kpg.enqueue_sql_records('{}')`,
    ];
    for (const sql of statements) {
      expect([sql, await denied(app, sql)]).toEqual([sql, expect.stringMatching(/^42501$/)]);
    }
  });

  it('a role granted read-only access cannot produce', async () => {
    expect(await denied(reader, `SELECT kpg.produce('payments', 'k', 'v')`)).toBe('42501');
    expect(await denied(reader, `SELECT kpg.produce_batch('payments', '[]'::jsonb)`)).toBe('42501');
  });
});
