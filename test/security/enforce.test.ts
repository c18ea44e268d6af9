/**
 * ACLs enforced on every API, as Kafka 4.1 answers: a gateway with the StandardAuthorizer and no super
 * users, PLAINTEXT clients (User:ANONYMOUS), and per case exactly the ACLs it grants ANONYMOUS. Each
 * table row is (ACLs, request) -> error codes. Every expectation here was checked against the reference
 * Kafka 4.1.2 (KRaft, StandardAuthorizer, allow.everyone.if.no.acl.found=false, ANONYMOUS on a PLAINTEXT
 * listener given the same ACLs, the same requests): codes, which names and ids are withheld, the
 * authorized-operation bit sets and the messages asserted. Where kpg's answer past the check differs for
 * reasons outside authorization (Kafka's coordinator still loading, async auto-creation), only the
 * authorization outcome is asserted. Raw requests pin the exact codes; kafkajs shows what real clients see.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperation as Op, AclPermission, PatternType, ResourceType } from '../../src/protocol/acl.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeBatch } from '../../src/records/batch.js';
import type { AclBinding } from '../../src/security/acl-binding.js';
import { MATCH_ALL_FILTER } from '../../src/security/acl-binding.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';
import { JAVA_LIBS, javaClientsMissing, realClientAvailable } from '../support/real-clients.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));
const javaUsable = realClientAvailable('Java kafka-clients 4.x', await javaClientsMissing('4'), import.meta.url);

const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
const OK = ErrorCode.NONE;
const TOPIC_DENIED = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
const GROUP_DENIED = ErrorCode.GROUP_AUTHORIZATION_FAILED;
const CLUSTER_DENIED = ErrorCode.CLUSTER_AUTHORIZATION_FAILED;

let kpg: TestGateway;
let raw: RawClient;
let visibleId: string;
let hiddenId: string;

beforeAll(async () => {
  kpg = await startTestGateway({ brokerConfigs: { ...AUTHORIZER, 'auto.create.topics.enable': 'true' } });
  await createTopic(kpg.gateway, 'visible', 2);
  await createTopic(kpg.gateway, 'hidden', 1);
  const topics = await kpg.gateway.services.topics.byNames(['visible', 'hidden']);
  visibleId = topics.get('visible')!.topicId;
  hiddenId = topics.get('hidden')!.topicId;
  raw = await RawClient.connect(kpg.bootstrap);
});

afterAll(async () => {
  raw?.close();
  await kpg?.stop();
});

type Grant = [resourceType: number, name: string, operation: number, pattern?: number];

/** Replaces every ACL with ALLOW ACLs for ANONYMOUS (effective on this gateway once it resolves). */
async function grant(...grants: Grant[]): Promise<void> {
  const bindings = kpg.gateway.services.access.bindings!;
  await bindings.delete([MATCH_ALL_FILTER]);
  const acls: AclBinding[] = grants.map(([resourceType, resourceName, operation, patternType]) => ({
    resourceType: resourceType as AclBinding['resourceType'],
    resourceName,
    patternType: (patternType ?? PatternType.LITERAL) as AclBinding['patternType'],
    principal: 'User:ANONYMOUS',
    host: '*',
    operation: operation as AclBinding['operation'],
    permissionType: AclPermission.ALLOW,
  }));
  if (acls.length > 0) await bindings.create(acls);
}

const topic = (name: string, op: number, pattern?: number): Grant => [ResourceType.TOPIC, name, op, pattern];
const group = (name: string, op: number): Grant => [ResourceType.GROUP, name, op];
const cluster = (op: number): Grant => [ResourceType.CLUSTER, 'kafka-cluster', op];

async function metadata(names: string[] | null, extra: Record<string, unknown> = {}, version = 12) {
  const { body } = await raw.request(3, version, {
    topics: names === null ? null : names.map((name) => ({ name, topicId: ZERO_UUID })),
    allowAutoTopicCreation: false,
    includeTopicAuthorizedOperations: false,
    ...extra,
  });
  return body;
}

const bits = (...ops: number[]): number => ops.reduce((acc, op) => acc | (1 << op), 0);

