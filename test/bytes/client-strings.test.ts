/**
 * Strings are bytes (issue #13 item 1). Every string a client sends and kpg stores or echoes comes back
 * byte-exact, NUL and invalid UTF-8 included, through another gateway on the same database: commit
 * metadata (librdkafka sends it with a trailing NUL), group, member, instance and client ids, the client
 * host, protocol type and name, custom broker config values. Topic names stay validated as Kafka does.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse } from '../../src/protocol/protocol.js';
import { decodeString } from '../../src/protocol/reader.js';
import { encodeString } from '../../src/protocol/writer.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { CLIENT_PYTHON, confluentKafkaMissing, realClientAvailable } from '../support/real-clients.js';
import { sqlSession } from '../sql/support.js';
import { eventually, unique } from '../groups/support/helpers.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const confluentAvailable = realClientAvailable('confluent-kafka-python', await confluentKafkaMissing(), import.meta.url);

/** The string kpg's codec sends for exactly these bytes (invalid UTF-8 kept as lone surrogates). */
const str = (bytes: number[] | Buffer): string => {
  const b = Buffer.from(bytes);
  return decodeString(b, 0, b.length);
};
/** The bytes a decoded string field held on the wire. */
const bytesOf = (s: string | null): Buffer | null => (s === null ? null : encodeString(s));
const hex = (s: string | null): string | null => bytesOf(s)?.toString('hex') ?? null;

let database: TestDatabase;
let a: TestGateway;
let b: TestGateway;
let db: pg.Client;

beforeAll(async () => {
  database = await createTestDatabase();
  const brokerConfigs = { 'group.initial.rebalance.delay.ms': '0' };
  a = await startTestGateway({ database, brokerConfigs });
  b = await startTestGateway({ database, brokerConfigs });
  db = await sqlSession(database.url);
}, 60_000);

afterAll(async () => {
  await db?.end();
  await b?.stop();
  await a?.stop();
  await database?.drop();
});

async function offsetFetch(bootstrap: string, group: string, topic: string): Promise<{ offset: bigint; metadata: string | null; errorCode: number }> {
  const raw = await RawClient.connect(bootstrap);
  try {
    const { body } = await raw.request(9, 7, { groupId: group, topics: [{ name: topic, partitionIndexes: [0] }], requireStable: false });
    const p = body.topics[0].partitions[0];
    return { offset: p.committedOffset, metadata: p.metadata, errorCode: p.errorCode };
  } finally {
    raw.close();
  }
}

describe.skipIf(!confluentAvailable)('confluent-kafka (librdkafka)', () => {
  it('commits metadata with its trailing NUL through one gateway; another reads it back byte-exact', async () => {
    const topic = unique('bytes-py');
    const group = unique('bytes-py-group');
    await createTopic(a.gateway, topic);
    const { stdout } = await run(CLIENT_PYTHON, [path.join(HERE, 'clients', 'commit_metadata.py'), a.bootstrap, b.bootstrap, topic, group], { timeout: 90_000 });
    const result = JSON.parse(stdout.trim().split('\n').at(-1)!);
    // librdkafka sees its own string back (it stops at the NUL), with no error: before, the commit failed.
    expect(result).toEqual({ commit_error: null, offset: 5, metadata: 'meta', error: null });
    // On the wire, the NUL it sent is there.
    const fetched = await offsetFetch(b.bootstrap, group, topic);
    expect(fetched).toEqual({ offset: 5n, metadata: 'meta\0', errorCode: 0 });
    expect(bytesOf(fetched.metadata)!.equals(Buffer.from('meta\0'))).toBe(true);
    // In SQL, the stored form is readable text.
    const { rows } = await db.query(
      `SELECT o.metadata FROM kpg.group_offsets o JOIN kpg.groups g USING (group_key) WHERE g.group_id = $1`, [group]);
    expect(rows).toEqual([{ metadata: 'meta\\x00' }]);
  }, 120_000);
});

