/**
 * The internal topic __consumer_offsets: created on the first group coordinator use (50 partitions,
 * internal, Kafka's configs), holding Kafka's OffsetCommit and GroupMetadata records written from kpg's
 * group tables, with tombstones; producing to it is refused as Kafka refuses it. kafkajs and raw requests.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGroupMetadataValue, decodeOffsetCommitValue, decodeOffsetsTopicKey, offsetsTopicPartition } from '../../src/groups/offsets-topic.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { readPartition, type ReadRecord } from '../support/read-partition.js';
import { CLIENT_PYTHON, confluentKafkaMissing, realClientAvailable } from '../support/real-clients.js';

const confluentAvailable = realClientAvailable('confluent-kafka-python', await confluentKafkaMissing(), import.meta.url);

/** librdkafka commits offset 4 of ot-a[0] for `group`, then reads partition `partition` of __consumer_offsets: [key hex, value hex or null]. */
const RDKAFKA_SCRIPT = `
import json, sys
from confluent_kafka import Consumer, TopicPartition, OFFSET_BEGINNING
bootstrap, group, partition = sys.argv[1], sys.argv[2], int(sys.argv[3])
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False})
c.commit(offsets=[TopicPartition('ot-a', 0, 4)], asynchronous=False)
c.close()
r = Consumer({'bootstrap.servers': bootstrap, 'group.id': group + '-reader', 'enable.auto.commit': False})
r.assign([TopicPartition('__consumer_offsets', partition, OFFSET_BEGINNING)])
out = []
_, high = r.get_watermark_offsets(TopicPartition('__consumer_offsets', partition), timeout=10)
while len(out) < high:
    m = r.poll(10)
    if m is None:
        break
    if m.error():
        raise Exception(str(m.error()))
    out.append([m.key().hex(), None if m.value() is None else m.value().hex()])
r.close()
print(json.dumps(out))
`;

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway();
});
afterAll(() => kpg?.stop());

interface Decoded {
  offset: bigint;
  key: ReturnType<typeof decodeOffsetsTopicKey>;
  value: ReturnType<typeof decodeOffsetCommitValue> | ReturnType<typeof decodeGroupMetadataValue> | null;
}

function decode(records: ReadRecord[]): Decoded[] {
  return records.map((r) => {
    const key = decodeOffsetsTopicKey(r.keyBytes!);
    const value = r.valueBytes === null ? null : key.type === 'offsetCommit' ? decodeOffsetCommitValue(r.valueBytes) : decodeGroupMetadataValue(r.valueBytes);
    return { offset: r.offset, key, value };
  });
}

async function groupRecords(group: string): Promise<Decoded[]> {
  const { records, errorCode } = await readPartition(kpg.bootstrap, '__consumer_offsets', offsetsTopicPartition(group, 50));
  expect(errorCode).toBe(0);
  return decode(records).filter((d) => d.key.group === group);
}

