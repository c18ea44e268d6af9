/**
 * The console's message endpoints against a real gateway: records produced by kafkajs are browsed and
 * searched (key, time range, header, JSON path), a record produced through the API is consumed by a
 * kafkajs consumer, and the SSE tail delivers a kafkajs-produced record as it commits.
 */
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient, type Producer } from '../support/kafkajs.js';
import { encodeBatch } from '../../src/records/batch.js';
import { call, consoleUrl } from './console-client.js';

let tg: TestGateway;
let producer: Producer;
const TOPIC = 'orders';
const t0 = Date.parse('2026-01-01T00:00:00Z');

beforeAll(async () => {
  tg = await startTestGateway({ consolePort: 0 });
  await createTopic(tg.gateway, TOPIC, 1);
  await createTopic(tg.gateway, 'spread', 3);
  producer = kafkaClient(tg.bootstrap).producer();
  await producer.connect();
  // Ten records in one partition, a minute apart, in two batches.
  const messages = Array.from({ length: 10 }, (_, i) => ({
    key: `k${i % 3}`,
    value: JSON.stringify({ n: i, customer: { id: i % 2 === 0 ? 'even' : 'odd' } }),
    timestamp: String(t0 + i * 60_000),
    headers: { source: i < 5 ? 'web' : 'app' },
  }));
  await producer.send({ topic: TOPIC, messages: messages.slice(0, 5) });
  await producer.send({ topic: TOPIC, messages: messages.slice(5) });
  await producer.send({ topic: TOPIC, messages: [{ key: Buffer.from([0xff, 0xfe]), value: Buffer.from([0, 1, 2, 0xff]) }] });
}, 60_000);

afterAll(async () => {
  await producer?.disconnect();
  await tg?.stop();
});

const offsets = (body: { messages: { offset: string }[] }): number[] => body.messages.map((m) => Number(m.offset));