describe('kafkajs', () => {
  it('a consumer whose group id and client id hold NUL joins, consumes and commits; another gateway describes it', async () => {
    const topic = unique('bytes-js');
    const groupId = `${unique('bytes-js-group')}\0nul`;
    const clientId = 'js\0client';
    await createTopic(a.gateway, topic);
    const producer = kafkaClient(a.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'one' }, { value: 'two' }] });
    await producer.disconnect();

    const consumer = kafkaClient(a.bootstrap, clientId).consumer({ groupId, sessionTimeout: 10_000 });
    const seen: string[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void seen.push(message.value!.toString()) });
      await eventually(async () => seen.length === 2, 30_000, 'both records');
      await consumer.commitOffsets([{ topic, partition: 0, offset: '2' }]);

      const admin = kafkaClient(b.bootstrap).admin();
      await admin.connect();
      try {
        const { groups } = await admin.describeGroups([groupId]);
        expect(groups).toHaveLength(1);
        expect(groups[0]).toMatchObject({ groupId, state: 'Stable', protocolType: 'consumer', errorCode: 0 });
        expect(groups[0]!.members).toHaveLength(1);
        const member = groups[0]!.members[0]!;
        expect(member.clientId).toBe(clientId);
        expect(member.memberId.startsWith(`${clientId}-`)).toBe(true);
        expect(member.clientHost).toBe('/127.0.0.1');
        expect((await admin.listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });
        expect(await admin.fetchOffsets({ groupId, topics: [topic] })).toEqual([
          { topic, partitions: [{ partition: 0, offset: '2', metadata: null }] },
        ]);
      } finally {
        await admin.disconnect();
      }
      // The SQL views show the escaped form.
      const { rows } = await db.query(
        `SELECT group_id, client_id FROM kpg.consumer_group_members WHERE group_id = $1`, [groupId.replace('\0', '\\x00')]);
      expect(rows).toEqual([{ group_id: groupId.replace('\0', '\\x00'), client_id: 'js\\x00client' }]);
    } finally {
      await consumer.disconnect();
    }
  }, 90_000);
});