describe('Metadata', () => {
  it('leaves topics without DESCRIBE out of the all-topics list', async () => {
    await grant(topic('visible', Op.READ));
    const body = await metadata(null);
    expect(body.topics.map((t: any) => t.name)).toEqual(['visible']);
    await grant();
    expect((await metadata(null)).topics).toEqual([]);
  });

  it('answers named topics without DESCRIBE TOPIC_AUTHORIZATION_FAILED, existing or not, without their id', async () => {
    await grant(topic('visible', Op.DESCRIBE), topic('missing-', Op.DESCRIBE, PatternType.PREFIXED));
    const body = await metadata(['visible', 'hidden', 'nowhere', 'missing-1']);
    const byName = new Map(body.topics.map((t: any) => [t.name, t]));
    expect((byName.get('visible') as any).errorCode).toBe(OK);
    expect(byName.get('hidden')).toMatchObject({ errorCode: TOPIC_DENIED, topicId: ZERO_UUID, partitions: [] });
    expect(byName.get('nowhere')).toMatchObject({ errorCode: TOPIC_DENIED, topicId: ZERO_UUID });
    // Describable but absent: now its absence may be told.
    expect((byName.get('missing-1') as any).errorCode).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('answers a known topic id without DESCRIBE with the id and a null name', async () => {
    await grant(topic('visible', Op.DESCRIBE));
    const { body } = await raw.request(3, 12, {
      topics: [{ name: null, topicId: hiddenId }, { name: null, topicId: visibleId }],
      allowAutoTopicCreation: false,
      includeTopicAuthorizedOperations: false,
    });
    const byId = new Map(body.topics.map((t: any) => [t.topicId, t]));
    expect(byId.get(hiddenId)).toMatchObject({ errorCode: TOPIC_DENIED, name: null });
    expect(byId.get(visibleId)).toMatchObject({ errorCode: OK, name: 'visible' });
  });

  it('auto-creates only with CREATE on the cluster or the topic', async () => {
    await grant(topic('auto-', Op.DESCRIBE, PatternType.PREFIXED));
    let body = await metadata(['auto-one'], { allowAutoTopicCreation: true });
    expect(body.topics[0]).toMatchObject({ name: 'auto-one', errorCode: TOPIC_DENIED });
    expect((await kpg.gateway.services.topics.byNames(['auto-one'], { fresh: true })).has('auto-one')).toBe(false);

    await grant(topic('auto-', Op.DESCRIBE, PatternType.PREFIXED), topic('auto-two', Op.CREATE));
    body = await metadata(['auto-two'], { allowAutoTopicCreation: true });
    expect(body.topics[0]).toMatchObject({ name: 'auto-two', errorCode: OK });

    await grant(topic('auto-', Op.DESCRIBE, PatternType.PREFIXED), cluster(Op.CREATE));
    body = await metadata(['auto-three'], { allowAutoTopicCreation: true });
    expect(body.topics[0]).toMatchObject({ name: 'auto-three', errorCode: OK });
  });

  it('reports the authorized operations of the client, 0 for the cluster without DESCRIBE on it', async () => {
    await grant(topic('visible', Op.READ), topic('visible', Op.DESCRIBE_CONFIGS));
    const body = await metadata(['visible'], { includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }, 10);
    expect(body.topics[0].topicAuthorizedOperations).toBe(bits(Op.READ, Op.DESCRIBE, Op.DESCRIBE_CONFIGS));
    expect(body.clusterAuthorizedOperations).toBe(0);
    await grant(topic('visible', Op.READ), cluster(Op.DESCRIBE), cluster(Op.ALTER));
    const again = await metadata(['visible'], { includeClusterAuthorizedOperations: true }, 10);
    expect(again.clusterAuthorizedOperations).toBe(bits(Op.DESCRIBE, Op.ALTER));
  });
});

describe('Metadata before v4 and by topic id', () => {
  it('v0 and v1 list only describable topics; v3 auto-creation needs CREATE', async () => {
    await grant(topic('visible', Op.DESCRIBE));
    expect((await raw.request(3, 1, { topics: null })).body.topics.map((t: any) => t.name)).toEqual(['visible']);
    expect((await raw.request(3, 0, { topics: [] })).body.topics.map((t: any) => t.name)).toEqual(['visible']);
    await grant(topic('v3-', Op.DESCRIBE, PatternType.PREFIXED));
    expect((await raw.request(3, 3, { topics: [{ name: 'v3-auto' }] })).body.topics.map((t: any) => [t.name, t.errorCode])).toEqual([['v3-auto', TOPIC_DENIED]]);
  });

  it('Fetch v13 and Produce v13: an unknown id stays UNKNOWN_TOPIC_ID, a known one is checked by name', async () => {
    const unknownId = '11111111-1111-1111-1111-111111111111';
    const name = (id: string) => (id === visibleId ? 'visible' : id === hiddenId ? 'hidden' : id);
    await grant(topic('visible', Op.READ));
    const fetch = await raw.request(1, 13, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [visibleId, hiddenId, unknownId].map((topicId) => ({
        topicId,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      })),
      forgottenTopicsData: [],
      rackId: '',
    });
    expect(Object.fromEntries(fetch.body.responses.map((t: any) => [name(t.topicId), t.partitions[0].errorCode]))).toEqual({
      visible: OK, hidden: TOPIC_DENIED, [unknownId]: ErrorCode.UNKNOWN_TOPIC_ID,
    });
    await grant(topic('visible', Op.WRITE));
    const records = await encodeBatch([{ key: 'k', value: 'v' }]);
    const produce = await raw.request(0, 13, {
      transactionalId: null, acks: -1, timeoutMs: 5000,
      topicData: [visibleId, hiddenId, unknownId].map((topicId) => ({ name: '', topicId, partitionData: [{ index: 0, records }] })),
    });
    expect(Object.fromEntries(produce.body.responses.map((t: any) => [name(t.topicId), t.partitionResponses[0].errorCode]))).toEqual({
      visible: OK, hidden: TOPIC_DENIED, [unknownId]: ErrorCode.UNKNOWN_TOPIC_ID,
    });
  });
});

describe('Produce, Fetch, ListOffsets, OffsetForLeaderEpoch', () => {
  async function produce(name: string, options: { transactional?: boolean; transactionalId?: string | null } = {}) {
    const records = await encodeBatch([{ key: 'k', value: 'v' }], options.transactional ? { transactional: true, producerId: 1n, producerEpoch: 0, baseSequence: 0 } : {});
    const { body } = await raw.request(0, 9, {
      transactionalId: options.transactionalId ?? null,
      acks: -1,
      timeoutMs: 5000,
      topicData: [{ name, partitionData: [{ index: 0, records }] }],
    });
    return body.responses[0].partitionResponses[0].errorCode as number;
  }

  it('Produce needs WRITE on the topic, checked before its existence', async () => {
    await grant(topic('visible', Op.WRITE), topic('hidden', Op.READ));
    expect(await produce('visible')).toBe(OK);
    expect(await produce('hidden')).toBe(TOPIC_DENIED);
    expect(await produce('nowhere')).toBe(TOPIC_DENIED);
    await grant(topic('nowhere', Op.WRITE));
    expect(await produce('nowhere')).toBe(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  });

  it('transactional Produce needs WRITE on the transactional id first', async () => {
    await grant(topic('visible', Op.WRITE));
    expect(await produce('visible', { transactional: true, transactionalId: 'tx' })).toBe(ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    await grant(topic('visible', Op.WRITE), [ResourceType.TRANSACTIONAL_ID, 'tx', Op.WRITE]);
    // Past the check; kpg has no transactions yet.
    expect(await produce('visible', { transactional: true, transactionalId: 'tx' })).toBe(ErrorCode.INVALID_TXN_STATE);
  });

  it('Fetch needs READ on each topic', async () => {
    await grant(topic('visible', Op.READ));
    const { body } = await raw.request(1, 12, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: ['visible', 'hidden', 'nowhere'].map((name) => ({
        topic: name,
        partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }],
      })),
      forgottenTopicsData: [],
      rackId: '',
    });
    expect(body.errorCode).toBe(OK);
    const codes = Object.fromEntries(body.responses.map((t: any) => [t.topic, t.partitions[0].errorCode]));
    expect(codes).toEqual({ visible: OK, hidden: TOPIC_DENIED, nowhere: TOPIC_DENIED });
  });

  it('ListOffsets and OffsetForLeaderEpoch need DESCRIBE on each topic', async () => {
    await grant(topic('visible', Op.DESCRIBE));
    const list = await raw.request(2, 7, {
      replicaId: -1,
      isolationLevel: 0,
      topics: ['visible', 'hidden', 'nowhere'].map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] })),
    });
    expect(list.body.topics.map((t: any) => [t.name, t.partitions[0].errorCode])).toEqual([
      ['visible', OK], ['hidden', TOPIC_DENIED], ['nowhere', TOPIC_DENIED],
    ]);
    const epochs = await raw.request(23, 4, {
      replicaId: -1,
      topics: ['visible', 'hidden'].map((name) => ({ topic: name, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] })),
    });
    expect(epochs.body.topics.map((t: any) => [t.topic, t.partitions[0].errorCode])).toEqual([['visible', OK], ['hidden', TOPIC_DENIED]]);
  });
});