async function metadataTopics(): Promise<{ name: string; isInternal: boolean; partitions: unknown[] }[]> {
  const raw = await RawClient.connect(kpg.bootstrap);
  try {
    const { body } = await raw.request(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
    return body.topics;
  } finally {
    raw.close();
  }
}

/** OffsetCommit as a simple group (generation -1, no member), raw. */
async function commitRaw(group: string, topic: string, offsets: [number, bigint][], version = 8, retentionTimeMs = -1n): Promise<number[]> {
  const raw = await RawClient.connect(kpg.bootstrap);
  try {
    const { body } = await raw.request(8, version, {
      groupId: group, generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs,
      topics: [{ name: topic, partitions: offsets.map(([partitionIndex, committedOffset]) => ({ partitionIndex, committedOffset, committedLeaderEpoch: 4, commitTimestamp: -1n, committedMetadata: 'm' })) }],
    });
    return body.topics[0].partitions.map((p: { errorCode: number }) => p.errorCode);
  } finally {
    raw.close();
  }
}

describe('__consumer_offsets', () => {
  it('is listed only after the first group coordinator use, then as an internal topic of 50 partitions', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'ot-a', numPartitions: 2 }] });
      expect((await metadataTopics()).map((t) => t.name)).not.toContain('__consumer_offsets');
      const raw = await RawClient.connect(kpg.bootstrap);
      try {
        const { body } = await raw.request(10, 3, { key: 'ot-first', keyType: 0 });
        expect(body.errorCode).toBe(0);
      } finally {
        raw.close();
      }
      const listed = (await metadataTopics()).find((t) => t.name === '__consumer_offsets');
      expect(listed?.isInternal).toBe(true);
      expect(listed?.partitions).toHaveLength(50);
      const kafkajsView = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
      expect(kafkajsView.topics[0]!.partitions).toHaveLength(50);
      const configs = await admin.describeConfigs({ resources: [{ type: 2, name: '__consumer_offsets' }], includeSynonyms: false });
      const set = Object.fromEntries(configs.resources[0]!.configEntries.filter((c) => !c.isDefault).map((c) => [c.configName, c.configValue]));
      expect(set).toMatchObject({ 'cleanup.policy': 'compact', 'compression.type': 'producer', 'segment.bytes': '104857600' });
    } finally {
      await admin.disconnect();
    }
  });

  it('holds the committed offsets of a simple group as OffsetCommit records (v4), without group metadata', async () => {
    expect(await commitRaw('ot-simple', 'ot-a', [[0, 5n], [1, 7n]])).toEqual([0, 0]);
    const records = await groupRecords('ot-simple');
    expect(records.map((r) => r.key.type)).toEqual(['offsetCommit', 'offsetCommit']);
    const commits = records.map((r) => ({ key: r.key, value: r.value }));
    expect(commits).toEqual([
      { key: { type: 'offsetCommit', group: 'ot-simple', topic: 'ot-a', partition: 0 }, value: expect.objectContaining({ version: 4, offset: 5n, leaderEpoch: 4, metadata: 'm' }) },
      { key: { type: 'offsetCommit', group: 'ot-simple', topic: 'ot-a', partition: 1 }, value: expect.objectContaining({ version: 4, offset: 7n, leaderEpoch: 4, metadata: 'm' }) },
    ]);
    const ts = (commits[0]!.value as { commitTimestamp: bigint }).commitTimestamp;
    expect(Math.abs(Number(ts) - Date.now())).toBeLessThan(60_000);
    // A later commit appends; an explicit retention (OffsetCommit v2) writes value version 1 with the expiry.
    expect(await commitRaw('ot-simple', 'ot-a', [[0, 6n]], 2, 3_600_000n)).toEqual([0]);
    const again = await groupRecords('ot-simple');
    expect(again).toHaveLength(3);
    const v1 = again[2]!.value as ReturnType<typeof decodeOffsetCommitValue>;
    expect(v1).toMatchObject({ version: 1, offset: 6n, metadata: 'm' });
    expect(Math.abs(Number(v1.expireTimestamp - v1.commitTimestamp) - 3_600_000)).toBeLessThan(5_000);
  });

  it('keys the records of a group id with a backslash and NUL by the exact id, in the partition Java would pick', async () => {
    const group = 'ot-\\b\u0000c';
    expect(await commitRaw(group, 'ot-a', [[0, 3n]])).toEqual([0]);
    const records = await groupRecords(group);
    expect(records.map((r) => r.key)).toEqual([{ type: 'offsetCommit', group, topic: 'ot-a', partition: 0 }]);
    expect(records[0]!.value).toMatchObject({ offset: 3n });
    // Java 17: "ot-\\b\u0000c".hashCode() is -1200931503, so Kafka puts the group in partition 3.
    expect(offsetsTopicPartition(group, 50)).toBe(3);
  });

  it('gets group metadata with members and assignments from a consumer group, and its commits', async () => {
    const client = kafkaClient(kpg.bootstrap, 'ot-consumer');
    const producer = client.producer();
    await producer.connect();
    await producer.send({ topic: 'ot-a', messages: [0, 1, 2].map((i) => ({ partition: 0, value: `v${i}` })) });
    await producer.disconnect();
    const consumer = client.consumer({ groupId: 'ot-live', sessionTimeout: 10_000, heartbeatInterval: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic: 'ot-a', fromBeginning: true });
    let seen = 0;
    await new Promise<void>((resolve, reject) => {
      consumer.run({ autoCommit: false, eachMessage: async () => { seen++; if (seen === 3) resolve(); } }).catch(reject);
    });
    await consumer.commitOffsets([{ topic: 'ot-a', partition: 0, offset: '3' }]);
    await consumer.disconnect();

    const records = await groupRecords('ot-live');
    // Created by JoinGroup: Kafka's empty group metadata first.
    expect(records[0]!.value).toMatchObject({ version: 3, protocolType: '', generation: 0, protocol: null, leader: null, members: [] });
    const stable = records.find((r) => r.key.type === 'groupMetadata' && r.value !== null && (r.value as { members: unknown[] }).members.length === 1);
    expect(stable?.value).toMatchObject({ version: 3, protocolType: 'consumer', generation: 1, protocol: 'RoundRobinAssigner' });
    const member = (stable!.value as ReturnType<typeof decodeGroupMetadataValue>).members[0]!;
    expect(member.clientId).toBe('ot-consumer');
    expect(member.assignment.length).toBeGreaterThan(0);
    expect((stable!.value as { leader: string }).leader).toBe(member.memberId);
    const commit = records.find((r) => r.key.type === 'offsetCommit');
    expect(commit?.key).toEqual({ type: 'offsetCommit', group: 'ot-live', topic: 'ot-a', partition: 0 });
    expect(commit?.value).toMatchObject({ version: 4, offset: 3n, leaderEpoch: -1 });
    // Leaving made the group Empty: metadata without members, the next generation.
    const last = records.filter((r) => r.key.type === 'groupMetadata').at(-1)!;
    expect(last.value).toMatchObject({ protocolType: 'consumer', generation: 2, protocol: null, leader: null, members: [] });
  });

  it('gets tombstones when offsets and groups are deleted', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      expect(await commitRaw('ot-del', 'ot-a', [[0, 1n], [1, 2n]])).toEqual([0, 0]);
      await admin.deleteGroups(['ot-del']);
    } finally {
      await admin.disconnect();
    }
    const records = await groupRecords('ot-del');
    expect(records.map((r) => [r.key.type, r.key.type === 'offsetCommit' ? r.key.partition : null, r.value === null])).toEqual([
      ['offsetCommit', 0, false],
      ['offsetCommit', 1, false],
      ['offsetCommit', 0, true],
      ['offsetCommit', 1, true],
      ['groupMetadata', null, true],
    ]);
  });

  it('gets tombstones for the offsets of a deleted topic', async () => {
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    try {
      await admin.createTopics({ topics: [{ topic: 'ot-gone', numPartitions: 1 }] });
      expect(await commitRaw('ot-topic-del', 'ot-gone', [[0, 3n]])).toEqual([0]);
      await admin.deleteTopics({ topics: ['ot-gone'] });
    } finally {
      await admin.disconnect();
    }
    const records = await groupRecords('ot-topic-del');
    expect(records.map((r) => [r.key, r.value === null])).toEqual([
      [{ type: 'offsetCommit', group: 'ot-topic-del', topic: 'ot-gone', partition: 0 }, false],
      [{ type: 'offsetCommit', group: 'ot-topic-del', topic: 'ot-gone', partition: 0 }, true],
    ]);
  });

  it('keeps its records for offsets.retention.minutes (kpg does not compact), while the committed offsets stay', async () => {
    expect(await commitRaw('ot-aged', 'ot-a', [[0, 1n]])).toEqual([0]);
    expect(await commitRaw('ot-aged', 'ot-a', [[0, 2n]])).toEqual([0]);
    const partition = offsetsTopicPartition('ot-aged', 50);
    const [first, second] = (await groupRecords('ot-aged')).map((r) => r.offset);
    const db = new pg.Client({ connectionString: kpg.database.url });
    await db.connect();
    try {
      // The first commit's batch ages past the default 7 days; the reaper's retention pass then drops it.
      await db.query(
        `UPDATE kpg.record_batches b SET time_index = time_index - 8 * 86400000
           FROM kpg.topics t WHERE t.topic_id = b.topic_id AND t.name = '__consumer_offsets' AND b.partition = $1 AND b.base_offset = $2`,
        [partition, first!.toString()],
      );
      await kpg.gateway.reaper.runOnce({ retention: true });
      const { rows } = await db.query<{ log_start_offset: string }>(
        `SELECT p.log_start_offset FROM kpg.partitions p JOIN kpg.topics t USING (topic_id)
          WHERE t.name = '__consumer_offsets' AND p.partition = $1`,
        [partition],
      );
      expect(BigInt(rows[0]!.log_start_offset)).toBe(second);
    } finally {
      await db.end();
    }
    expect((await readPartition(kpg.bootstrap, '__consumer_offsets', partition, first!)).errorCode).toBe(ErrorCode.OFFSET_OUT_OF_RANGE);
    const kept = await readPartition(kpg.bootstrap, '__consumer_offsets', partition, second!);
    expect(kept.errorCode).toBe(0);
    expect(kept.records.map((r) => r.offset)).toContain(second);
    const raw = await RawClient.connect(kpg.bootstrap);
    try {
      const { body } = await raw.request(9, 8, { groups: [{ groupId: 'ot-aged', memberId: null, memberEpoch: -1, topics: null }], requireStable: false });
      expect(body.groups[0].topics[0].partitions[0].committedOffset).toBe(2n);
    } finally {
      raw.close();
    }
  });

  it('refuses produce with INVALID_TOPIC_EXCEPTION', async () => {
    const producer = kafkaClient(kpg.bootstrap).producer({ retry: { retries: 0 } });
    await producer.connect();
    try {
      const err = await producer.send({ topic: '__consumer_offsets', messages: [{ partition: 0, value: 'x' }] }).then(() => null, (e: unknown) => e as { type?: string; cause?: { type?: string } });
      expect(err?.type ?? err?.cause?.type).toBe('INVALID_TOPIC_EXCEPTION');
    } finally {
      await producer.disconnect();
    }
    const raw = await RawClient.connect(kpg.bootstrap);
    try {
      const { body } = await raw.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: '__consumer_offsets', partitionData: [{ index: 0, records: null }] }] });
      const p = body.responses[0].partitionResponses[0];
      expect(p.errorCode).toBe(ErrorCode.INVALID_TOPIC_EXCEPTION);
      expect(p.errorMessage).toBe('Cannot append to internal topic __consumer_offsets');
    } finally {
      raw.close();
    }
  });

  it('answers CreateTopics and DeleteRecords of it as Kafka 4.1 does', async () => {
    const raw = await RawClient.connect(kpg.bootstrap);
    try {
      const dr = await raw.request(21, 2, { topics: [{ name: '__consumer_offsets', partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 5000 });
      expect(dr.body.topics[0].partitions[0]).toMatchObject({ lowWatermark: -1n, errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION });
      const ct = await raw.request(19, 7, { topics: [{ name: '__consumer_offsets', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
      expect(ct.body.topics[0]).toMatchObject({ errorCode: ErrorCode.TOPIC_ALREADY_EXISTS, errorMessage: "Topic '__consumer_offsets' already exists." });
    } finally {
      raw.close();
    }
  });

  it('is filled with the current state of every group when created, and survives a restart', async () => {
    const { startTestGateway: start } = await import('../support/gateway.js');
    const second = await start();
    try {
      const admin = kafkaClient(second.bootstrap).admin();
      await admin.connect();
      try {
        await admin.createTopics({ topics: [{ topic: 'ot-b', numPartitions: 1 }] });
      } finally {
        await admin.disconnect();
      }
      // Offsets committed through OffsetCommit create the topic (FindCoordinator) and then appear...
      const raw = await RawClient.connect(second.bootstrap);
      try {
        await raw.request(8, 8, {
          groupId: 'ot-before', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, retentionTimeMs: -1n,
          topics: [{ name: 'ot-b', partitions: [{ partitionIndex: 0, committedOffset: 9n, committedLeaderEpoch: -1, commitTimestamp: -1n, committedMetadata: '' }] }],
        });
        const md = await raw.request(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
        expect(md.body.topics.map((t: { name: string }) => t.name)).not.toContain('__consumer_offsets');
        // ...the first coordinator lookup creates the topic with the offsets committed before it.
        await raw.request(10, 3, { key: 'anything', keyType: 0 });
      } finally {
        raw.close();
      }
      const { records } = await readPartition(second.bootstrap, '__consumer_offsets', offsetsTopicPartition('ot-before', 50));
      const decoded = decode(records).filter((d) => d.key.group === 'ot-before');
      expect(decoded.map((d) => [d.key, (d.value as { offset?: bigint } | null)?.offset])).toEqual([
        [{ type: 'offsetCommit', group: 'ot-before', topic: 'ot-b', partition: 0 }, 9n],
      ]);
      // A gateway started on the same database lists it at once.
      const third = await start({ database: second.database });
      try {
        const raw3 = await RawClient.connect(third.bootstrap);
        try {
          const md = await raw3.request(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
          const t = md.body.topics.find((x: { name: string }) => x.name === '__consumer_offsets');
          expect(t?.isInternal).toBe(true);
          expect(t?.partitions).toHaveLength(50);
        } finally {
          raw3.close();
        }
      } finally {
        await third.stop();
      }
    } finally {
      await second.stop();
    }
  });

  it.skipIf(!confluentAvailable)('librdkafka (confluent-kafka-python) commits, then reads its commit from __consumer_offsets', async () => {
    const partition = offsetsTopicPartition('ot-rdkafka', 50);
    const { stdout } = await promisify(execFile)(CLIENT_PYTHON, ['-c', RDKAFKA_SCRIPT, kpg.bootstrap, 'ot-rdkafka', String(partition)], { timeout: 60_000 });
    const rows = JSON.parse(stdout.trim().split('\n').at(-1)!) as [string, string | null][];
    const mine = rows
      .map(([k, v]) => ({ key: decodeOffsetsTopicKey(Buffer.from(k, 'hex')), value: v }))
      .filter((r) => r.key.group === 'ot-rdkafka');
    expect(mine).toHaveLength(1);
    expect(mine[0]!.key).toEqual({ type: 'offsetCommit', group: 'ot-rdkafka', topic: 'ot-a', partition: 0 });
    expect(decodeOffsetCommitValue(Buffer.from(mine[0]!.value!, 'hex'))).toMatchObject({ version: 4, offset: 4n, metadata: '' });
  });
});