describe('raw requests with invalid UTF-8 and NUL', () => {
  const groupBytes = [0x67, 0xff, 0x00, 0xc3]; // 'g', a byte never in UTF-8, NUL, a truncated sequence
  const clientBytes = [0x63, 0x80, 0x00, 0x5c]; // 'c', a lone continuation byte, NUL, a backslash
  const instanceBytes = [0x69, 0xfe, 0xc0, 0x80]; // 'i', 0xFE, an overlong NUL
  const typeBytes = [0x70, 0xed, 0xa0, 0x80]; // 'p', a UTF-8-encoded surrogate
  const nameBytes = [0x72, 0xf4, 0x90, 0x80, 0x80]; // 'r', a code point beyond U+10FFFF
  const metadataBytes = [0x6d, 0x00, 0xff, 0xe2, 0x82]; // 'm', NUL, 0xFF, a truncated euro sign
  const group = str(groupBytes);
  const clientId = str(clientBytes);
  const instanceId = str(instanceBytes);
  const protocolType = str(typeBytes);
  const protocolName = str(nameBytes);
  const topic = unique('bytes-raw');
  let memberId: string;

  it('JoinGroup, SyncGroup and OffsetCommit through one gateway succeed', async () => {
    await createTopic(a.gateway, topic);
    const raw = await RawClient.connect(a.bootstrap);
    try {
      const join = await raw.request(11, 5, {
        groupId: group, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: instanceId,
        protocolType, protocols: [{ name: protocolName, metadata: Buffer.from([1, 2, 3]) }],
      }, clientId);
      expect(join.body.errorCode).toBe(0);
      memberId = join.body.memberId;
      // A static member's id starts with its instance id, as Kafka makes it.
      expect(bytesOf(memberId)!.subarray(0, instanceBytes.length + 1).equals(Buffer.from([...instanceBytes, 0x2d]))).toBe(true);
      expect(hex(join.body.protocolName)).toBe(Buffer.from(nameBytes).toString('hex'));
      expect(hex(join.body.leader)).toBe(hex(memberId));
      expect(join.body.members.map((m: { memberId: string; groupInstanceId: string }) => [hex(m.memberId), hex(m.groupInstanceId)]))
        .toEqual([[hex(memberId), Buffer.from(instanceBytes).toString('hex')]]);

      const sync = await raw.request(14, 3, {
        groupId: group, generationId: join.body.generationId, memberId, groupInstanceId: instanceId,
        assignments: [{ memberId, assignment: Buffer.from([9, 9]) }],
      }, clientId);
      expect(sync.body.errorCode).toBe(0);
      expect(sync.body.assignment).toEqual(Buffer.from([9, 9]));

      const commit = await raw.request(8, 7, {
        groupId: group, generationIdOrMemberEpoch: join.body.generationId, memberId, groupInstanceId: instanceId,
        topics: [{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 7n, committedLeaderEpoch: -1, committedMetadata: str(metadataBytes) }] }],
      }, clientId);
      expect(commit.body.topics[0].partitions[0].errorCode).toBe(0);
    } finally {
      raw.close();
    }
  }, 30_000);

  it('another gateway answers DescribeGroups, ListGroups and OffsetFetch with the very bytes sent', async () => {
    const raw = await RawClient.connect(b.bootstrap);
    try {
      const described = await raw.request(15, 4, { groups: [group], includeAuthorizedOperations: false });
      const g = described.body.groups[0];
      expect(g.errorCode).toBe(0);
      expect(hex(g.groupId)).toBe(Buffer.from(groupBytes).toString('hex'));
      expect(g.groupState).toBe('Stable');
      expect(hex(g.protocolType)).toBe(Buffer.from(typeBytes).toString('hex'));
      expect(hex(g.protocolData)).toBe(Buffer.from(nameBytes).toString('hex'));
      expect(g.members).toHaveLength(1);
      const m = g.members[0];
      expect(hex(m.memberId)).toBe(hex(memberId));
      expect(hex(m.groupInstanceId)).toBe(Buffer.from(instanceBytes).toString('hex'));
      expect(hex(m.clientId)).toBe(Buffer.from(clientBytes).toString('hex'));
      expect(m.clientHost).toBe('/127.0.0.1');
      expect(m.memberMetadata).toEqual(Buffer.from([1, 2, 3]));

      const listed = await raw.request(16, 3, {});
      expect(listed.body.groups.map((l: { groupId: string; protocolType: string }) => [hex(l.groupId), hex(l.protocolType)]))
        .toContainEqual([Buffer.from(groupBytes).toString('hex'), Buffer.from(typeBytes).toString('hex')]);
    } finally {
      raw.close();
    }
    const fetched = await offsetFetch(b.bootstrap, group, topic);
    expect({ ...fetched, metadata: hex(fetched.metadata) }).toEqual({ offset: 7n, metadata: Buffer.from(metadataBytes).toString('hex'), errorCode: 0 });
  }, 30_000);

  it('the bytes are on the wire as sent, and readable escaped in SQL', async () => {
    const raw = await RawClient.connect(b.bootstrap);
    try {
      raw.send(15, 0, { groups: [group] });
      const frame = (await raw.nextFrame())!;
      for (const bytes of [groupBytes, clientBytes, instanceBytes.slice(0, 2), typeBytes, nameBytes]) {
        expect(frame.includes(Buffer.from(bytes)), Buffer.from(bytes).toString('hex')).toBe(true);
      }
    } finally {
      raw.close();
    }
    const { rows } = await db.query(
      `SELECT group_id, client_id FROM kpg.consumer_group_members WHERE client_id LIKE 'c%'`);
    expect(rows).toEqual([{ group_id: 'g\\xff\\x00\\xc3', client_id: 'c\\x80\\x00\\\\' }]);
    // kpg.client_string_bytes turns the escaped form back into the bytes the client sent.
    const exact = await db.query(
      `SELECT kpg.client_string_bytes(group_id) AS g, kpg.client_string_bytes(client_id) AS c,
              kpg.client_string_bytes(member_id) AS m, kpg.client_string_bytes(group_instance_id) AS i
         FROM kpg.consumer_group_members WHERE client_id LIKE 'c%'`);
    expect(exact.rows).toEqual([{ g: Buffer.from(groupBytes), c: Buffer.from(clientBytes), m: bytesOf(memberId), i: Buffer.from(instanceBytes) }]);
    const plain = await db.query(`SELECT kpg.client_string_bytes('plain grüße') AS p, kpg.client_string_bytes('') AS e`);
    expect(plain.rows).toEqual([{ p: Buffer.from('plain grüße'), e: Buffer.alloc(0) }]);
  });
});