describe('groups', () => {
  it('FindCoordinator needs DESCRIBE on the group or transactional id, per key', async () => {
    await grant(group('mine', Op.DESCRIBE));
    const groups = await raw.request(10, 4, { keyType: 0, coordinatorKeys: ['mine', 'theirs'] });
    expect(groups.body.coordinators.map((c: any) => [c.key, c.errorCode])).toEqual([['mine', OK], ['theirs', GROUP_DENIED]]);
    // Kafka 4.1.2: v4+ refusals carry an empty message, v0-3 the default one.
    expect(groups.body.coordinators[1]).toMatchObject({ errorMessage: '', nodeId: -1, host: '', port: -1 });
    const txn = await raw.request(10, 4, { keyType: 1, coordinatorKeys: ['tx'] });
    expect(txn.body.coordinators[0]).toMatchObject({ errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, nodeId: -1 });
    const old = await raw.request(10, 3, { key: 'theirs', keyType: 0 });
    expect(old.body).toMatchObject({ errorCode: GROUP_DENIED, errorMessage: 'Group authorization failed.', nodeId: -1, host: '', port: -1 });
  });

  it('JoinGroup, SyncGroup, Heartbeat and LeaveGroup need READ on the group', async () => {
    await grant(group('mine', Op.DESCRIBE));
    const join = await raw.request(11, 5, {
      groupId: 'mine', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    expect(join.body).toMatchObject({ errorCode: GROUP_DENIED, memberId: '', generationId: -1 });
    const sync = await raw.request(14, 3, { groupId: 'mine', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] });
    expect(sync.body.errorCode).toBe(GROUP_DENIED);
    const heartbeat = await raw.request(12, 3, { groupId: 'mine', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(heartbeat.body.errorCode).toBe(GROUP_DENIED);
    const leave = await raw.request(13, 3, { groupId: 'mine', members: [{ memberId: 'm', groupInstanceId: null }] });
    expect(leave.body.errorCode).toBe(GROUP_DENIED);
    // READ on the group passes the check (the coordinator answers next).
    await grant(group('mine', Op.READ));
    const heartbeatAllowed = await raw.request(12, 3, { groupId: 'mine', generationId: 1, memberId: 'm', groupInstanceId: null });
    expect(heartbeatAllowed.body.errorCode).not.toBe(GROUP_DENIED);
  });

  it('OffsetCommit needs READ on the group, then READ on each topic', async () => {
    const commit = () =>
      raw.request(8, 8, {
        groupId: 'committer', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
        topics: ['visible', 'hidden'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }] })),
      });
    await grant(topic('visible', Op.READ));
    let { body } = await commit();
    expect(body.topics.map((t: any) => t.partitions[0].errorCode)).toEqual([GROUP_DENIED, GROUP_DENIED]);
    await grant(topic('visible', Op.READ), group('committer', Op.READ));
    ({ body } = await commit());
    expect(body.topics.map((t: any) => [t.name, t.partitions[0].errorCode])).toEqual([['visible', OK], ['hidden', TOPIC_DENIED]]);
  });

  it('OffsetFetch needs DESCRIBE on the group; topics without DESCRIBE are refused or left out', async () => {
    const fetch = (topics: string[] | null) =>
      raw.request(9, 8, {
        groups: [{ groupId: 'committer', topics: topics === null ? null : topics.map((name) => ({ name, partitionIndexes: [0] })) }],
        requireStable: false,
      });
    await grant(topic('visible', Op.READ));
    let { body } = await fetch(['visible']);
    expect(body.groups[0].errorCode).toBe(GROUP_DENIED);

    // A commit to both topics first, with every right.
    await grant(topic('visible', Op.READ), topic('hidden', Op.READ), group('committer', Op.READ));
    await raw.request(8, 8, {
      groupId: 'committer', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null,
      topics: ['visible', 'hidden'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }] })),
    });
    await grant(topic('visible', Op.DESCRIBE), group('committer', Op.DESCRIBE));
    ({ body } = await fetch(['visible', 'hidden']));
    expect(body.groups[0].errorCode).toBe(OK);
    expect(body.groups[0].topics.map((t: any) => [t.name, t.partitions[0].errorCode, t.partitions[0].committedOffset])).toEqual([
      ['visible', OK, 1n], ['hidden', TOPIC_DENIED, -1n],
    ]);
    ({ body } = await fetch(null));
    expect(body.groups[0].topics.map((t: any) => t.name)).toEqual(['visible']);
  });

  it('OffsetFetch v1 refuses each partition, v2-7 the group', async () => {
    await grant(topic('visible', Op.READ));
    const v1 = await raw.request(9, 1, { groupId: 'committer', topics: [{ name: 'visible', partitionIndexes: [0, 1] }] });
    expect(v1.body.topics[0].partitions.map((p: any) => [p.errorCode, p.committedOffset])).toEqual([[GROUP_DENIED, -1n], [GROUP_DENIED, -1n]]);
    for (const version of [2, 5, 7]) {
      const { body } = await raw.request(9, version, { groupId: 'committer', topics: [{ name: 'visible', partitionIndexes: [0] }], requireStable: false });
      expect(body).toMatchObject({ errorCode: GROUP_DENIED, topics: [] });
    }
  });

  it('DescribeGroups, ListGroups, DeleteGroups and OffsetDelete', async () => {
    await grant(group('committer', Op.DESCRIBE));
    const described = await raw.request(15, 5, { groups: ['committer', 'other'], includeAuthorizedOperations: true });
    expect(described.body.groups.map((g: any) => [g.groupId, g.errorCode])).toEqual([['committer', OK], ['other', GROUP_DENIED]]);
    expect(described.body.groups[1]).toMatchObject({ groupState: '', authorizedOperations: -2147483648, members: [] });
    expect(described.body.groups[0].authorizedOperations).toBe(bits(Op.DESCRIBE));

    await grant(group('mine', Op.READ), group('unrelated', Op.DESCRIBE));
    const listed = await raw.request(16, 4, { statesFilter: [] });
    expect(listed.body.groups.map((g: any) => g.groupId).sort()).not.toContain('committer');
    await grant(cluster(Op.DESCRIBE));
    const all = await raw.request(16, 4, { statesFilter: [] });
    expect(all.body.groups.map((g: any) => g.groupId)).toContain('committer');

    await grant(topic('visible', Op.READ));
    const offsetDelete = await raw.request(47, 0, { groupId: 'committer', topics: [{ name: 'visible', partitions: [{ partitionIndex: 0 }] }] });
    expect(offsetDelete.body.errorCode).toBe(GROUP_DENIED);
    await grant(group('committer', Op.DELETE));
    const offsetDeleteTopics = await raw.request(47, 0, { groupId: 'committer', topics: [{ name: 'hidden', partitions: [{ partitionIndex: 0 }] }] });
    expect(offsetDeleteTopics.body.errorCode).toBe(OK);
    expect(offsetDeleteTopics.body.topics[0].partitions[0].errorCode).toBe(TOPIC_DENIED);

    await grant(group('committer', Op.DESCRIBE));
    const deleted = await raw.request(42, 2, { groupsNames: ['committer'] });
    expect(deleted.body.results[0]).toMatchObject({ groupId: 'committer', errorCode: GROUP_DENIED });
  });
});

