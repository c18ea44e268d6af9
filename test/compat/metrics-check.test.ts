/**
 * The compat runner's metrics checks (compat/lib/metrics-check.mjs) against a real gateway's /metrics:
 * kafkajs does part of a scenario and the checks name exactly the counters it left unmoved, with the
 * scrape values; once the rest is done they all pass.
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, expectedMetrics, freePort, scrape } from '../../compat/lib/metrics-check.mjs';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTopic } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';

const topic = 'compat-metrics-cell';
const group = `${topic}-group`;
let database: TestDatabase;
let gateway: Gateway;
let metricsPort: number;
let bootstrap: string;

beforeAll(async () => {
  database = await createTestDatabase();
  gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    dataDir: '',
    brokerConfigs: new Map([['auto.create.topics.enable', 'false']]),
    metricsPort: 0,
    logger: pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'silent' }),
  });
  metricsPort = gateway.metricsAddress!.port;
  bootstrap = `127.0.0.1:${gateway.port}`;
  await createTopic(gateway, topic, 1);
});

afterAll(async () => {
  await gateway?.stop();
  await database?.drop();
});

const produce = async (values: string[]): Promise<void> => {
  const producer = kafkaClient(bootstrap, 'compat-metrics-producer').producer();
  await producer.connect();
  await producer.send({ topic, messages: values.map((value) => ({ value })) });
  await producer.disconnect();
};

describe('compat metrics checks', () => {
  it('name the counters a cell did not move, with both scrape values, and pass once they moved', async () => {
    const checks = expectedMetrics('produce-consume', { client: 'kafkajs', topic });
    const before = await scrape(metricsPort);
    await produce(['a', 'b']);
    const afterProduce = await scrape(metricsPort);

    // Produced 2 of the 3 records the scenario needs, fetched nothing.
    expect(evaluate(checks, before, afterProduce).failed).toEqual([
      'kafka_network_requestmetrics_requests_total{request="Fetch"} did not move (before 0, after 0)',
      `kafka_server_brokertopicmetrics_messagesin_total{topic="${topic}"} moved by 2 (before 0, after 2), expected +3`,
      `kafka_server_brokertopicmetrics_bytesout_total{topic="${topic}"} did not move (before 0, after 0)`,
    ]);

    await produce(['c']);
    const consumer = kafkaClient(bootstrap, 'compat-metrics-consumer').consumer({ groupId: group });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer.run({ eachMessage: async ({ message }) => { seen.push(String(message.value)); if (seen.length === 3) resolve(); } }).catch(reject);
    });
    await consumer.commitOffsets([{ topic, partition: 0, offset: '3' }]);
    await consumer.disconnect();
    expect(seen).toEqual(['a', 'b', 'c']);
    const after = await scrape(metricsPort);
    expect(evaluate(checks, before, after)).toEqual({ failed: [], checked: checks.length });

    // group-resume's group check reads the committed offset (a gauge, from Postgres at scrape time);
    // it wants 6 records produced, this cell produced 3.
    expect(evaluate(expectedMetrics('group-resume', { client: 'kafkajs', topic }), before, after).failed).toEqual([
      `kafka_server_brokertopicmetrics_messagesin_total{topic="${topic}"} moved by 3 (before 0, after 3), expected +6`,
    ]);
    // A counter whose series does not exist in the scrape after the cell did not move either.
    expect(evaluate(expectedMetrics('topic-admin', { client: 'kafkajs', topic }), before, after).failed).toEqual([
      'kafka_network_requestmetrics_requests_total{request="CreateTopics"} did not move (before 0, after 0)',
      'kafka_network_requestmetrics_requests_total{request="DescribeConfigs"} did not move (before 0, after 0)',
      'kafka_network_requestmetrics_requests_total{request="DeleteTopics"} did not move (before 0, after 0)',
    ]);
  });

  it('count from 0 across a restart (no scrape before)', async () => {
    const after = await scrape(metricsPort);
    const checks = expectedMetrics('metadata', { client: 'sarama', topic });
    expect(checks.map((c) => c.labels?.request)).toEqual(['Metadata', 'ApiVersions']);
    // the same scrape twice: nothing moved; with no scrape before, everything counted so far did
    expect(evaluate(checks, after, after).failed).toEqual(['Metadata', 'ApiVersions'].map((api) =>
      expect.stringMatching(new RegExp(`^kafka_network_requestmetrics_requests_total\\{request="${api}"\\} did not move \\(before [1-9]\\d*, after [1-9]\\d*\\)$`))));
    expect(evaluate(checks, null, after).failed).toEqual([]);
  });

  it('a scrape of a port without /metrics fails', async () => {
    await expect(scrape(await freePort(), 2000)).rejects.toThrow();
  });
});
