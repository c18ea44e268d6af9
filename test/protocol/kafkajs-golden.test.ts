/**
 * Golden bytes from a real client: kafkajs 2.2.4's own request encoders build complete request
 * frames (size + header v1 + body), kpg decodes them (checking key field values) and re-encodes
 * them byte for byte. In the other direction kpg encodes responses and kafkajs' own response
 * decoders and parsers read them, as kafkajs' Connection would (size, correlation id, payload).
 */
import { createRequire } from 'node:module';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Struct } from '../../src/protocol/codec.js';
import { apiCodecs, decodeRequest, encodeRequest, encodeResponse } from '../../src/protocol/protocol.js';

// kafkajs ships no types for its protocol internals: they are loaded with require() and used untyped.
const require = createRequire(import.meta.url);
const { requests } = require('kafkajs/src/protocol/requests');
const apiKeys: Record<string, number> = require('kafkajs/src/protocol/requests/apiKeys');
const createRequest = require('kafkajs/src/protocol/request');
const KjsEncoder = require('kafkajs/src/protocol/encoder');
const KjsDecoder = require('kafkajs/src/protocol/decoder');
const Long = require('kafkajs/src/utils/long');
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0');
const Record = require('kafkajs/src/protocol/recordBatch/record/v0');
const RecordBatchDecoder = require('kafkajs/src/protocol/recordBatch/v0/decoder');
const MessageSetDecoder = require('kafkajs/src/protocol/messageSet/decoder');

const CORRELATION_ID = 0x01020304;
const CLIENT_ID = 'kafkajs-golden';
const TS = 1700000000000;

// ---------------------------------------------------------------------------------------------
// kafkajs' decoders do not check that a response was consumed entirely. To notice extra or
// misplaced trailing fields, every Decoder reading the payload we hand over is tracked.
const tracked = new Map<Buffer, any>();
const originals = new Map<string, (...args: unknown[]) => unknown>();
beforeAll(() => {
  for (const name of Object.getOwnPropertyNames(KjsDecoder.prototype)) {
    if (!name.startsWith('read')) continue;
    const orig = KjsDecoder.prototype[name];
    originals.set(name, orig);
    KjsDecoder.prototype[name] = function (this: any, ...args: unknown[]) {
      if (tracked.has(this.buffer)) tracked.set(this.buffer, this);
      return orig.apply(this, args);
    };
  }
});
afterAll(() => {
  for (const [name, orig] of originals) KjsDecoder.prototype[name] = orig;
});

// ---------------------------------------------------------------------------------------------

interface KafkajsRequest {
  frame: Buffer;
  body: Struct;
  response: { decode(payload: Buffer): Promise<any>; parse(data: any): Promise<any> };
}

/**
 * Builds a request with kafkajs (protocol definition -> request -> framed by kafkajs' request.js),
 * decodes it with kpg, checks the header and that kpg re-encodes the identical bytes.
 */
async function fromKafkajs(apiName: string, version: number, args: unknown): Promise<KafkajsRequest> {
  const { request, response } = requests[apiName].protocol({ version })(args);
  expect(request.apiVersion).toBe(version);
  const frame: Buffer = (await createRequest({ correlationId: CORRELATION_ID, clientId: CLIENT_ID, request })).buffer;
  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
  const apiKey = apiKeys[apiName]!;
  const codecs = apiCodecs(apiKey);
  expect(codecs, `kpg has no codec for ${apiName}`).toBeDefined();
  const decoded = decodeRequest(frame.subarray(4), codecs!, version);
  expect(decoded.header).toEqual({ apiKey, apiVersion: version, correlationId: CORRELATION_ID, clientId: CLIENT_ID });
  const again = encodeRequest(decoded.header, decoded.body);
  expect(again.toString('hex')).toBe(frame.toString('hex'));
  return { frame, body: decoded.body, response };
}

/** Encodes a response with kpg and lets kafkajs decode it (and checks kafkajs consumed every byte). */
async function kafkajsDecodes(apiName: string, version: number, body: Struct, response: KafkajsRequest['response']): Promise<any> {
  const apiKey = apiKeys[apiName]!;
  const frame = Buffer.concat(encodeResponse(apiCodecs(apiKey)!.response, apiKey, version, CORRELATION_ID, body));
  const outer = new KjsDecoder(frame);
  expect(outer.readInt32()).toBe(frame.length - 4);
  const inner = new KjsDecoder(outer.readBytes(frame.length - 4));
  expect(inner.readInt32()).toBe(CORRELATION_ID);
  const payload: Buffer = inner.readAll();
  tracked.set(payload, undefined);
  try {
    const decoded = await response.decode(payload);
    const top = tracked.get(payload);
    expect(top, 'kafkajs did not read the payload').toBeDefined();
    expect(top.offset, `kafkajs left ${payload.length - top.offset} bytes unread`).toBe(payload.length);
    return decoded;
  } finally {
    tracked.delete(payload);
  }
}

/** decode + parse, as kafkajs' Connection does. */
async function kafkajsParses(apiName: string, version: number, body: Struct, response: KafkajsRequest['response']): Promise<any> {
  return response.parse(await kafkajsDecodes(apiName, version, body, response));
}

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);

