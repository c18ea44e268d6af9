/**
 * Every log line carries each key once: a gateway logging at trace while real clients produce, consume
 * in a group and make a failing request. Checked on the raw text, since JSON.parse hides duplicates.
 */
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createLogger } from '../../src/logging.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { kafkaClient } from '../support/kafkajs.js';
import { duplicateKeys } from '../support/log-lines.js';
import { eventually } from '../groups/support/helpers.js';

let database: TestDatabase | undefined;
let gateway: Gateway | undefined;

afterAll(async () => {
  await gateway?.stop();
  await database?.drop();
});

describe('log lines', () => {
  it('the duplicate-key check sees what JSON.parse hides', () => {
    expect(duplicateKeys('{"a":1,"component":"x","b":{"c":[1,{"d":2,"d":3}]},"component":"y"}')).toEqual(['d', 'component']);
    expect(duplicateKeys('{"msg":"a \\"component\\":1","component":"x","e":[]}')).toEqual([]);
  });

  it('carry each key once, at every level, through produce, a consumer group and a failing request', async () => {
    const lines: string[] = [];
    let partial = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        const parts = (partial + chunk.toString('utf8')).split('\n');
        partial = parts.pop()!;
        lines.push(...parts.filter((l) => l.length > 0));
        done();
      },
    });
    database = await createTestDatabase();
    gateway = await startGateway({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: database.url,
      dataDir: '',
      brokerConfigs: new Map([['group.initial.rebalance.delay.ms', '0']]),
      logger: createLogger('trace', sink),
    });
    const bootstrap = `127.0.0.1:${gateway.port}`;
    const topic = `log-lines-${process.pid}`;
    const kafka = kafkaClient(bootstrap);
    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }] });
    await expect(admin.createTopics({ topics: [{ topic: 'bad name!' }] })).rejects.toThrow();
    await admin.disconnect();
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k', value: 'v' }] });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: `${topic}-group`, maxWaitTimeInMs: 200 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const got = new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
    expect(await got).toBe('v');
    await consumer.disconnect();
    // A component's lines: the LISTEN connection dies and comes back.
    const pid = await gateway.storage.notifications.backendPid();
    await gateway.storage.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(async () => lines.some((l) => l.includes('LISTEN connection re-established')), 15_000, 'LISTEN reconnect');
    await gateway.stop();

    expect(lines.length).toBeGreaterThan(20);
    const components = new Set(lines.map((l) => (JSON.parse(l) as { component?: string }).component).filter(Boolean));
    expect([...components]).toContain('listen');
    expect(lines.some((l) => l.includes('"apiKey"') && l.includes('"conn"'))).toBe(true);
    const withDuplicates = lines.filter((l) => duplicateKeys(l).length > 0);
    expect(withDuplicates).toEqual([]);
  });
});
