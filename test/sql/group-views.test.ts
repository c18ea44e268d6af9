/**
 * kpg.consumer_groups, kpg.consumer_group_members and kpg.consumer_lag: a kafkajs consumer group reading
 * records produced from SQL, watched from SQL.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { createTopic, sqlSession } from './support.js';

let kpg: TestGateway;
let db: pg.Client;

beforeAll(async () => {
  kpg = await startTestGateway({ brokerConfigs: { 'group.initial.rebalance.delay.ms': '0' } });
  db = await sqlSession(kpg.database.url);
});

afterAll(async () => {
  await db?.end();
  await kpg?.stop();
});

describe('group and lag views', () => {
  it('show a consuming group, its member\'s partitions, and the lag once it stops', async () => {
    const topic = 'watched';
    await createTopic(kpg, topic, 2);
    await db.query(`SELECT kpg.produce('watched', NULL::text, 'r' || i, NULL, i % 2) FROM generate_series(0, 19) AS i`);

    const consumer = kafkaClient(kpg.bootstrap, 'lag-watcher').consumer({ groupId: 'sql-watchers', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: string[] = [];
    let done!: () => void;
    const allReceived = new Promise<void>((resolve) => (done = resolve));
    await consumer.run({
      autoCommitThreshold: 1,
      eachMessage: async ({ message }) => {
        received.push(message.value!.toString());
        if (received.length === 20) done();
      },
    });
    await allReceived;
    expect(received.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `r${i}`).sort());

    const groups = await db.query(`SELECT group_id, state, protocol_type, protocol, members FROM kpg.consumer_groups WHERE group_id = 'sql-watchers'`);
    expect(groups.rows).toEqual([{ group_id: 'sql-watchers', state: 'Stable', protocol_type: 'consumer', protocol: 'RoundRobinAssigner', members: 1n }]);
    const members = await db.query(`SELECT client_id, is_leader, assignment FROM kpg.consumer_group_members WHERE group_id = 'sql-watchers'`);
    expect(members.rows).toEqual([{ client_id: 'lag-watcher', is_leader: true, assignment: [{ topic, partitions: [0, 1] }] }]);

    // Wait for the commits of the last records (kafkajs commits after processing).
    let lag: { partition: number; committed_offset: bigint; log_end_offset: bigint; lag: bigint; client_id: string | null }[] = [];
    for (let i = 0; i < 100; i++) {
      lag = (await db.query(`SELECT partition, committed_offset, log_end_offset, lag, client_id FROM kpg.consumer_lag WHERE group_id = 'sql-watchers' ORDER BY partition`)).rows;
      if (lag.length === 2 && lag.every((r) => r.lag === 0n)) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(lag).toEqual([
      { partition: 0, committed_offset: 10n, log_end_offset: 10n, lag: 0n, client_id: 'lag-watcher' },
      { partition: 1, committed_offset: 10n, log_end_offset: 10n, lag: 0n, client_id: 'lag-watcher' },
    ]);

    await consumer.disconnect();
    await db.query(`SELECT kpg.produce('watched', NULL::text, 'late', NULL, p) FROM unnest('{0,0,0,1}'::int[]) AS p`);
    const after = await db.query(`SELECT partition, committed_offset, log_end_offset, lag, member_id FROM kpg.consumer_lag WHERE group_id = 'sql-watchers' ORDER BY partition`);
    expect(after.rows).toEqual([
      { partition: 0, committed_offset: 10n, log_end_offset: 13n, lag: 3n, member_id: null },
      { partition: 1, committed_offset: 10n, log_end_offset: 11n, lag: 1n, member_id: null },
    ]);
    const empty = await db.query(`SELECT state, members FROM kpg.consumer_groups WHERE group_id = 'sql-watchers'`);
    expect(empty.rows).toEqual([{ state: 'Empty', members: 0n }]);
  });

  it('kpg.consumer_assignment decodes the consumer protocol and refuses anything else', async () => {
    // version 1, one topic "t" with partitions 3 and 5, null user data
    const assignment = Buffer.from('0001' + '00000001' + '0001' + '74' + '00000002' + '00000003' + '00000005' + 'ffffffff', 'hex');
    const { rows } = await db.query('SELECT kpg.consumer_assignment($1) AS a, kpg.consumer_assignment($2) AS empty, kpg.consumer_assignment($3) AS junk', [
      assignment,
      Buffer.alloc(0),
      Buffer.from('00010000ffff', 'hex'),
    ]);
    expect(rows[0]).toEqual({ a: [{ topic: 't', partitions: [3, 5] }], empty: null, junk: null });
  });
});