async function kafkajsBatch(firstOffset: bigint): Promise<Buffer> {
  const records = [
    Record({ offsetDelta: 0, timestampDelta: 0, key: Buffer.from('k1'), value: Buffer.from('v1'), headers: { h: 'x' } }),
    Record({ offsetDelta: 1, timestampDelta: 5, key: null, value: Buffer.from('v2') }),
  ];
  const batch = await RecordBatch({
    firstOffset: new Long(firstOffset),
    firstTimestamp: TS,
    maxTimestamp: TS + 5,
    lastOffsetDelta: 1,
    records,
  });
  return batch.buffer;
}

// ---------------------------------------------------------------------------------------------

describe('kafkajs 2.2.4 requests decode in kpg and re-encode byte for byte; kpg responses parse in kafkajs', () => {
  it('the kafkajs request definitions used here exist', () => {
    for (const name of ['ApiVersions', 'Metadata', 'Produce', 'Fetch', 'ListOffsets', 'CreateTopics', 'DeleteTopics',
      'DescribeConfigs', 'AlterConfigs', 'CreatePartitions', 'DeleteRecords', 'InitProducerId', 'GroupCoordinator',
      'JoinGroup', 'SyncGroup', 'Heartbeat', 'LeaveGroup', 'OffsetCommit', 'OffsetFetch', 'DescribeGroups', 'ListGroups',
      'DeleteGroups', 'SaslHandshake', 'SaslAuthenticate']) {
      expect(requests[name].versions.length, name).toBeGreaterThan(0);
    }
  });

  it('the unread-bytes check notices a layout mismatch', async () => {
    // A Heartbeat v1 response (throttle + error) read with kafkajs' v0 decoder (error only).
    const { response } = requests.Heartbeat.protocol({ version: 0 })({ groupId: 'g', groupGenerationId: 1, memberId: 'm' });
    await expect(kafkajsDecodes('Heartbeat', 1, { throttleTimeMs: 0, errorCode: 0 }, response)).rejects.toThrow(/4 bytes unread/);
  });

  describe('ApiVersions', () => {
    it.each(range(0, 2))('v%i', async (v) => {
      const { body, response, frame } = await fromKafkajs('ApiVersions', v, {});
      expect(frame.length).toBe(4 + 8 + 2 + CLIENT_ID.length); // header only, empty body
      expect(body.clientSoftwareName).toBe('');
      const parsed = await kafkajsParses('ApiVersions', v, {
        errorCode: 0,
        apiKeys: [
          { apiKey: 0, minVersion: 0, maxVersion: 13 },
          { apiKey: 18, minVersion: 0, maxVersion: 4 },
        ],
        throttleTimeMs: 9,
      }, response);
      expect(parsed.errorCode).toBe(0);
      expect(parsed.apiVersions).toEqual([
        { apiKey: 0, minVersion: 0, maxVersion: 13 },
        { apiKey: 18, minVersion: 0, maxVersion: 4 },
      ]);
      if (v === 1) expect(parsed.throttleTime).toBe(9);
      if (v === 2) expect(parsed.clientSideThrottleTime).toBe(9);
    });

    it('UNSUPPORTED_VERSION in the v0 layout is understood by every kafkajs version', async () => {
      for (const v of range(0, 2)) {
        const { response } = requests.ApiVersions.protocol({ version: v })({});
        // kafkajs falls back to a lower version on this error: it must be raised from the v0 layout.
        const frame = Buffer.concat(encodeResponse(apiCodecs(18)!.response, 18, 0, 1, {
          errorCode: 35,
          apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }],
        }));
        await expect(response.decode(frame.subarray(8))).rejects.toMatchObject({ type: 'UNSUPPORTED_VERSION' });
      }
    });
  });

  describe('Metadata', () => {
    it.each(range(0, 6))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('Metadata', v, { topics: ['orders', 'päyments'], allowAutoTopicCreation: false });
      expect(body.topics.map((t: Struct) => t.name)).toEqual(['orders', 'päyments']);
      expect(body.allowAutoTopicCreation).toBe(v >= 4 ? false : true);

      const parsed = await kafkajsParses('Metadata', v, {
        throttleTimeMs: 4,
        brokers: [{ nodeId: 1, host: 'broker-1.local', port: 9092, rack: 'r1' }],
        clusterId: 'kpg-cluster',
        controllerId: 1,
        topics: [{
          errorCode: 0,
          name: 'orders',
          isInternal: false,
          partitions: [{ errorCode: 0, partitionIndex: 0, leaderId: 1, leaderEpoch: 3, replicaNodes: [1], isrNodes: [1], offlineReplicas: [2] }],
        }],
      }, response);
      expect(parsed.brokers).toEqual([{ nodeId: 1, host: 'broker-1.local', port: 9092, ...(v >= 1 ? { rack: 'r1' } : {}) }]);
      expect(parsed.topicMetadata).toHaveLength(1);
      expect(parsed.topicMetadata[0]).toMatchObject({ topicErrorCode: 0, topic: 'orders' });
      expect(parsed.topicMetadata[0].partitionMetadata).toEqual([{
        partitionErrorCode: 0, partitionId: 0, leader: 1, replicas: [1], isr: [1], ...(v >= 5 ? { offlineReplicas: [2] } : {}),
      }]);
      if (v >= 1) expect(parsed.controllerId).toBe(1);
      if (v >= 2) expect(parsed.clusterId).toBe('kpg-cluster');
      if (v >= 3 && v <= 5) expect(parsed.throttleTime).toBe(4);
      if (v >= 6) expect(parsed.clientSideThrottleTime).toBe(4);
    });

    it('v1+ empty topic list is sent as null (= all topics), v0 as empty', async () => {
      expect((await fromKafkajs('Metadata', 0, { topics: [] })).body.topics).toEqual([]);
      for (const v of range(1, 6)) expect((await fromKafkajs('Metadata', v, { topics: [] })).body.topics).toBeNull();
    });

    it('topic errors reach kafkajs', async () => {
      const { response } = requests.Metadata.protocol({ version: 6 })({ topics: ['x'] });
      await expect(kafkajsParses('Metadata', 6, {
        brokers: [], controllerId: -1, topics: [{ errorCode: 3, name: 'x', partitions: [] }],
      }, response)).rejects.toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    });
  });

  describe('Produce', () => {
    it.each(range(0, 7))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('Produce', v, {
        acks: -1,
        timeout: 30000,
        transactionalId: v >= 3 ? 'tx-1' : undefined,
        producerId: new Long(4000n),
        producerEpoch: 2,
        topicData: [{
          topic: 'orders',
          partitions: [{ partition: 3, firstSequence: 0, messages: [{ key: 'k1', value: 'v1', timestamp: TS }, { key: null, value: 'v2', timestamp: TS + 1 }] }],
        }],
      });
      expect(body.acks).toBe(-1);
      expect(body.timeoutMs).toBe(30000);
      expect(body.transactionalId).toBe(v >= 3 ? 'tx-1' : null);
      expect(body.topicData).toHaveLength(1);
      expect(body.topicData[0].name).toBe('orders');
      expect(body.topicData[0].partitionData).toHaveLength(1);
      expect(body.topicData[0].partitionData[0].index).toBe(3);
      const records: Buffer = body.topicData[0].partitionData[0].records;
      if (v >= 3) {
        // One magic-2 record batch, exactly as kafkajs' RecordBatch encoder wrote it.
        expect(records.readInt8(16)).toBe(2);
        const batch = await RecordBatchDecoder(new KjsDecoder(records));
        expect(batch.producerId).toBe('4000');
        expect(batch.inTransaction).toBe(true);
        expect(batch.records.map((r: any) => [r.key?.toString() ?? null, r.value.toString()])).toEqual([['k1', 'v1'], [null, 'v2']]);
      } else {
        const messages = await MessageSetDecoder(new KjsDecoder(records), records.length);
        expect(messages.map((m: any) => m.value.toString())).toEqual(['v1', 'v2']);
      }

      const parsed = await kafkajsParses('Produce', v, {
        responses: [{ name: 'orders', partitionResponses: [{ index: 3, errorCode: 0, baseOffset: 42n, logAppendTimeMs: -1n, logStartOffset: 7n }] }],
        throttleTimeMs: 11,
      }, response);
      expect(parsed.topics).toHaveLength(1);
      expect(parsed.topics[0].topicName).toBe('orders');
      const p = parsed.topics[0].partitions[0];
      expect(p.partition).toBe(3);
      expect(p.errorCode).toBe(0);
      expect(v >= 3 ? p.baseOffset : p.offset).toBe('42');
      if (v === 2) expect(p.timestamp).toBe('-1');
      if (v >= 3) expect(p.logAppendTime).toBe('-1');
      if (v >= 5) expect(p.logStartOffset).toBe('7');
      if (v >= 1 && v <= 5) expect(parsed.throttleTime).toBe(11);
      if (v >= 6) expect(parsed.clientSideThrottleTime).toBe(11);
    });

    it('partition errors reach kafkajs', async () => {
      const { response } = requests.Produce.protocol({ version: 7 })({ acks: 1, timeout: 1, topicData: [] });
      await expect(kafkajsParses('Produce', 7, {
        responses: [{ name: 't', partitionResponses: [{ index: 0, errorCode: 2, baseOffset: -1n }] }],
      }, response)).rejects.toMatchObject({ type: 'CORRUPT_MESSAGE' });
    });
  });

  describe('Fetch', () => {
    it.each(range(4, 11))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('Fetch', v, {
        replicaId: -1,
        maxWaitTime: 500,
        minBytes: 1,
        maxBytes: 10485760,
        isolationLevel: 1,
        sessionId: 0,
        sessionEpoch: -1,
        rackId: 'rack-a',
        forgottenTopics: [{ topic: 'old', partitions: [1, 2] }],
        topics: [{ topic: 'orders', partitions: [{ partition: 0, fetchOffset: '12', maxBytes: 1048576, currentLeaderEpoch: 5 }] }],
      });
      expect(body).toMatchObject({ replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 10485760, isolationLevel: 1 });
      expect(body.topics).toHaveLength(1);
      expect(body.topics[0].topic).toBe('orders');
      expect(body.topics[0].partitions).toEqual([expect.objectContaining({
        partition: 0,
        fetchOffset: 12n,
        partitionMaxBytes: 1048576,
        logStartOffset: -1n,
        currentLeaderEpoch: v >= 9 ? 5 : -1,
      })]);
      if (v >= 7) {
        expect(body.sessionId).toBe(0);
        expect(body.sessionEpoch).toBe(-1);
        expect(body.forgottenTopicsData).toEqual([expect.objectContaining({ topic: 'old', partitions: [1, 2] })]);
      }
      expect(body.rackId).toBe(v >= 11 ? 'rack-a' : '');

      const records = await kafkajsBatch(12n);
      const decoded = await kafkajsDecodes('Fetch', v, {
        throttleTimeMs: 0,
        errorCode: 0,
        sessionId: 77,
        responses: [{
          topic: 'orders',
          partitions: [{
            partitionIndex: 0, errorCode: 0, highWatermark: 20n, lastStableOffset: 18n, logStartOffset: 1n,
            abortedTransactions: [{ producerId: 5n, firstOffset: 10n }], preferredReadReplica: -1, records,
          }],
        }],
      }, response);
      const parsed = await response.parse(decoded);
      if (v >= 7) expect(parsed).toMatchObject({ errorCode: 0, sessionId: 77 });
      expect(parsed.responses).toHaveLength(1);
      expect(parsed.responses[0].topicName).toBe('orders');
      const p = parsed.responses[0].partitions[0];
      expect(p).toMatchObject({ partition: 0, errorCode: 0, highWatermark: '20', lastStableOffset: '18' });
      if (v >= 5) expect(p.lastStartOffset).toBe('1');
      if (v >= 11) expect(p.preferredReadReplica).toBe(-1);
      expect(p.abortedTransactions).toEqual([{ producerId: '5', firstOffset: '10' }]);
      expect(p.messages.map((m: any) => [m.offset, m.key?.toString() ?? null, m.value.toString(), m.timestamp])).toEqual([
        ['12', 'k1', 'v1', String(TS)],
        ['13', null, 'v2', String(TS + 5)],
      ]);
      expect(p.messages[0].headers.h.toString()).toBe('x');
    });

    it('empty and null records parse as no messages; OFFSET_OUT_OF_RANGE reaches kafkajs', async () => {
      const { response } = requests.Fetch.protocol({ version: 11 })({ replicaId: -1, maxWaitTime: 1, minBytes: 1, maxBytes: 1, topics: [] });
      for (const records of [null, Buffer.alloc(0)]) {
        const parsed = await kafkajsParses('Fetch', 11, {
          responses: [{ topic: 't', partitions: [{ partitionIndex: 0, highWatermark: 0n, records }] }],
        }, response);
        expect(parsed.responses[0].partitions[0].messages).toEqual([]);
      }
      await expect(kafkajsParses('Fetch', 11, {
        responses: [{ topic: 't', partitions: [{ partitionIndex: 0, errorCode: 1, highWatermark: 0n, records: null }] }],
      }, response)).rejects.toMatchObject({ name: 'KafkaJSOffsetOutOfRange', topic: 't', partition: 0 });
    });
  });

  describe('ListOffsets', () => {
    it.each(range(0, 3))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('ListOffsets', v, {
        replicaId: -1,
        isolationLevel: 1,
        topics: [{ topic: 'orders', partitions: [{ partition: 2, timestamp: -2 }] }],
      });
      expect(body.replicaId).toBe(-1);
      expect(body.isolationLevel).toBe(v >= 2 ? 1 : 0);
      expect(body.topics).toEqual([expect.objectContaining({ name: 'orders' })]);
      expect(body.topics[0].partitions).toEqual([expect.objectContaining({ partitionIndex: 2, timestamp: -2n, maxNumOffsets: 1 })]);

      const parsed = await kafkajsParses('ListOffsets', v, {
        throttleTimeMs: 0,
        topics: [{ name: 'orders', partitions: [{ partitionIndex: 2, errorCode: 0, oldStyleOffsets: [5n], timestamp: -1n, offset: 5n }] }],
      }, response);
      expect(parsed.responses[0].topic).toBe('orders');
      const p = parsed.responses[0].partitions[0];
      expect(p.partition).toBe(2);
      if (v === 0) expect(p.offsets).toEqual(['5']);
      else expect(p).toMatchObject({ timestamp: '-1', offset: '5' });
    });
  });

  describe('CreateTopics', () => {
    it.each(range(0, 3))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('CreateTopics', v, {
        topics: [{
          topic: 'orders', numPartitions: 3, replicationFactor: 1,
          replicaAssignment: [{ partition: 0, replicas: [1, 2] }],
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        }],
        timeout: 5000,
        validateOnly: true,
      });
      expect(body.topics).toEqual([{
        name: 'orders', numPartitions: 3, replicationFactor: 1,
        assignments: [{ partitionIndex: 0, brokerIds: [1, 2] }],
        configs: [{ name: 'cleanup.policy', value: 'compact' }],
      }]);
      expect(body.timeoutMs).toBe(5000);
      expect(body.validateOnly).toBe(v >= 1);

      const parsed = await kafkajsParses('CreateTopics', v, {
        throttleTimeMs: 0,
        topics: [{ name: 'orders', errorCode: 0, errorMessage: null }, { name: 'alpha', errorCode: 0, errorMessage: null }],
      }, response);
      expect(parsed.topicErrors.map((t: any) => [t.topic, t.errorCode])).toEqual([['alpha', 0], ['orders', 0]]);
      if (v >= 1) expect(parsed.topicErrors[0].errorMessage).toBeNull();
    });

    it('TOPIC_ALREADY_EXISTS reaches kafkajs', async () => {
      const { response } = requests.CreateTopics.protocol({ version: 3 })({ topics: [] });
      await expect(kafkajsParses('CreateTopics', 3, {
        topics: [{ name: 'orders', errorCode: 36, errorMessage: 'exists' }],
      }, response)).rejects.toMatchObject({ name: 'KafkaJSAggregateError' });
    });
  });

  describe('DeleteTopics', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('DeleteTopics', v, { topics: ['a', 'b'], timeout: 1000 });
      expect(body.topicNames).toEqual(['a', 'b']);
      expect(body.timeoutMs).toBe(1000);
      const parsed = await kafkajsParses('DeleteTopics', v, {
        throttleTimeMs: 3, responses: [{ name: 'b', errorCode: 0 }, { name: 'a', errorCode: 0 }],
      }, response);
      expect(parsed.topicErrors).toEqual([{ topic: 'a', errorCode: 0 }, { topic: 'b', errorCode: 0 }]);
      if (v === 1) expect(parsed.clientSideThrottleTime).toBe(3);
    });
  });

  describe('DescribeConfigs', () => {
    it.each(range(0, 2))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('DescribeConfigs', v, {
        resources: [{ type: 2, name: 'orders', configNames: ['retention.ms'] }, { type: 4, name: '1', configNames: [] }],
        includeSynonyms: true,
      });
      expect(body.resources).toEqual([
        { resourceType: 2, resourceName: 'orders', configurationKeys: ['retention.ms'] },
        { resourceType: 4, resourceName: '1', configurationKeys: null },
      ]);
      expect(body.includeSynonyms).toBe(v >= 1);

      const parsed = await kafkajsParses('DescribeConfigs', v, {
        throttleTimeMs: 0,
        results: [{
          errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders',
          configs: [{
            name: 'retention.ms', value: '1000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false,
            synonyms: [{ name: 'retention.ms', value: '1000', source: 1 }],
          }],
        }],
      }, response);
      expect(parsed.resources).toHaveLength(1);
      expect(parsed.resources[0]).toMatchObject({ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' });
      expect(parsed.resources[0].configEntries).toEqual([expect.objectContaining({
        configName: 'retention.ms', configValue: '1000', readOnly: false, isDefault: false, configSource: 1, isSensitive: false,
      })]);
      if (v >= 1) {
        expect(parsed.resources[0].configEntries[0].configSynonyms).toEqual([{ configName: 'retention.ms', configValue: '1000', configSource: 1 }]);
      }
    });
  });

  describe('AlterConfigs', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('AlterConfigs', v, {
        resources: [{ type: 2, name: 'orders', configEntries: [{ name: 'retention.ms', value: '1' }, { name: 'x', value: null }] }],
        validateOnly: true,
      });
      expect(body).toEqual({
        resources: [{ resourceType: 2, resourceName: 'orders', configs: [{ name: 'retention.ms', value: '1' }, { name: 'x', value: null }] }],
        validateOnly: true,
      });
      const parsed = await kafkajsParses('AlterConfigs', v, {
        throttleTimeMs: 0, responses: [{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }],
      }, response);
      expect(parsed.resources).toEqual([{ errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders' }]);
    });
  });

  describe('CreatePartitions', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('CreatePartitions', v, {
        topicPartitions: [{ topic: 'orders', count: 4, assignments: [[1], [2]] }, { topic: 'other', count: 2 }],
        timeout: 2000,
        validateOnly: false,
      });
      expect(body).toEqual({
        topics: [
          { name: 'orders', count: 4, assignments: [{ brokerIds: [1] }, { brokerIds: [2] }] },
          { name: 'other', count: 2, assignments: null },
        ],
        timeoutMs: 2000,
        validateOnly: false,
      });
      const parsed = await kafkajsParses('CreatePartitions', v, {
        throttleTimeMs: 0, results: [{ name: 'orders', errorCode: 0, errorMessage: null }],
      }, response);
      expect(parsed.topicErrors).toEqual([{ topic: 'orders', errorCode: 0, errorMessage: null }]);
    });
  });

  describe('DeleteRecords', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const topics = [{ topic: 'orders', partitions: [{ partition: 0, offset: '7' }] }];
      const { body, response } = await fromKafkajs('DeleteRecords', v, { topics, timeout: 5000 });
      expect(body).toEqual({ topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, offset: 7n }] }], timeoutMs: 5000 });
      const parsed = await kafkajsParses('DeleteRecords', v, {
        throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, lowWatermark: 7n, errorCode: 0 }] }],
      }, response);
      expect(parsed.topics[0].topic).toBe('orders');
      expect(parsed.topics[0].partitions[0].partition).toBe(0);
      expect(parsed.topics[0].partitions[0].lowWatermark.toString()).toBe('7');
      expect(parsed.topics[0].partitions[0].errorCode).toBe(0);
    });
  });

  describe('InitProducerId', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      for (const transactionalId of ['tx-1', null]) {
        const { body, response } = await fromKafkajs('InitProducerId', v, { transactionalId, transactionTimeout: 60000 });
        expect(body).toMatchObject({ transactionalId, transactionTimeoutMs: 60000 });
        const parsed = await kafkajsParses('InitProducerId', v, {
          throttleTimeMs: 0, errorCode: 0, producerId: 9007199254740993n, producerEpoch: 3,
        }, response);
        expect(parsed).toMatchObject({ errorCode: 0, producerId: '9007199254740993', producerEpoch: 3 });
      }
    });
  });

  describe('FindCoordinator', () => {
    it.each(range(0, 2))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('GroupCoordinator', v, { groupId: 'group-1', coordinatorType: 0 });
      expect(body.key).toBe('group-1');
      expect(body.keyType).toBe(0);
      const parsed = await kafkajsParses('GroupCoordinator', v, {
        throttleTimeMs: 0, errorCode: 0, errorMessage: null, nodeId: 1, host: 'localhost', port: 9092,
      }, response);
      expect(parsed.errorCode).toBe(0);
      expect(parsed.coordinator).toEqual({ nodeId: 1, host: 'localhost', port: 9092 });
      if (v >= 1) expect(parsed.errorMessage).toBeNull();
    });

    it('transactional coordinator key type', async () => {
      const { body } = await fromKafkajs('GroupCoordinator', 2, { groupId: 'tx-1', coordinatorType: 1 });
      expect(body).toMatchObject({ key: 'tx-1', keyType: 1 });
    });

    it('COORDINATOR_NOT_AVAILABLE reaches kafkajs', async () => {
      const { response } = requests.GroupCoordinator.protocol({ version: 2 })({ groupId: 'g' });
      await expect(kafkajsParses('GroupCoordinator', 2, { errorCode: 15, nodeId: -1, host: '', port: -1 }, response))
        .rejects.toMatchObject({ type: 'GROUP_COORDINATOR_NOT_AVAILABLE' });
    });
  });

  describe('JoinGroup', () => {
    const metadata = Buffer.from([0, 1, 0, 0, 0, 1, 0, 6, 111, 114, 100, 101, 114, 115, 0, 0, 0, 0]);
    it.each(range(0, 5))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('JoinGroup', v, {
        groupId: 'group-1', sessionTimeout: 30000, rebalanceTimeout: 60000, memberId: '', groupInstanceId: null,
        protocolType: 'consumer', groupProtocols: [{ name: 'RoundRobinAssigner', metadata }],
      });
      expect(body).toMatchObject({ groupId: 'group-1', sessionTimeoutMs: 30000, memberId: '', protocolType: 'consumer', groupInstanceId: null });
      expect(body.rebalanceTimeoutMs).toBe(v >= 1 ? 60000 : -1);
      expect(body.protocols).toEqual([{ name: 'RoundRobinAssigner', metadata }]);

      const parsed = await kafkajsParses('JoinGroup', v, {
        throttleTimeMs: 0, errorCode: 0, generationId: 4, protocolName: 'RoundRobinAssigner', leader: 'm-1', memberId: 'm-1',
        members: [{ memberId: 'm-1', groupInstanceId: null, metadata }],
      }, response);
      expect(parsed).toMatchObject({ errorCode: 0, generationId: 4, groupProtocol: 'RoundRobinAssigner', leaderId: 'm-1', memberId: 'm-1' });
      expect(parsed.members).toHaveLength(1);
      expect(parsed.members[0].memberId).toBe('m-1');
      expect(Buffer.from(parsed.members[0].memberMetadata).equals(metadata)).toBe(true);
      if (v >= 5) expect(parsed.members[0].groupInstanceId).toBeNull();
    });

    it('MEMBER_ID_REQUIRED (v4+) hands kafkajs the member id to rejoin with', async () => {
      for (const v of [4, 5]) {
        const { response } = requests.JoinGroup.protocol({ version: v })({
          groupId: 'g', sessionTimeout: 1, rebalanceTimeout: 1, memberId: '', protocolType: 'consumer', groupProtocols: [],
        });
        await expect(kafkajsParses('JoinGroup', v, {
          errorCode: 79, generationId: -1, protocolName: '', leader: '', memberId: 'assigned-id', members: [],
        }, response)).rejects.toMatchObject({ name: 'KafkaJSMemberIdRequired', memberId: 'assigned-id' });
      }
    });
  });

  describe('SyncGroup', () => {
    const assignment = Buffer.from([0, 1, 0, 0, 0, 1, 0, 1, 116, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    it.each(range(0, 3))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('SyncGroup', v, {
        groupId: 'group-1', generationId: 4, memberId: 'm-1', groupInstanceId: null,
        groupAssignment: [{ memberId: 'm-1', memberAssignment: assignment }, { memberId: 'm-2', memberAssignment: Buffer.alloc(0) }],
      });
      expect(body).toMatchObject({ groupId: 'group-1', generationId: 4, memberId: 'm-1', groupInstanceId: null });
      expect(body.assignments).toEqual([{ memberId: 'm-1', assignment }, { memberId: 'm-2', assignment: Buffer.alloc(0) }]);
      const parsed = await kafkajsParses('SyncGroup', v, { throttleTimeMs: 0, errorCode: 0, assignment }, response);
      expect(parsed.errorCode).toBe(0);
      expect(Buffer.from(parsed.memberAssignment).equals(assignment)).toBe(true);
    });
  });

  describe('Heartbeat', () => {
    it.each(range(0, 3))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('Heartbeat', v, { groupId: 'group-1', groupGenerationId: 4, memberId: 'm-1', groupInstanceId: null });
      expect(body).toMatchObject({ groupId: 'group-1', generationId: 4, memberId: 'm-1', groupInstanceId: null });
      expect((await kafkajsParses('Heartbeat', v, { throttleTimeMs: 0, errorCode: 0 }, response)).errorCode).toBe(0);
      await expect(kafkajsParses('Heartbeat', v, { errorCode: 27 }, response)).rejects.toMatchObject({ type: 'REBALANCE_IN_PROGRESS' });
    });
  });

  describe('LeaveGroup', () => {
    it.each(range(0, 3))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('LeaveGroup', v, { groupId: 'group-1', memberId: 'm-1', groupInstanceId: null });
      expect(body.groupId).toBe('group-1');
      if (v < 3) expect(body.memberId).toBe('m-1');
      else expect(body.members).toEqual([{ memberId: 'm-1', groupInstanceId: null, reason: null }]);
      const parsed = await kafkajsParses('LeaveGroup', v, {
        throttleTimeMs: 0, errorCode: 0, members: [{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }],
      }, response);
      expect(parsed.errorCode).toBe(0);
      if (v >= 3) expect(parsed.members).toEqual([{ memberId: 'm-1', groupInstanceId: null, errorCode: 0 }]);
    });
  });

  describe('OffsetCommit', () => {
    it.each(range(0, 5))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('OffsetCommit', v, {
        groupId: 'group-1', groupGenerationId: 4, memberId: 'm-1', retentionTime: -1,
        topics: [{ topic: 'orders', partitions: [{ partition: 0, offset: '42', timestamp: TS, metadata: null }, { partition: 1, offset: '7', timestamp: TS, metadata: 'md' }] }],
      });
      expect(body.groupId).toBe('group-1');
      if (v >= 1) expect(body).toMatchObject({ generationIdOrMemberEpoch: 4, memberId: 'm-1' });
      if (v >= 2 && v <= 4) expect(body.retentionTimeMs).toBe(-1n);
      expect(body.topics).toHaveLength(1);
      expect(body.topics[0].name).toBe('orders');
      expect(body.topics[0].partitions.map((p: Struct) => [p.partitionIndex, p.committedOffset, p.committedMetadata])).toEqual([
        [0, 42n, null],
        [1, 7n, 'md'],
      ]);
      if (v === 1) expect(body.topics[0].partitions[0].commitTimestamp).toBe(BigInt(TS));
      const parsed = await kafkajsParses('OffsetCommit', v, {
        throttleTimeMs: 0, topics: [{ name: 'orders', partitions: [{ partitionIndex: 0, errorCode: 0 }, { partitionIndex: 1, errorCode: 0 }] }],
      }, response);
      expect(parsed.responses).toEqual([{ topic: 'orders', partitions: [{ partition: 0, errorCode: 0 }, { partition: 1, errorCode: 0 }] }]);
    });

    it('ILLEGAL_GENERATION reaches kafkajs', async () => {
      const { response } = requests.OffsetCommit.protocol({ version: 5 })({ groupId: 'g', topics: [] });
      await expect(kafkajsParses('OffsetCommit', 5, {
        topics: [{ name: 't', partitions: [{ partitionIndex: 0, errorCode: 22 }] }],
      }, response)).rejects.toMatchObject({ type: 'ILLEGAL_GENERATION' });
    });
  });

  describe('OffsetFetch', () => {
    it.each(range(1, 4))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('OffsetFetch', v, {
        groupId: 'group-1', topics: [{ topic: 'orders', partitions: [{ partition: 0 }, { partition: 1 }] }],
      });
      expect(body.groupId).toBe('group-1');
      expect(body.topics).toEqual([{ name: 'orders', partitionIndexes: [0, 1] }]);
      const parsed = await kafkajsParses('OffsetFetch', v, {
        throttleTimeMs: 0,
        errorCode: 0,
        topics: [{ name: 'orders', partitions: [
          { partitionIndex: 0, committedOffset: 42n, metadata: '', errorCode: 0 },
          { partitionIndex: 1, committedOffset: -1n, metadata: null, errorCode: 0 },
        ] }],
      }, response);
      expect(parsed.responses).toEqual([{ topic: 'orders', partitions: [
        { partition: 0, offset: '42', metadata: '', errorCode: 0 },
        { partition: 1, offset: '-1', metadata: null, errorCode: 0 },
      ] }]);
    });

    it('v3+ fetching all offsets sends null topics', async () => {
      const { body } = await fromKafkajs('OffsetFetch', 3, { groupId: 'g', topics: [] });
      expect(body.topics).toBeNull();
    });

    it('a top-level error (v2+) reaches kafkajs', async () => {
      const { response } = requests.OffsetFetch.protocol({ version: 4 })({ groupId: 'g', topics: [] });
      await expect(kafkajsParses('OffsetFetch', 4, { topics: [], errorCode: 16 }, response))
        .rejects.toMatchObject({ type: 'NOT_COORDINATOR_FOR_GROUP' });
    });
  });

  describe('DescribeGroups', () => {
    it.each(range(0, 2))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('DescribeGroups', v, { groupIds: ['group-1', 'group-2'] });
      expect(body.groups).toEqual(['group-1', 'group-2']);
      const parsed = await kafkajsParses('DescribeGroups', v, {
        throttleTimeMs: 0,
        groups: [{
          errorCode: 0, groupId: 'group-1', groupState: 'Stable', protocolType: 'consumer', protocolData: 'RoundRobinAssigner',
          members: [{ memberId: 'm-1', clientId: 'c', clientHost: '/127.0.0.1', memberMetadata: Buffer.from([1]), memberAssignment: Buffer.from([2]) }],
        }],
      }, response);
      expect(parsed.groups).toHaveLength(1);
      expect(parsed.groups[0]).toMatchObject({ errorCode: 0, groupId: 'group-1', state: 'Stable', protocolType: 'consumer', protocol: 'RoundRobinAssigner' });
      expect(parsed.groups[0].members[0]).toMatchObject({ memberId: 'm-1', clientId: 'c', clientHost: '/127.0.0.1' });
      expect([...parsed.groups[0].members[0].memberAssignment]).toEqual([2]);
    });
  });

  describe('ListGroups', () => {
    it.each(range(0, 2))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('ListGroups', v, {});
      expect(body.statesFilter).toEqual([]);
      const parsed = await kafkajsParses('ListGroups', v, {
        throttleTimeMs: 0, errorCode: 0, groups: [{ groupId: 'group-1', protocolType: 'consumer' }],
      }, response);
      expect(parsed.errorCode).toBe(0);
      expect(parsed.groups).toEqual([{ groupId: 'group-1', protocolType: 'consumer' }]);
    });
  });

  describe('DeleteGroups', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('DeleteGroups', v, ['group-1', 'group-2']);
      expect(body.groupsNames).toEqual(['group-1', 'group-2']);
      const parsed = await kafkajsParses('DeleteGroups', v, {
        throttleTimeMs: 0, results: [{ groupId: 'group-1', errorCode: 0 }, { groupId: 'group-2', errorCode: 69 }],
      }, response);
      expect(parsed.results.map((r: any) => [r.groupId, r.errorCode])).toEqual([['group-1', 0], ['group-2', 69]]);
      expect(parsed.results[1].error).toMatchObject({ type: 'GROUP_ID_NOT_FOUND' });
    });
  });

  describe('SaslHandshake', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const { body, response } = await fromKafkajs('SaslHandshake', v, { mechanism: 'PLAIN' });
      expect(body.mechanism).toBe('PLAIN');
      const parsed = await kafkajsParses('SaslHandshake', v, { errorCode: 0, mechanisms: ['PLAIN', 'SCRAM-SHA-256'] }, response);
      expect(parsed.enabledMechanisms).toEqual(['PLAIN', 'SCRAM-SHA-256']);
      await expect(kafkajsParses('SaslHandshake', v, { errorCode: 33, mechanisms: ['PLAIN'] }, response))
        .rejects.toMatchObject({ type: 'UNSUPPORTED_SASL_MECHANISM' });
    });
  });

  describe('SaslAuthenticate', () => {
    it.each(range(0, 1))('v%i', async (v) => {
      const token = Buffer.from('\0user\0pässword');
      // kafkajs' SASL mechanisms hand the request already length-prefixed auth bytes.
      const { body, response } = await fromKafkajs('SaslAuthenticate', v, { authBytes: new KjsEncoder().writeBytes(token).buffer });
      expect(body.authBytes.equals(token)).toBe(true);
      const parsed = await kafkajsParses('SaslAuthenticate', v, {
        errorCode: 0, errorMessage: null, authBytes: Buffer.from('ok'), sessionLifetimeMs: 3600000n,
      }, response);
      expect(parsed.errorCode).toBe(0);
      expect(parsed.errorMessage).toBeNull();
      // kafkajs re-prefixes the received bytes with their int32 length.
      expect(parsed.authBytes.equals(new KjsEncoder().writeBytes(Buffer.from('ok')).buffer)).toBe(true);
      if (v >= 1) expect(parsed.sessionLifetimeMs).toBe('3600000');
      await expect(kafkajsParses('SaslAuthenticate', v, {
        errorCode: 58, errorMessage: 'Authentication failed: invalid credentials', authBytes: Buffer.alloc(0),
      }, response)).rejects.toMatchObject({ type: 'SASL_AUTHENTICATION_FAILED', message: 'Authentication failed: invalid credentials' });
    });
  });
});
