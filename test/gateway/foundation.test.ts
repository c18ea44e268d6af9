import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { handlerRegistry } from '../../src/apis/registry.js';
import { apiCodecs } from '../../src/protocol/protocol.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway({ brokerConfigs: { 'num.partitions': '3' } });
});

afterAll(async () => {
  await kpg?.stop();
});

const kafka = () => new Kafka({ brokers: [kpg.bootstrap], clientId: 'foundation-test', logLevel: logLevel.NOTHING, retry: { retries: 2 } });

describe('ApiVersions', () => {
  it('advertises exactly the registered handlers, within what the codec can encode', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const { body } = await client.request(18, 3, { clientSoftwareName: 'kpg-test', clientSoftwareVersion: '1' });
    client.close();
    expect(body.errorCode).toBe(ErrorCode.NONE);
    const advertised = new Map<number, { minVersion: number; maxVersion: number }>(
      body.apiKeys.map((k: { apiKey: number; minVersion: number; maxVersion: number }) => [k.apiKey, k]),
    );
    const registry = handlerRegistry();
    expect([...advertised.keys()].sort((a, b) => a - b)).toEqual([...registry.keys()].sort((a, b) => a - b));
    for (const [key, handler] of registry) {
      expect(advertised.get(key)).toEqual({ apiKey: key, minVersion: handler.minVersion, maxVersion: handler.maxVersion });
      const codecs = apiCodecs(key)!;
      expect(codecs.request.supports(handler.minVersion) && codecs.request.supports(handler.maxVersion)).toBe(true);
    }
    expect(advertised.get(0)).toMatchObject({ minVersion: 0, maxVersion: 13 });
    expect(advertised.get(3)).toMatchObject({ minVersion: 0, maxVersion: 13 });
  });

  it('answers an ApiVersions version it does not know in v0 layout with UNSUPPORTED_VERSION', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    // ApiVersions v9 with a body kpg cannot know: header v2 layout and trailing junk.
    const header = Buffer.alloc(8 + 2 + 4 + 1 + 5);
    header.writeInt16BE(18, 0);
    header.writeInt16BE(9, 2);
    header.writeInt32BE(77, 4);
    header.writeInt16BE(4, 8);
    header.write('test', 10);
    const frame = Buffer.concat([Buffer.alloc(4), header]);
    frame.writeInt32BE(header.length, 0);
    client.sendRaw(frame);
    const response = await client.nextFrame();
    expect(response).not.toBeNull();
    // v0 layout: correlation id, error code, [api key, min, max]
    expect(response!.readInt32BE(0)).toBe(77);
    expect(response!.readInt16BE(4)).toBe(ErrorCode.UNSUPPORTED_VERSION);
    expect(response!.readInt32BE(6)).toBe(1);
    expect(response!.readInt16BE(10)).toBe(18);
    expect(response!.readInt16BE(12)).toBe(0);
    expect(response!.readInt16BE(14)).toBe(4);
    // The connection stays usable, as the client retries with a version it now knows.
    const retry = await client.request(18, 0, {});
    expect(retry.body.errorCode).toBe(ErrorCode.NONE);
    client.close();
  });

  it('answers pipelined requests in order', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const ids = [client.send(18, 0, {}), client.send(3, 0, { topics: [] }), client.send(18, 2, {}), client.send(3, 1, { topics: null })];
    const seen: number[] = [];
    for (let i = 0; i < ids.length; i++) seen.push((await client.nextFrame())!.readInt32BE(0));
    expect(seen).toEqual(ids);
    client.close();
  });
});

describe('leniency that real clients need', () => {
  it('answers a request with bytes after its body (librdkafka 2.1x sends three after Metadata v13), as Kafka does', async () => {
    const { encodeRequest } = await import('../../src/protocol/protocol.js');
    const frame = encodeRequest({ apiKey: 3, apiVersion: 13, correlationId: 5, clientId: 'rdkafka' }, { topics: null, allowAutoTopicCreation: false });
    const withExtra = Buffer.concat([frame, Buffer.from([1, 0, 0])]);
    withExtra.writeInt32BE(withExtra.length - 4, 0);
    const client = await RawClient.connect(kpg.bootstrap);
    client.sendRaw(withExtra);
    const response = await client.nextFrame();
    client.close();
    expect(response).not.toBeNull();
    expect(response!.readInt32BE(0)).toBe(5);
  });
});