describe('browsing', () => {
  it('shows the newest records first by default, with keys, values, headers and offsets as produced', async () => {
    const { status, body } = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?limit=3`);
    expect(status).toBe(200);
    expect(offsets(body)).toEqual([10, 9, 8]);
    const binary = body.messages[0];
    expect(binary).toMatchObject({ partition: 0, keyEncoding: 'base64', key: Buffer.from([0xff, 0xfe]).toString('base64'), valueEncoding: 'base64' });
    expect(Buffer.from(binary.value, 'base64')).toEqual(Buffer.from([0, 1, 2, 0xff]));
    expect(body.messages[1]).toMatchObject({
      key: 'k0',
      keyEncoding: 'utf8',
      value: JSON.stringify({ n: 9, customer: { id: 'odd' } }),
      valueEncoding: 'utf8',
      timestamp: new Date(t0 + 9 * 60_000).toISOString(),
      headers: [{ key: 'source', value: 'app', valueEncoding: 'utf8' }],
    });
    expect(body.nextOffset).toBe('7');
  });

  it('pages forward from an offset', async () => {
    const first = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?partition=0&offset=3&limit=4&direction=forward`);
    expect(offsets(first.body)).toEqual([3, 4, 5, 6]);
    expect(first.body.nextOffset).toBe('7');
    const rest = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?partition=0&offset=${first.body.nextOffset}&limit=50&direction=forward`);
    expect(offsets(rest.body)).toEqual([7, 8, 9, 10]);
    expect(rest.body.nextOffset).toBeUndefined();
  });

  it('searches by key, time range, header and JSON path, finding exactly the matching records', async () => {
    const byKey = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?key=k1&direction=forward&offset=0&partition=0`);
    expect(offsets(byKey.body)).toEqual([1, 4, 7]);
    const from = new Date(t0 + 2 * 60_000).toISOString();
    const to = new Date(t0 + 5 * 60_000).toISOString();
    const byTime = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&direction=forward&partition=0`);
    expect(offsets(byTime.body)).toEqual([2, 3, 4]);
    const byHeader = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?header=${encodeURIComponent('source:app')}`);
    expect(offsets(byHeader.body)).toEqual([9, 8, 7, 6, 5]);
    const byJson = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?jsonPath=${encodeURIComponent('$.customer.id')}&jsonValue=even&direction=forward&partition=0`);
    expect(offsets(byJson.body)).toEqual([0, 2, 4, 6, 8]);
    const combined = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?key=k0&header=source:web&jsonPath=${encodeURIComponent('$.n ? (@ > 0)')}`);
    expect(offsets(combined.body)).toEqual([3]);
  });

  it('skips values that are not JSON in a JSON path search instead of failing', async () => {
    await createTopic(tg.gateway, 'mixed', 1);
    await producer.send({ topic: 'mixed', messages: ['{broken', '{"a": 1}', 'plain text', '[1, 2]', '{"a": 2}'].map((value) => ({ value })) });
    const found = await call(tg.gateway, 'GET', `/api/topics/mixed/messages?jsonPath=${encodeURIComponent('$.a')}&direction=forward&partition=0`);
    expect(found.status).toBe(200);
    expect(found.body.messages.map((m: any) => m.value)).toEqual(['{"a": 1}', '{"a": 2}']);
    const equal = await call(tg.gateway, 'GET', `/api/topics/mixed/messages?jsonPath=${encodeURIComponent('$.a')}&jsonValue=2`);
    expect(offsets(equal.body)).toEqual([4]);
  });

  it('refuses bad parameters with 400 and names the parameter', async () => {
    for (const query of ['offset=-1&partition=0', 'offset=abc&partition=0', 'limit=0', 'limit=100000', 'direction=sideways', 'from=yesterday', 'header=nocolon', 'jsonPath=$$$(']) {
      const { status, body } = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?${query}`);
      expect(status, query).toBe(400);
      expect(body.error.code, query).toBe('INVALID_REQUEST');
    }
    const badOffset = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?offset=abc&partition=0`);
    expect(badOffset.body.error.message).toContain('offset');
  });

  it('answers an unknown topic or partition with 404 UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const topic = await call(tg.gateway, 'GET', '/api/topics/nope/messages');
    expect(topic.status).toBe(404);
    expect(topic.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    const partition = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}/messages?partition=7`);
    expect(partition.status).toBe(404);
    expect(partition.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('bounded scans', () => {
  it('decodes at most 1000 batches per request and says where to continue', async () => {
    await createTopic(tg.gateway, 'big', 1);
    const [topic] = await tg.gateway.services.topics.all().then((all) => all.filter((t) => t.name === 'big'));
    // 1500 stored batches of 10 records; the one record keyed "needle" is the last.
    for (let chunk = 0; chunk < 15; chunk++) {
      const batches = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const last = chunk === 14 && i === 99;
          const records = Array.from({ length: 10 }, (_, r) => ({ key: last && r === 9 ? 'needle' : `hay${r}`, value: 'x', timestamp: t0 }));
          return {
            topicId: topic!.topicId, partition: 0, batch: await encodeBatch(records), recordCount: 10, maxTimestamp: BigInt(t0), maxTimestampDelta: 0,
            producerId: -1n, producerEpoch: -1, baseSequence: -1,
          };
        }),
      );
      await tg.gateway.services.records.append(batches);
    }
    const started = Date.now();
    const first = await call(tg.gateway, 'GET', '/api/topics/big/messages?partition=0&offset=0&key=needle');
    expect(first.body).toEqual({ messages: [], nextOffset: '10000' });
    const second = await call(tg.gateway, 'GET', `/api/topics/big/messages?partition=0&offset=${first.body.nextOffset}&key=needle`);
    expect(offsets(second.body)).toEqual([14999]);
    expect(second.body.nextOffset).toBeUndefined();
    // Newest first finds it in the first window.
    const backward = await call(tg.gateway, 'GET', '/api/topics/big/messages?key=needle');
    expect(offsets(backward.body)).toEqual([14999]);
    expect(backward.body.nextOffset).toBe('4999');
    expect(Date.now() - started).toBeLessThan(15_000);
    // The record bound: batches join the window only while it holds fewer than maxRecords records.
    const capped = await tg.gateway.storage.recordSearch.searchRecords({
      topicId: topic!.topicId, partition: 0, direction: 'forward', startOffset: 0n, limit: 50, maxBatches: 1000, maxRecords: 25, key: Buffer.from('needle'),
    });
    expect(capped).toEqual({ records: [], nextOffset: 30n });
    const cappedBack = await tg.gateway.storage.recordSearch.searchRecords({
      topicId: topic!.topicId, partition: 0, direction: 'backward', startOffset: 14_999n, limit: 50, maxBatches: 1000, maxRecords: 25, key: Buffer.from('hay0'),
    });
    expect(cappedBack.records.map((r) => Number(r.offset))).toEqual([14_990, 14_980, 14_970]);
    expect(cappedBack.nextOffset).toBe(14_969n);
  }, 60_000);
});

describe('time ranges on a long partition', () => {
  it('finds a time range far from the end newest first in one request, and from the first of equal timestamps oldest first', async () => {
    await createTopic(tg.gateway, 'timeline', 1);
    const [topic] = await tg.gateway.services.topics.all().then((all) => all.filter((t) => t.name === 'timeline'));
    // 2000 batches of 10 records; batch b holds the second t0 + b (its records share that timestamp), except
    // the first 300 batches, which all carry t0: equal running maxima in the time index.
    const second = (b: number): number => t0 + Math.max(0, b - 299) * 1000;
    for (let chunk = 0; chunk < 20; chunk++) {
      const batches = await Promise.all(
        Array.from({ length: 100 }, async (_, i) => {
          const b = chunk * 100 + i;
          const records = Array.from({ length: 10 }, () => ({ key: `b${b}`, value: 'x', timestamp: second(b) }));
          return {
            topicId: topic!.topicId, partition: 0, batch: await encodeBatch(records), recordCount: 10, maxTimestamp: BigInt(second(b)), maxTimestampDelta: 0,
            producerId: -1n, producerEpoch: -1, baseSequence: -1,
          };
        }),
      );
      // One append per chunk, in order: batch b gets offsets 10b .. 10b+9.
      await tg.gateway.services.records.append(batches);
    }
    // Batch 400's second, newest first (the browser's default order): 1600 batches from the end, beyond one
    // window of 1000, yet found at once through the time index.
    const from = new Date(second(400)).toISOString();
    const to = new Date(second(401)).toISOString();
    const newest = await call(tg.gateway, 'GET', `/api/topics/timeline/messages?partition=0&from=${from}&to=${to}&limit=50`);
    expect(offsets(newest.body)).toEqual(Array.from({ length: 10 }, (_, i) => 4009 - i));
    // Oldest first from t0: the first batch of the 300 with equal timestamps, offset 0, not a later one.
    const oldest = await call(tg.gateway, 'GET', `/api/topics/timeline/messages?partition=0&direction=forward&from=${new Date(t0).toISOString()}&limit=5`);
    expect(offsets(oldest.body)).toEqual([0, 1, 2, 3, 4]);
  }, 60_000);
});

describe('producing', () => {
  it('appends a record that a kafkajs consumer reads, in the partition Kafka\'s partitioner picks for its key', async () => {
    // What partition kafkajs's default partitioner (murmur2, as Java's) puts this key in.
    const sent = await producer.send({ topic: 'spread', messages: [{ key: 'customer-42', value: 'via kafkajs' }] });
    const produced = await call(tg.gateway, 'POST', '/api/topics/spread/messages', {
      body: { key: 'customer-42', value: 'via the console', headers: [{ key: 'who', value: 'console' }] },
    });
    expect(produced.status).toBe(200);
    expect(produced.body.partition).toBe(sent[0]!.partition);
    expect(produced.body.offset).toBe('1');

    const consumer = kafkaClient(tg.bootstrap).consumer({ groupId: 'reads-console-produce' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'spread', fromBeginning: true });
    const seen: { key: string; value: string; header: string | undefined; partition: number; offset: string }[] = [];
    await new Promise<void>((resolve, reject) => {
      setTimeout(() => reject(new Error('record not consumed')), 20_000).unref();
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          seen.push({ key: message.key!.toString(), value: message.value!.toString(), header: message.headers?.who?.toString(), partition, offset: message.offset });
          if (seen.length === 2) resolve();
        },
      });
    });
    await consumer.disconnect();
    expect(seen).toContainEqual({ key: 'customer-42', value: 'via the console', header: 'console', partition: sent[0]!.partition, offset: '1' });
  }, 40_000);

  it('refuses a body without value, bad JSON, and a body over 1 MiB', async () => {
    const noValue = await call(tg.gateway, 'POST', `/api/topics/${TOPIC}/messages`, { body: { key: 'x' } });
    expect(noValue.status).toBe(400);
    const badJson = await call(tg.gateway, 'POST', `/api/topics/${TOPIC}/messages`, { rawBody: '{"value": ' });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.message).toMatch(/JSON/);
    const huge = await call(tg.gateway, 'POST', `/api/topics/${TOPIC}/messages`, { rawBody: JSON.stringify({ value: 'x'.repeat(1024 * 1024 + 10) }) }).catch((err: Error) => err);
    // The server answers 413 and closes; fetch may see the answer or the closed socket, never a hang.
    if (!(huge instanceof Error)) expect(huge.status).toBe(413);
    const end = await call(tg.gateway, 'GET', `/api/topics/${TOPIC}`);
    expect(end.body.partitions[0].endOffset).toBe('11');
  });
});

describe('tail', () => {
  it('streams a record produced by kafkajs within a second of its commit, from the end offset at connect time', async () => {
    const events: { event: string; data: any }[] = [];
    const request = http.get(consoleUrl(tg.gateway, `/api/topics/${TOPIC}/tail`));
    const response = await new Promise<http.IncomingMessage>((resolve) => request.on('response', resolve));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    let buffer = '';
    const got = new Promise<number>((resolve) => {
      response.on('data', (chunk: Buffer) => {
        buffer += chunk.toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const event = /^event: (.*)$/m.exec(block)?.[1];
          const data = /^data: (.*)$/m.exec(block)?.[1];
          if (event && data) {
            events.push({ event, data: JSON.parse(data) });
            resolve(Date.now());
          }
        }
      });
    });
    // Give the server time to read the end offsets before producing.
    await new Promise((r) => setTimeout(r, 300));
    const sentAt = Date.now();
    await producer.send({ topic: TOPIC, messages: [{ key: 'live', value: 'tailed' }] });
    const receivedAt = await got;
    expect(receivedAt - sentAt).toBeLessThan(1000);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ event: 'message', data: { partition: 0, offset: '11', key: 'live', value: 'tailed' } });
    // While connected the tail waits on the partition; a disconnect ends that wait.
    for (let i = 0; i < 50 && tg.gateway.services.partitionWatch.waitingFetches === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tg.gateway.services.partitionWatch.waitingFetches).toBe(1);
    request.destroy();
    for (let i = 0; i < 50 && tg.gateway.services.partitionWatch.waitingFetches > 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(tg.gateway.services.partitionWatch.waitingFetches).toBe(0);
  });
});
