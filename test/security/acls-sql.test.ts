/**
 * The SQL face of Kafka ACLs: a login role that is a member of kpg_acl_limited reads from kpg.records
 * (and kpg.records_between / kpg.records_since / kpg.tail) only the topics its principal User:<role> may
 * READ, and kpg.produce / kpg.produce_batch refuse topics it may not WRITE, in every isolation level.
 * A role granted the same streams but not limited sees everything, as before.
 */
import { randomBytes } from 'node:crypto';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AclOperation as Op, AclPermission, PatternType, ResourceType } from '../../src/protocol/acl.js';
import type { AclBinding } from '../../src/security/acl-binding.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { sqlSession, urlAs } from '../sql/support.js';

const suffix = randomBytes(4).toString('hex');
const LIMITED = `kpg_limited_${suffix}`;
const OPEN = `kpg_open_${suffix}`;
const PASSWORD = randomBytes(12).toString('hex');
const MARKER = 'kpg_acl_limited';

let kpg: TestGateway;
let owner: pg.Client;
let limited: pg.Client;
let open: pg.Client;
let createdMarker = false;

function topicAcl(resourceName: string, operation: number, over: Partial<AclBinding> = {}): AclBinding {
  return {
    resourceType: ResourceType.TOPIC, resourceName, patternType: PatternType.LITERAL, principal: `User:${LIMITED}`, host: '*',
    operation, permissionType: AclPermission.ALLOW, ...over,
  } as AclBinding;
}

async function refusal(client: pg.Client, sql: string): Promise<{ code: string; message: string }> {
  try {
    await client.query(sql);
  } catch (err) {
    const e = err as { code: string; message: string };
    return { code: e.code, message: e.message };
  }
  throw new Error(`expected "${sql}" to be refused`);
}

beforeAll(async () => {
  kpg = await startTestGateway();
  owner = await sqlSession(kpg.database.url);
  const server = await sqlSession(inject('postgresUrl'));
  try {
    const { rowCount } = await server.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [MARKER]);
    if (rowCount === 0) {
      await server.query(`CREATE ROLE ${MARKER} NOLOGIN`);
      createdMarker = true;
    }
    for (const role of [LIMITED, OPEN]) await server.query(`CREATE ROLE ${role} LOGIN PASSWORD '${PASSWORD}'`);
    await server.query(`GRANT ${MARKER} TO ${LIMITED}`);
  } finally {
    await server.end();
  }
  for (const role of [LIMITED, OPEN]) await owner.query(`SELECT kpg.grant_streams('${role}')`);
  for (const topic of ['orders', 'orders-eu', 'secret']) await createTopic(kpg.gateway, topic);
  for (const topic of ['orders', 'orders-eu', 'secret']) await owner.query(`SELECT kpg.produce('${topic}', 'k', 'from owner', NULL, 0)`);
  await kpg.gateway.storage.acls.createAcls([
    topicAcl('orders', Op.READ, { patternType: PatternType.PREFIXED }),
    topicAcl('orders', Op.WRITE),
    topicAcl('orders-eu', Op.READ, { permissionType: AclPermission.DENY }),
    topicAcl('secret', Op.WRITE, { principal: 'User:someone-else' }),
  ]);
  limited = await sqlSession(urlAs(kpg.database.url, LIMITED, PASSWORD));
  open = await sqlSession(urlAs(kpg.database.url, OPEN, PASSWORD));
});

afterAll(async () => {
  await limited?.end();
  await open?.end();
  await owner?.end();
  await kpg?.stop();
  const server = await sqlSession(inject('postgresUrl'));
  try {
    for (const role of [LIMITED, OPEN]) await server.query(`DROP ROLE IF EXISTS ${role}`);
    if (createdMarker) await server.query(`DROP ROLE IF EXISTS ${MARKER}`).catch(() => undefined);
  } finally {
    await server.end();
  }
});

const topicsIn = async (client: pg.Client, sql: string): Promise<string[]> =>
  (await client.query<{ topic: string }>(sql)).rows.map((r) => r.topic).filter((t, i, all) => all.indexOf(t) === i).sort();

