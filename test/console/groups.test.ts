/**
 * The console's group endpoints against a real gateway with kafkajs consumers: the list and detail show
 * members, assignments, committed offsets and lag; reset-offsets (earliest, latest, timestamp, offset)
 * changes where a kafkajs consumer of the group starts reading, and is refused while the group has a
 * member; the lag history gains samples.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient, type Consumer, type Producer } from '../support/kafkajs.js';
import { call } from './console-client.js';

let tg: TestGateway;
let producer: Producer;
const TOPIC = 'events';
const GROUP = 'billing';
const t0 = Date.parse('2026-02-01T00:00:00Z');

beforeAll(async () => {
  tg = await startTestGateway({ consolePort: 0, consoleLagSampleIntervalMs: 200 });
  await createTopic(tg.gateway, TOPIC, 1);
  producer = kafkaClient(tg.bootstrap).producer();
  await producer.connect();
  await producer.send({
    topic: TOPIC,
    messages: Array.from({ length: 6 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, timestamp: String(t0 + i * 1000) })),
  });
}, 60_000);

afterAll(async () => {
  await producer?.disconnect();
  await tg?.stop();
});

/** Starts a consumer of the group; resolves with it once it has read `count` records (their offsets in `seen`). */
async function consume(count: number, seen: number[]): Promise<Consumer> {
  const consumer = kafkaClient(tg.bootstrap).consumer({ groupId: GROUP, heartbeatInterval: 500, sessionTimeout: 6000 });
  await consumer.connect();
  await consumer.subscribe({ topic: TOPIC, fromBeginning: true });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`read ${seen.length} of ${count} records`)), 20_000);
    void consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(Number(message.offset));
        if (seen.length === count) {
          clearTimeout(timer);
          resolve();
        }
      },
    });
  });
  return consumer;
}

describe('consumer groups', () => {
  it('lists the group and describes its member, assignment, offsets and lag; refuses a reset while it has a member', async () => {
    const seen: number[] = [];
    const consumer = await consume(6, seen);
    expect(seen).toEqual([0, 1, 2, 3, 4, 5]);
    // Paused, the member stays in the group but reads no further: the next record is lag.
    consumer.pause([{ topic: TOPIC }]);
    await producer.send({ topic: TOPIC, messages: [{ key: 'late', value: 'unread', timestamp: String(t0 + 60_000) }] });
    // kafkajs commits on its interval and after each batch: wait until the commit of offset 6 is visible.
    let detail: any;
    for (let i = 0; i < 50; i++) {
      detail = (await call(tg.gateway, 'GET', `/api/groups/${GROUP}`)).body;
      if (detail.offsets?.[0]?.committedOffset === '6' && detail.offsets[0].endOffset === '7') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(detail).toMatchObject({ groupId: GROUP, state: 'Stable', protocolType: 'consumer' });
    expect(detail.members).toHaveLength(1);
    expect(detail.members[0].clientId).toBe('kpg-test');
    expect(detail.members[0].assignments).toEqual([{ topic: TOPIC, partitions: [0] }]);
    expect(detail.offsets).toEqual([{ topic: TOPIC, partition: 0, committedOffset: '6', endOffset: '7', lag: 1 }]);

    const list = await call(tg.gateway, 'GET', '/api/groups');
    expect(list.body.groups).toContainEqual({ groupId: GROUP, state: 'Stable', protocolType: 'consumer', members: 1, lag: 1 });

    const refused = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { topic: TOPIC, to: 'earliest' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('NON_EMPTY_GROUP');
    await consumer.disconnect();
  }, 60_000);

  it('keeps a lag history that grows while the console runs', async () => {
    const first = (await call(tg.gateway, 'GET', `/api/groups/${GROUP}`)).body.lagHistory.length;
    await new Promise((r) => setTimeout(r, 700));
    const later = (await call(tg.gateway, 'GET', `/api/groups/${GROUP}`)).body.lagHistory;
    expect(later.length).toBeGreaterThan(first);
    expect(later.at(-1)).toMatchObject({ lag: 1 });
    expect(Date.parse(later.at(-1).time)).toBeGreaterThan(Date.now() - 5000);
  });

  it('resets to earliest, timestamp, offset and latest: a kafkajs consumer of the group then starts there', async () => {
    const dry = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { topic: TOPIC, to: 'earliest', dryRun: true } });
    expect(dry.status).toBe(200);
    expect(dry.body.offsets).toEqual([{ topic: TOPIC, partition: 0, offset: '0' }]);
    expect((await call(tg.gateway, 'GET', `/api/groups/${GROUP}`)).body.offsets[0].committedOffset).toBe('6');

    const earliest = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { topic: TOPIC, to: 'earliest' } });
    expect(earliest.body.offsets).toEqual([{ topic: TOPIC, partition: 0, offset: '0' }]);
    let seen: number[] = [];
    await (await consume(7, seen)).disconnect();
    expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const byTime = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { to: 'timestamp', timestamp: new Date(t0 + 3500).toISOString() } });
    expect(byTime.body.offsets).toEqual([{ topic: TOPIC, partition: 0, offset: '4' }]);
    seen = [];
    await (await consume(3, seen)).disconnect();
    expect(seen).toEqual([4, 5, 6]);

    const toOffset = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { topic: TOPIC, to: 'offset', offset: 5, partitions: [0] } });
    expect(toOffset.body.offsets).toEqual([{ topic: TOPIC, partition: 0, offset: '5' }]);
    expect((await call(tg.gateway, 'GET', `/api/groups/${GROUP}`)).body.offsets[0]).toMatchObject({ committedOffset: '5', lag: 2 });

    const latest = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { topic: TOPIC, to: 'latest' } });
    expect(latest.body.offsets).toEqual([{ topic: TOPIC, partition: 0, offset: '7' }]);
    await producer.send({ topic: TOPIC, messages: [{ key: 'after', value: 'reset' }] });
    seen = [];
    await (await consume(1, seen)).disconnect();
    expect(seen).toEqual([7]);
  }, 90_000);

  it('answers bad reset requests and unknown groups clearly', async () => {
    const bad = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { to: 'yesterday' } });
    expect(bad.status).toBe(400);
    const noTime = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { to: 'timestamp' } });
    expect(noTime.status).toBe(400);
    const unknownTopic = await call(tg.gateway, 'POST', `/api/groups/${GROUP}/reset-offsets`, { body: { topic: 'nope', to: 'earliest' } });
    expect(unknownTopic.status).toBe(404);
    expect(unknownTopic.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    const unknownGroup = await call(tg.gateway, 'GET', '/api/groups/nobody');
    expect(unknownGroup.status).toBe(404);
    expect(unknownGroup.body.error.code).toBe('GROUP_ID_NOT_FOUND');
  });
});