describe('admin', () => {
  it('CreateTopics needs CREATE; configs only with DESCRIBE_CONFIGS', async () => {
    await grant(topic('made-', Op.CREATE, PatternType.PREFIXED));
    const { body } = await raw.request(19, 7, {
      topics: ['made-a', 'refused'].map((name) => ({ name, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] })),
      timeoutMs: 5000,
      validateOnly: false,
    });
    const byName = new Map(body.topics.map((t: any) => [t.name, t]));
    expect(byName.get('refused')).toMatchObject({ errorCode: TOPIC_DENIED, errorMessage: 'Authorization failed.' });
    expect(byName.get('made-a')).toMatchObject({ errorCode: OK, errorMessage: null, topicConfigErrorCode: TOPIC_DENIED, numPartitions: -1, replicationFactor: -1, configs: [] });
    expect(byName.get('refused')).toMatchObject({ topicConfigErrorCode: OK, numPartitions: -1, replicationFactor: -1 });

    await grant(topic('made-', Op.CREATE, PatternType.PREFIXED), topic('made-', Op.DESCRIBE_CONFIGS, PatternType.PREFIXED));
    const again = await raw.request(19, 7, {
      topics: [{ name: 'made-b', numPartitions: 3, replicationFactor: -1, assignments: [], configs: [] }],
      timeoutMs: 5000,
      validateOnly: true,
    });
    expect(again.body.topics[0]).toMatchObject({ errorCode: OK, topicConfigErrorCode: OK, numPartitions: 3 });
    expect(again.body.topics[0].configs.length).toBeGreaterThan(0);
  });

  it('DeleteTopics needs DELETE; names without DESCRIBE and ids reveal nothing', async () => {
    await createTopic(kpg.gateway, 'doomed');
    const doomedId = (await kpg.gateway.services.topics.byNames(['doomed'])).get('doomed')!.topicId;
    await grant(topic('visible', Op.DESCRIBE));
    const { body } = await raw.request(20, 6, {
      topics: [{ name: 'doomed', topicId: ZERO_UUID }, { name: 'nowhere', topicId: ZERO_UUID }, { name: null, topicId: hiddenId }, { name: null, topicId: visibleId }],
      timeoutMs: 5000,
    });
    const results = body.responses.map((r: any) => [r.name, r.topicId, r.errorCode]);
    expect(body.responses.every((r: any) => r.errorMessage === 'Topic authorization failed.')).toBe(true);
    expect(results).toEqual(expect.arrayContaining([
      ['doomed', ZERO_UUID, TOPIC_DENIED],
      ['nowhere', ZERO_UUID, TOPIC_DENIED],
      [null, hiddenId, TOPIC_DENIED],
      ['visible', visibleId, TOPIC_DENIED],
    ]));
    await grant(topic('doomed', Op.DELETE));
    const allowed = await raw.request(20, 6, { topics: [{ name: null, topicId: doomedId }], timeoutMs: 5000 });
    expect(allowed.body.responses[0]).toMatchObject({ name: 'doomed', errorCode: OK });
  });

  it('DeleteRecords needs DELETE and CreatePartitions ALTER on the topic', async () => {
    await grant(topic('visible', Op.DESCRIBE));
    const records = await raw.request(21, 2, { topics: [{ name: 'visible', partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 5000 });
    expect(records.body.topics[0].partitions[0].errorCode).toBe(TOPIC_DENIED);
    const partitions = await raw.request(37, 3, { topics: [{ name: 'visible', count: 5, assignments: null }], timeoutMs: 5000, validateOnly: true });
    expect(partitions.body.results[0].errorCode).toBe(TOPIC_DENIED);
    await grant(topic('visible', Op.ALTER));
    const allowed = await raw.request(37, 3, { topics: [{ name: 'visible', count: 5, assignments: null }], timeoutMs: 5000, validateOnly: true });
    expect(allowed.body.results[0].errorCode).toBe(OK);
  });

  it('InitProducerId: IDEMPOTENT_WRITE on the cluster or WRITE on any topic', async () => {
    const init = async () => (await raw.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1n, producerEpoch: -1 })).body.errorCode;
    await grant(topic('visible', Op.READ));
    expect(await init()).toBe(CLUSTER_DENIED);
    await grant(topic('any-', Op.WRITE, PatternType.PREFIXED));
    expect(await init()).toBe(OK);
    await grant(cluster(Op.IDEMPOTENT_WRITE));
    expect(await init()).toBe(OK);
  });

  it('DescribeConfigs needs DESCRIBE_CONFIGS; AlterConfigs and IncrementalAlterConfigs ALTER_CONFIGS', async () => {
    await grant(topic('visible', Op.DESCRIBE_CONFIGS));
    const described = await raw.request(32, 4, {
      resources: [
        { resourceType: 2, resourceName: 'visible', configurationKeys: ['retention.ms'] },
        { resourceType: 2, resourceName: 'hidden', configurationKeys: null },
        { resourceType: 4, resourceName: String(kpg.gateway.nodeId), configurationKeys: null },
      ],
      includeSynonyms: false,
      includeDocumentation: false,
    });
    expect(described.body.results.map((r: any) => r.errorCode)).toEqual([OK, TOPIC_DENIED, CLUSTER_DENIED]);
    expect(described.body.results[1].errorMessage).toBe('Topic authorization failed.');

    const alter = await raw.request(44, 1, {
      resources: [
        { resourceType: 2, resourceName: 'visible', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] },
        { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1000' }] },
      ],
      validateOnly: true,
    });
    expect(alter.body.responses.map((r: any) => r.errorCode)).toEqual([TOPIC_DENIED, CLUSTER_DENIED]);
    const legacy = await raw.request(33, 2, {
      resources: [{ resourceType: 2, resourceName: 'visible', configs: [{ name: 'retention.ms', value: '1000' }] }],
      validateOnly: true,
    });
    expect(legacy.body.responses[0].errorCode).toBe(TOPIC_DENIED);
    await grant(topic('visible', Op.ALTER_CONFIGS));
    const allowed = await raw.request(33, 2, {
      resources: [{ resourceType: 2, resourceName: 'visible', configs: [{ name: 'retention.ms', value: '1000' }] }],
      validateOnly: true,
    });
    expect(allowed.body.responses[0].errorCode).toBe(OK);
  });

  it('cluster APIs: DescribeLogDirs, reassignments, DescribeCluster operations', async () => {
    await grant(topic('visible', Op.DESCRIBE));
    const dirs = await raw.request(35, 4, { topics: null });
    expect(dirs.body).toMatchObject({ errorCode: CLUSTER_DENIED, results: [] });
    const listing = await raw.request(46, 0, { timeoutMs: 5000, topics: null });
    // Kafka's message names its request object ("Request Request(processor=...) needs DESCRIBE permission."); kpg the API.
    expect(listing.body).toMatchObject({ errorCode: CLUSTER_DENIED, errorMessage: 'Request ListPartitionReassignments needs DESCRIBE permission.' });
    const alter = await raw.request(45, 0, { timeoutMs: 5000, topics: [{ name: 'visible', partitions: [{ partitionIndex: 0, replicas: [kpg.gateway.nodeId] }] }] });
    expect(alter.body.errorCode).toBe(CLUSTER_DENIED);
    expect(alter.body.responses[0].partitions[0].errorCode).toBe(CLUSTER_DENIED);
    // As Kafka 4.1.2: DescribeCluster itself needs no permission; its cluster operations are 0 without DESCRIBE.
    const describeCluster = await raw.request(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    expect(describeCluster.body).toMatchObject({ errorCode: OK, clusterAuthorizedOperations: 0 });

    await grant(cluster(Op.DESCRIBE), cluster(Op.ALTER));
    expect((await raw.request(35, 4, { topics: null })).body.errorCode).toBe(OK);
    expect((await raw.request(46, 0, { timeoutMs: 5000, topics: null })).body.errorCode).toBe(OK);
    const withDescribe = await raw.request(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 });
    expect(withDescribe.body.clusterAuthorizedOperations).toBe(bits(Op.DESCRIBE, Op.ALTER));
  });

  it('DescribeTopicPartitions: DESCRIBE per topic, refused names after the others', async () => {
    await grant(topic('visible', Op.DESCRIBE));
    const named = await raw.request(75, 0, { topics: [{ name: 'hidden' }, { name: 'visible' }], responsePartitionLimit: 100, cursor: null });
    expect(named.body.topics.map((t: any) => [t.name, t.errorCode])).toEqual([['visible', OK], ['hidden', TOPIC_DENIED]]);
    expect(named.body.topics[0].topicAuthorizedOperations).toBe(bits(Op.DESCRIBE));
    expect(named.body.topics[1]).toMatchObject({ topicId: ZERO_UUID, topicAuthorizedOperations: -2147483648 });
    const all = await raw.request(75, 0, { topics: [], responsePartitionLimit: 100, cursor: null });
    expect(all.body.topics.map((t: any) => t.name)).toEqual(['visible']);
  });
});