describe('custom broker configs', () => {
  it('a value with NUL, invalid UTF-8 and a backslash set through one gateway is stored byte-exact and described as Kafka does', async () => {
    const valueBytes = [0x76, 0x00, 0xff, 0x5c, 0x78, 0x30, 0x30]; // 'v', NUL, 0xFF, then the text \x00
    const name = 'custom.bytes.test';
    const rawA = await RawClient.connect(a.bootstrap);
    try {
      const altered = await rawA.request(44, 0, {
        resources: [{ resourceType: 4, resourceName: '', configs: [{ name, configOperation: 0, value: str(valueBytes) }] }],
        validateOnly: false,
      });
      expect(altered.body.responses[0].errorCode).toBe(0);
    } finally {
      rawA.close();
    }
    // The other gateway's storage reads back exactly what was sent.
    const stored = (await b.gateway.storage.cluster.brokerConfigs()).find((c) => c.name === name);
    expect(hex(stored?.value ?? null)).toBe(Buffer.from(valueBytes).toString('hex'));
    // DescribeConfigs lists it; Kafka treats a custom broker config as sensitive, so its value is null.
    const rawB = await RawClient.connect(b.bootstrap);
    try {
      const entry = await eventually(async () => {
        const described = await rawB.request(32, 4, {
          resources: [{ resourceType: 4, resourceName: String(b.gateway.nodeId), configurationKeys: [name] }],
          includeSynonyms: false, includeDocumentation: false,
        });
        const result = described.body.results[0];
        expect(result.errorCode).toBe(0);
        return result.configs.find((c: { name: string }) => c.name === name) as { value: string | null; isSensitive: boolean } | undefined;
      }, 10_000, 'the config on the other gateway');
      expect(entry).toMatchObject({ value: null, isSensitive: true });
    } finally {
      rawB.close();
    }
  });
});

describe('topic names stay validated', () => {
  it('a topic name with NUL gets the answers Kafka gives (checked against Kafka 4.1.2), never a closed connection', async () => {
    const T = 'a\0b';
    const raw = await RawClient.connect(a.bootstrap);
    try {
      const metadata = await raw.request(3, 4, { topics: [{ name: T }], allowAutoTopicCreation: true });
      expect(metadata.body.topics[0]).toMatchObject({ name: T, errorCode: 17 }); // INVALID_TOPIC_EXCEPTION
      const commit = await raw.request(8, 7, {
        groupId: unique('bytes-topic'), generationIdOrMemberEpoch: -1, memberId: '',
        topics: [{ name: T, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedMetadata: 'x' }] }],
      });
      expect(commit.body.topics[0].partitions[0].errorCode).toBe(3); // UNKNOWN_TOPIC_OR_PARTITION
      const fetched = await raw.request(9, 7, { groupId: unique('bytes-topic'), topics: [{ name: T, partitionIndexes: [0] }], requireStable: false });
      expect(fetched.body.topics[0].partitions[0]).toMatchObject({ committedOffset: -1n, errorCode: 0 });
      const listed = await raw.request(2, 5, { replicaId: -1, topics: [{ name: T, partitions: [{ partitionIndex: 0, timestamp: -1n }] }] });
      expect(listed.body.topics[0].partitions[0].errorCode).toBe(3);
      const deleted = await raw.request(20, 3, { topicNames: [T], timeoutMs: 5000 });
      expect(deleted.body.responses[0].errorCode).toBe(3);
      const records = await raw.request(21, 1, { topics: [{ name: T, partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 1000 });
      expect(records.body.topics[0].partitions[0].errorCode).toBe(3);
      const produced = await raw.request(0, 7, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: T, partitionData: [{ index: 0, records: null }] }] });
      expect(produced.body.responses[0].partitionResponses[0].errorCode).toBe(3);
    } finally {
      raw.close();
    }
  });
});