describe('bad input closes the connection and leaves the gateway serving', () => {
  it('an unknown API key', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const frame = Buffer.alloc(4 + 10);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(999, 4);
    frame.writeInt16BE(0, 6);
    frame.writeInt32BE(1, 8);
    client.sendRaw(frame);
    expect(await client.waitClosed()).toBe(true);
  });

  it('an unsupported version of a served API', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const frame = Buffer.alloc(4 + 10);
    frame.writeInt32BE(10, 0);
    frame.writeInt16BE(3, 4); // Metadata
    frame.writeInt16BE(99, 6);
    frame.writeInt32BE(1, 8);
    client.sendRaw(frame);
    expect(await client.waitClosed()).toBe(true);
  });

  it('a frame larger than socket.request.max.bytes, before it arrives', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const size = Buffer.alloc(4);
    size.writeInt32BE(104857600 + 1, 0);
    client.sendRaw(size);
    expect(await client.waitClosed()).toBe(true);
  });

  it('a negative frame size', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    client.sendRaw(Buffer.from([0xff, 0xff, 0xff, 0xf0]));
    expect(await client.waitClosed()).toBe(true);
  });

  it('a truncated request body', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    // Metadata v1 header then a topic array claiming 5 entries but no bytes.
    const body = Buffer.alloc(2 + 2 + 4 + 2 + 4);
    body.writeInt16BE(3, 0);
    body.writeInt16BE(1, 2);
    body.writeInt32BE(5, 4);
    body.writeInt16BE(-1, 8);
    body.writeInt32BE(5, 10);
    const frame = Buffer.concat([Buffer.alloc(4), body]);
    frame.writeInt32BE(body.length, 0);
    client.sendRaw(frame);
    expect(await client.waitClosed()).toBe(true);
  });

  it('a client that never reads its responses is stopped from sending more (bounded memory)', async () => {
    const net = await import('node:net');
    const { encodeRequest } = await import('../../src/protocol/protocol.js');
    const frame = encodeRequest({ apiKey: 3, apiVersion: 1, correlationId: 1, clientId: 'greedy' }, { topics: null });
    const socket = net.connect({ host: '127.0.0.1', port: kpg.gateway.port });
    await new Promise((r) => socket.once('connect', r));
    socket.pause(); // never read
    const chunk = Buffer.concat(Array.from({ length: 1000 }, () => frame));
    // Keep writing; if kpg kept reading, everything would drain. It must stop reading instead,
    // so our unsent bytes pile up on our side.
    let backedUp = false;
    for (let i = 0; i < 2000 && !backedUp; i++) {
      socket.write(chunk);
      if (socket.writableLength > 32 * 1024 * 1024) backedUp = true;
      else await new Promise((r) => setTimeout(r, 5));
    }
    socket.destroy();
    expect(backedUp).toBe(true);
  });

  it('still serves other clients afterwards', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers).toHaveLength(1);
  });
});

describe('Metadata', () => {
  it('kafkajs describeCluster: one broker, which is the controller, and a cluster id', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const cluster = await admin.describeCluster();
    await admin.disconnect();
    expect(cluster.brokers).toEqual([{ nodeId: kpg.gateway.nodeId, host: '127.0.0.1', port: kpg.gateway.port }]);
    expect(cluster.controller).toBe(kpg.gateway.nodeId);
    expect(cluster.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('auto-creates a requested topic with num.partitions and reports it with a real id', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const { body } = await client.request(3, 12, {
      topics: [{ name: 'auto-created', topicId: '00000000-0000-0000-0000-000000000000' }],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: false,
    });
    client.close();
    expect(body.topics).toHaveLength(1);
    const topic = body.topics[0];
    expect(topic.errorCode).toBe(ErrorCode.NONE);
    expect(topic.name).toBe('auto-created');
    expect(topic.topicId).not.toBe('00000000-0000-0000-0000-000000000000');
    expect(topic.partitions.map((p: { partitionIndex: number }) => p.partitionIndex)).toEqual([0, 1, 2]);
    for (const p of topic.partitions) {
      expect(p.leaderId).toBe(kpg.gateway.nodeId);
      expect(p.replicaNodes).toEqual([kpg.gateway.nodeId]);
      expect(p.isrNodes).toEqual([kpg.gateway.nodeId]);
    }
  });

  it('kafkajs fetchTopicMetadata lists the topic it created, and refuses unknown ones when not creating', async () => {
    const admin = kafka().admin();
    await admin.connect();
    const { topics } = await admin.fetchTopicMetadata({ topics: ['auto-created'] });
    expect(topics[0]!.name).toBe('auto-created');
    expect(topics[0]!.partitions).toHaveLength(3);
    await expect(admin.fetchTopicMetadata({ topics: ['never-created'] })).rejects.toThrow(/does not host this topic-partition/);
    await admin.disconnect();
  });

  it('reports the authorized operations Kafka 4.1 reports for an unrestricted client', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const { body } = await client.request(3, 10, {
      topics: [{ name: 'auto-created', topicId: '00000000-0000-0000-0000-000000000000' }],
      includeClusterAuthorizedOperations: true,
      includeTopicAuthorizedOperations: true,
    });
    client.close();
    expect(body.clusterAuthorizedOperations).toBe(8096);
    expect(body.topics[0].topicAuthorizedOperations).toBe(3576);
  });

  it('v0 with an empty list means all topics; v1+ empty means none and null means all', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const v0 = await client.request(3, 0, { topics: [] });
    const v1Empty = await client.request(3, 1, { topics: [] });
    const v1Null = await client.request(3, 1, { topics: null });
    client.close();
    expect(v0.body.topics.map((t: { name: string }) => t.name)).toContain('auto-created');
    expect(v1Empty.body.topics).toEqual([]);
    expect(v1Null.body.topics.map((t: { name: string }) => t.name)).toContain('auto-created');
  });

  it('gives INVALID_TOPIC_EXCEPTION for an illegal name and UNKNOWN_TOPIC_OR_PARTITION when creation is not allowed', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const { body } = await client.request(3, 9, {
      topics: [{ name: 'bad/name' }, { name: 'x'.repeat(250) }, { name: 'not-there' }],
      allowAutoTopicCreation: false,
    });
    client.close();
    expect(body.topics.map((t: { errorCode: number }) => t.errorCode)).toEqual([
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.INVALID_TOPIC_EXCEPTION,
      ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
    ]);
  });

  it('looks topics up by id (v10+) and gives UNKNOWN_TOPIC_ID for an unknown one', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const all = await client.request(3, 12, { topics: null });
    const id = all.body.topics.find((t: { name: string }) => t.name === 'auto-created').topicId;
    const { body } = await client.request(3, 12, {
      topics: [{ name: null, topicId: id }, { name: null, topicId: '6f1b4a52-0c5e-4a53-9e5c-2f8f1f2d9a11' }],
    });
    client.close();
    expect(body.topics[0]).toMatchObject({ errorCode: ErrorCode.NONE, name: 'auto-created', topicId: id });
    expect(body.topics[1]).toMatchObject({ errorCode: ErrorCode.UNKNOWN_TOPIC_ID });
  });

  it('refuses to auto-create a name that collides once "." and "_" are alike, or a replication factor above the live gateways', async () => {
    const client = await RawClient.connect(kpg.bootstrap);
    const first = await client.request(3, 9, { topics: [{ name: 'orders.eu' }], allowAutoTopicCreation: true });
    const clash = await client.request(3, 9, { topics: [{ name: 'orders_eu' }], allowAutoTopicCreation: true });
    client.close();
    expect(first.body.topics[0].errorCode).toBe(ErrorCode.NONE);
    expect(clash.body.topics[0].errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
    const wide = await startTestGateway({ database: kpg.database, brokerConfigs: { 'default.replication.factor': '3' } });
    try {
      const c = await RawClient.connect(wide.bootstrap);
      const { body } = await c.request(3, 9, { topics: [{ name: 'needs-three' }], allowAutoTopicCreation: true });
      c.close();
      expect(body.topics[0].errorCode).toBe(ErrorCode.INVALID_REPLICATION_FACTOR);
    } finally {
      await wide.stop();
    }
  });

  it('does not auto-create when auto.create.topics.enable is false', async () => {
    const other = await startTestGateway({ brokerConfigs: { 'auto.create.topics.enable': 'false' } });
    try {
      const client = await RawClient.connect(other.bootstrap);
      const { body } = await client.request(3, 4, { topics: [{ name: 'wanted' }], allowAutoTopicCreation: true });
      client.close();
      expect(body.topics[0].errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
    } finally {
      await other.stop();
    }
  });
});