describe('real clients', () => {
  it('kafkajs: a producer refused WRITE gets TOPIC_AUTHORIZATION_FAILED, an allowed one produces and a consumer reads', { timeout: 60_000 }, async () => {
    await grant(topic('visible', Op.WRITE), topic('visible', Op.READ), cluster(Op.IDEMPOTENT_WRITE), group('kafkajs-reader', Op.READ));
    const kafka = kafkaClient(kpg.bootstrap);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      await producer.send({ topic: 'visible', messages: [{ key: 'a', value: 'allowed' }] });
      await expect(producer.send({ topic: 'hidden', messages: [{ value: 'refused' }] })).rejects.toMatchObject({ cause: { type: 'TOPIC_AUTHORIZATION_FAILED' } });
    } finally {
      await producer.disconnect();
    }
    const consumer = kafka.consumer({ groupId: 'kafkajs-reader' });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: 'visible', fromBeginning: true });
      const first = new Promise<string>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            if (message.key?.toString() === 'a') resolve(message.value!.toString());
          },
        });
      });
      expect(await first).toBe('allowed');
    } finally {
      await consumer.disconnect();
    }
    const admin = kafka.admin();
    await admin.connect();
    try {
      const topics = await admin.listTopics();
      expect(topics).toEqual(['visible']);
      await expect(admin.fetchTopicOffsets('hidden')).rejects.toThrow(/authoriz/i);
      // A group it may not describe: FindCoordinator already refuses it (GROUP_AUTHORIZATION_FAILED).
      await expect(admin.describeGroups(['committer'])).rejects.toThrow(/group coordinator/);
    } finally {
      await admin.disconnect();
    }
  });
});