describe('answers to waiting requests (kpg.group_replies) across gateways', () => {
  it('a rebalance of two members with NUL and invalid UTF-8 in their ids answers each byte-exact', async () => {
    const group = str([0x72, 0x62, 0x00, 0xff, ...Buffer.from(unique('-rb'))]);
    const type = str([0x74, 0x00, 0x80]);
    const name = str([0x6e, 0xc3, 0x00]);
    const instance1 = str([0x31, 0xff]);
    const instance2 = str([0x32, 0x00, 0xe2]);
    const joinBody = (memberId: string, instance: string) => ({
      groupId: group, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 30_000, memberId, groupInstanceId: instance, reason: null,
      protocolType: type, protocols: [{ name, metadata: Buffer.from([7]) }],
    });
    const one = await RawClient.connect(a.bootstrap);
    const two = await RawClient.connect(b.bootstrap);
    try {
      const first = await one.request(11, 9, joinBody('', instance1), str([0x61, 0x00]));
      expect(first.body.errorCode).toBe(0);
      const member1: string = first.body.memberId;
      const sync1 = await one.request(14, 5, {
        groupId: group, generationId: first.body.generationId, memberId: member1, groupInstanceId: instance1,
        protocolType: type, protocolName: name, assignments: [{ memberId: member1, assignment: Buffer.from([1]) }],
      });
      expect(sync1.body.errorCode).toBe(0);

      // The second member joins through the other gateway and waits there for the first to rejoin.
      const joinId = two.send(11, 9, joinBody('', instance2), str([0x62, 0xfe]));
      const rejoin = await eventually(async () => {
        const hb = await one.request(12, 4, { groupId: group, generationId: first.body.generationId, memberId: member1, groupInstanceId: instance1 });
        return hb.body.errorCode === 27 ? true : undefined; // REBALANCE_IN_PROGRESS
      }, 10_000, 'the rebalance');
      expect(rejoin).toBe(true);
      const leader = await one.request(11, 9, joinBody(member1, instance1));
      expect(leader.body.errorCode).toBe(0);
      const frame = await two.nextFrame(15_000);
      const follower = decodeResponse(frame!, 11, 9);
      expect(follower.correlationId).toBe(joinId);
      expect(follower.body.errorCode).toBe(0);
      const member2: string = follower.body.memberId;
      expect(bytesOf(member2)!.subarray(0, 4).equals(Buffer.from([0x32, 0x00, 0xe2, 0x2d]))).toBe(true);
      expect(hex(follower.body.leader)).toBe(hex(member1));
      expect(hex(follower.body.protocolType)).toBe(hex(type));
      expect(hex(follower.body.protocolName)).toBe(hex(name));
      // The leader learns both members, ids and instance ids exact.
      const members = (leader.body.members as { memberId: string; groupInstanceId: string }[])
        .map((m) => [hex(m.memberId), hex(m.groupInstanceId)]).sort();
      expect(members).toEqual([[hex(member1), hex(instance1)], [hex(member2), hex(instance2)]].sort());

      // The follower's SyncGroup waits on its gateway for the leader's, sent through the other.
      const syncId = two.send(14, 5, {
        groupId: group, generationId: follower.body.generationId, memberId: member2, groupInstanceId: instance2,
        protocolType: type, protocolName: name, assignments: [],
      });
      const sync = await one.request(14, 5, {
        groupId: group, generationId: leader.body.generationId, memberId: member1, groupInstanceId: instance1, protocolType: type, protocolName: name,
        assignments: [{ memberId: member1, assignment: Buffer.from([1]) }, { memberId: member2, assignment: Buffer.from([2]) }],
      });
      expect(sync.body.errorCode).toBe(0);
      const syncFrame = decodeResponse((await two.nextFrame(15_000))!, 14, 5);
      expect(syncFrame.correlationId).toBe(syncId);
      expect(syncFrame.body.errorCode).toBe(0);
      expect(syncFrame.body.assignment).toEqual(Buffer.from([2]));
      expect(hex(syncFrame.body.protocolType)).toBe(hex(type));
      expect(hex(syncFrame.body.protocolName)).toBe(hex(name));
    } finally {
      one.close();
      two.close();
    }
  }, 60_000);
});

describe('record header keys', () => {
  it('a header key with NUL reaches consumers byte-exact and shows in kpg.records as base64', async () => {
    const topic = unique('bytes-headers');
    await createTopic(a.gateway, topic);
    const producer = kafkaClient(a.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'v', headers: { 'k\0ey': 'x\0y', plain: 'text' } }] });
    await producer.disconnect();
    const { rows } = await db.query(`SELECT headers FROM kpg.records WHERE topic = $1`, [topic]);
    expect(rows[0].headers).toEqual([
      { key: Buffer.from('k\0ey').toString('base64'), key_encoding: 'base64', value: Buffer.from('x\0y').toString('base64'), value_encoding: 'base64' },
      { key: 'plain', value: 'text' },
    ]);
    const consumer = kafkaClient(b.bootstrap).consumer({ groupId: unique('bytes-headers') });
    await consumer.connect();
    try {
      const got: Record<string, Buffer>[] = [];
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ message }) => void got.push(message.headers as Record<string, Buffer>) });
      await eventually(async () => got.length === 1, 30_000, 'the record');
      expect(Object.keys(got[0]!)).toEqual(['k\0ey', 'plain']);
      expect(got[0]!['k\0ey']).toEqual(Buffer.from('x\0y'));
    } finally {
      await consumer.disconnect();
    }
  }, 60_000);
});