describe('several gateways on one Postgres', () => {
  it('each lists both brokers, names the same controller and sees the same topics', async () => {
    const second = await startTestGateway({ database: kpg.database });
    try {
      const fromFirst = await (async () => {
        const c = await RawClient.connect(kpg.bootstrap);
        const r = await c.request(3, 9, { topics: null });
        c.close();
        return r.body;
      })();
      const fromSecond = await (async () => {
        const c = await RawClient.connect(second.bootstrap);
        const r = await c.request(3, 9, { topics: null });
        c.close();
        return r.body;
      })();
      const ids = [kpg.gateway.nodeId, second.gateway.nodeId].sort();
      expect(fromFirst.brokers.map((b: { nodeId: number }) => b.nodeId).sort()).toEqual(ids);
      expect(fromSecond.brokers.map((b: { nodeId: number }) => b.nodeId).sort()).toEqual(ids);
      expect(fromFirst.controllerId).toBe(fromSecond.controllerId);
      expect(ids).toContain(fromFirst.controllerId);
      const names = (body: Record<string, any>) => body.topics.map((t: { name: string }) => t.name).sort();
      expect(names(fromSecond)).toEqual(names(fromFirst));
    } finally {
      await second.stop();
    }
    // A stopped gateway is no longer listed.
    const c = await RawClient.connect(kpg.bootstrap);
    const after = await c.request(3, 9, { topics: [] });
    c.close();
    expect(after.body.brokers.map((b: { nodeId: number }) => b.nodeId)).toEqual([kpg.gateway.nodeId]);
  });

  it('stop() called twice at once stops the gateway once: both calls resolve, the port closes, the broker leaves', async () => {
    const second = await startTestGateway({ database: kpg.database });
    const port = second.gateway.port;
    await Promise.all([second.gateway.stop(), second.gateway.stop()]);
    await second.gateway.stop(); // and once more, after the fact
    await expect(RawClient.connect(`127.0.0.1:${port}`)).rejects.toThrow(/ECONNREFUSED/);
    const c = await RawClient.connect(kpg.bootstrap);
    const after = await c.request(3, 9, { topics: [] });
    c.close();
    expect(after.body.brokers.map((b: { nodeId: number }) => b.nodeId)).toEqual([kpg.gateway.nodeId]);
  });
});