describe.skipIf(!javaUsable)('Java AdminClient (test/security/java/EnforceAdmin.java)', () => {
  it('sees only what the ACLs allow, with Kafka exceptions for the rest', { timeout: 180_000 }, async () => {
    await grant(topic('visible', Op.READ), topic('visible', Op.DESCRIBE_CONFIGS));
    const classes = mkdtempSync(path.join(os.tmpdir(), 'kpg-enforce-java-'));
    try {
      await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS['4']}/*`, '-d', classes, path.join(HERE, 'java/EnforceAdmin.java')], { timeout: 120_000 });
      const { stdout } = await run('java', ['-cp', `${classes}:${JAVA_LIBS['4']}/*`, 'EnforceAdmin', kpg.bootstrap], { timeout: 120_000 });
      const outcome = Object.fromEntries(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]));
      expect(outcome).toEqual({
        listTopics: '[visible]',
        'describeTopic.visible': '[DESCRIBE, DESCRIBE_CONFIGS, READ]',
        'describeTopic.hidden': 'TopicAuthorizationException',
        describeCluster: '[]',
        'createTopic.refused': 'TopicAuthorizationException',
        'deleteRecords.visible': 'TopicAuthorizationException',
        listGroups: '0',
      });
    } finally {
      rmSync(classes, { recursive: true, force: true });
    }
  });
});
