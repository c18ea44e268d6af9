/**
 * Many requests waiting at once on one gateway (JoinGroups in a rebalance, Fetch long polls) must not pile
 * 'abort' listeners onto one shared signal: Node prints a MaxListenersExceededWarning past 10, and every
 * waiting request would pay for the others in removeEventListener. Shutdown must still answer them at once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Consumer } from 'kafkajs';
import { startTestGateway, createTopic, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { eventually } from '../groups/support/helpers.js';

const MEMBERS = 12;
const MAX_WAIT_MS = 10_000;

let kpg: TestGateway;
const warnings: Error[] = [];
const onWarning = (w: Error): void => {
  warnings.push(w);
};
const consumers: Consumer[] = [];

beforeAll(async () => {
  process.on('warning', onWarning);
  // The initial rebalance delay keeps every JoinGroup waiting at once.
  kpg = await startTestGateway({ brokerConfigs: { 'group.initial.rebalance.delay.ms': '1500' } });
});

afterAll(async () => {
  await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
  await kpg?.stop();
  process.off('warning', onWarning);
});

describe('requests waiting at once', () => {
  it(`${MEMBERS} JoinGroups and ${MEMBERS} Fetch long polls wait without a listener warning, and shutdown answers them at once`, async () => {
    const topic = `waiting-${process.pid}`;
    await createTopic(kpg.gateway, topic, MEMBERS);
    const received = new Set<string>();
    const fetches = new Map<number, number>();
    await Promise.all(
      Array.from({ length: MEMBERS }, async (_, i) => {
        const consumer = kafkaClient(kpg.bootstrap, `waiter-${i}`).consumer({
          groupId: `waiting-${process.pid}`,
          maxWaitTimeInMs: MAX_WAIT_MS,
          sessionTimeout: 30_000,
          rebalanceTimeout: 30_000,
        });
        consumers.push(consumer);
        consumer.on(consumer.events.FETCH_START, () => fetches.set(i, (fetches.get(i) ?? 0) + 1));
        await consumer.connect();
        await consumer.subscribe({ topic, fromBeginning: true });
        await consumer.run({ eachMessage: async ({ message }) => void received.add(message.value!.toString()) });
      }),
    );
    // Every member has started a fetch, which waits up to MAX_WAIT_MS on an empty partition.
    await eventually(async () => fetches.size === MEMBERS, 30_000, 'every member fetching');
    const producer = kafkaClient(kpg.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: MEMBERS }, (_, p) => ({ value: `v${p}`, partition: p })) });
    await producer.disconnect();
    await eventually(async () => received.size === MEMBERS, 30_000, 'every record consumed');
    // The members wait in Fetch again; stopping the gateway answers them without waiting MAX_WAIT_MS.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = Date.now();
    await kpg.gateway.stop();
    expect(Date.now() - started).toBeLessThan(MAX_WAIT_MS / 2);

    const listenerWarnings = warnings.filter((w) => w.name === 'MaxListenersExceededWarning');
    expect(listenerWarnings.map((w) => w.message)).toEqual([]);
  });
});