describe('a role limited by Kafka ACLs', () => {
  it('reads only topics its principal may READ (prefixed ALLOW, DENY wins) from the view and the functions', async () => {
    expect(await topicsIn(limited, 'SELECT topic FROM kpg.records')).toEqual(['orders']);
    expect(await topicsIn(open, 'SELECT topic FROM kpg.records')).toEqual(['orders', 'orders-eu', 'secret']);
    for (const topic of ['orders', 'orders-eu', 'secret']) {
      const allowed = topic === 'orders';
      for (const sql of [
        `SELECT topic FROM kpg.records WHERE topic = '${topic}'`,
        `SELECT topic FROM kpg.tail('${topic}')`,
        `SELECT topic FROM kpg.records_between('${topic}', 0, 100)`,
        `SELECT topic FROM kpg.records_since('${topic}', now() - interval '1 hour')`,
      ]) {
        expect([sql, await topicsIn(limited, sql)]).toEqual([sql, allowed ? [topic] : []]);
        expect([sql, await topicsIn(open, sql)]).toEqual([sql, [topic]]);
      }
    }
    expect((await limited.query(`SELECT kpg.topic_allowed('orders', 'describe') AS d, kpg.topic_allowed('secret', 'READ') AS r`)).rows).toEqual([{ d: true, r: false }]);
  });

  it('produces only to topics it may WRITE, with kpg.produce and kpg.produce_batch, in every isolation level', async () => {
    await limited.query(`SELECT kpg.produce('orders', 'k', 'from limited', NULL, 0)`);
    for (const isolation of ['READ COMMITTED', 'REPEATABLE READ']) {
      for (const call of [
        `SELECT kpg.produce('secret', 'k', 'nope', NULL, 0)`,
        `SELECT kpg.produce('orders-eu', 'k'::text, 'nope'::text)`,
        `SELECT kpg.produce_batch('secret', '[{"key": "k", "value": "nope"}]'::jsonb)`,
      ]) {
        await limited.query(`BEGIN ISOLATION LEVEL ${isolation}`);
        const refused = await refusal(limited, call);
        await limited.query('ROLLBACK');
        expect([isolation, call, refused.code]).toEqual([isolation, call, '42501']);
        expect(refused.message).toMatch(new RegExp(`^kpg.produce: User:${LIMITED} is not authorized to WRITE topic "(secret|orders-eu)"$`));
      }
    }
    // One batch mixing an allowed and a refused topic is refused whole: produce_batch is per topic, so two calls in one statement.
    expect((await refusal(limited, `SELECT kpg.produce('orders', 'k', 'a', NULL, 0), kpg.produce('secret', 'k', 'b', NULL, 0)`)).code).toBe('42501');
    await open.query(`SELECT kpg.produce('secret', 'k', 'from open', NULL, 0)`);
    const { rows } = await owner.query<{ topic: string; value: Buffer }>(`SELECT topic, value FROM kpg.records ORDER BY topic, "offset"`);
    expect(rows.map((r) => `${r.topic}:${r.value.toString()}`)).toEqual([
      'orders:from owner', 'orders:from limited', 'orders-eu:from owner', 'secret:from owner', 'secret:from open',
    ]);
  });

  it('follows ACL changes at once, and a host-bound ACL applies only from that address', async () => {
    await kpg.gateway.storage.acls.createAcls([topicAcl('secret', Op.ALL, { host: '10.99.0.1' })]);
    expect(await topicsIn(limited, 'SELECT topic FROM kpg.records')).toEqual(['orders']);
    await kpg.gateway.storage.acls.createAcls([topicAcl('secret', Op.ALL, { host: '127.0.0.1' })]);
    expect(await topicsIn(limited, 'SELECT topic FROM kpg.records')).toEqual(['orders', 'secret']);
    await limited.query(`SELECT kpg.produce('secret', 'k', 'now allowed', NULL, 0)`);
    await kpg.gateway.storage.acls.deleteAcls([{
      resourceType: ResourceType.TOPIC, resourceName: 'secret', patternType: PatternType.LITERAL, principal: `User:${LIMITED}`, host: null,
      operation: Op.ALL, permissionType: AclPermission.ALLOW,
    }]);
    expect(await topicsIn(limited, 'SELECT topic FROM kpg.records')).toEqual(['orders']);
  });

  it('cannot step around the limits: SET ROLE keeps its principal, and it has no table privileges', async () => {
    const server = await sqlSession(inject('postgresUrl'));
    try {
      await server.query(`GRANT ${OPEN} TO ${LIMITED}`);
    } finally {
      await server.end();
    }
    await limited.query(`SET ROLE ${OPEN}`);
    expect(await topicsIn(limited, 'SELECT topic FROM kpg.records')).toEqual(['orders']);
    expect((await refusal(limited, `SELECT kpg.produce('orders-eu', 'k', 'nope', NULL, 0)`)).code).toBe('42501');
    await limited.query('RESET ROLE');
    for (const sql of ['SELECT * FROM kpg.record_batches', 'SELECT * FROM kpg.acls', 'DELETE FROM kpg.acls', `SELECT kpg.acls_allow('User:x', '*', 2::smallint, 'secret', 3::smallint)`]) {
      expect([sql, (await refusal(limited, sql)).code]).toEqual([sql, '42501']);
    }
  });
});
