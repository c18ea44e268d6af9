/**
 * AlterPartitionReassignments / ListPartitionReassignments on a cluster of two gateways, and the ACL
 * APIs without an authorizer, through kafkajs and raw requests (the bad input kafkajs does not send).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { kafkaClient } from '../support/kafkajs.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { type AdminGateway, createTopicOverKafka, startAdminGateway } from './support/admin-gateway.js';

let fixture: AdminGateway;
let second: TestGateway;
let first: number;
let other: number;

beforeAll(async () => {
  fixture = await startAdminGateway();
  second = await startTestGateway({ database: fixture.kpg.database });
  first = fixture.kpg.gateway.nodeId;
  other = second.gateway.nodeId;
});

afterAll(async () => {
  await second?.stop();
  await fixture?.stop();
});

async function alter(topics: unknown, version = 1, allowReplicationFactorChange = true) {
  const { body } = await fixture.raw.request(45, version, { timeoutMs: 10_000, allowReplicationFactorChange, topics });
  return body;
}

async function replicasOf(topic: string): Promise<number[][]> {
  const { body } = await fixture.raw.request(3, 12, { topics: [{ topicId: '00000000-0000-0000-0000-000000000000', name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  return body.topics[0].partitions.sort((a: any, b: any) => a.partitionIndex - b.partitionIndex).map((p: any) => [p.leaderId, ...p.replicaNodes]);
}

describe('ApiVersions', () => {
  it('advertises the ACL APIs at 1-3 and the reassignment APIs at 0-1 and 0, as Kafka 4.1', async () => {
    const { body } = await fixture.raw.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
    const byKey = new Map(body.apiKeys.map((k: any) => [k.apiKey, [k.minVersion, k.maxVersion]]));
    expect([29, 30, 31, 45, 46].map((k) => byKey.get(k))).toEqual([[1, 3], [1, 3], [1, 3], [0, 1], [0, 0]]);
  });
});

describe('AlterPartitionReassignments', () => {
  it('kafkajs: a reassignment to live gateways takes effect at once and none stays in progress', async () => {
    await createTopicOverKafka(fixture.raw, 'moved', 2);
    const admin = kafkaClient(fixture.kpg.bootstrap).admin();
    await admin.connect();
    try {
      await admin.alterPartitionReassignments({ topics: [{ topic: 'moved', partitionAssignment: [{ partition: 0, replicas: [other, first] }, { partition: 1, replicas: [first] }] }] });
      // Metadata from either gateway: partition 0 led by the first replica listed.
      expect(await replicasOf('moved')).toEqual([[other, other, first], [first, first]]);
      const listed = await admin.listPartitionReassignments({});
      expect(listed.topics).toEqual([]);
      const described = await admin.fetchTopicMetadata({ topics: ['moved'] });
      expect(described.topics[0]!.partitions.find((p) => p.partitionId === 0)!.replicas).toEqual([other, first]);
    } finally {
      await admin.disconnect();
    }
  });

  it('the current replicas again: success, nothing changes', async () => {
    await createTopicOverKafka(fixture.raw, 'same', 1);
    const before = await replicasOf('same');
    const body = await alter([{ name: 'same', partitions: [{ partitionIndex: 0, replicas: before[0]!.slice(1) }] }]);
    expect(body).toMatchObject({ errorCode: 0, errorMessage: null, allowReplicationFactorChange: true, responses: [{ name: 'same', partitions: [{ partitionIndex: 0, errorCode: 0, errorMessage: null }] }] });
    expect(await replicasOf('same')).toEqual(before);
  });

  it('bad input gets Kafka\'s errors and changes nothing', async () => {
    await createTopicOverKafka(fixture.raw, 'kept', 2);
    const before = await replicasOf('kept');
    const body = await alter([
      {
        name: 'kept',
        partitions: [
          { partitionIndex: 0, replicas: [first, 99] },
          { partitionIndex: 0, replicas: [] },
          { partitionIndex: 1, replicas: [first, first] },
          { partitionIndex: 1, replicas: [-1] },
          { partitionIndex: 1, replicas: null },
          { partitionIndex: 7, replicas: [first] },
          { partitionIndex: -1, replicas: [first] },
        ],
      },
      { name: 'missing', partitions: [{ partitionIndex: 0, replicas: [first] }, { partitionIndex: 1, replicas: null }] },
    ]);
    expect(body.responses).toEqual([
      {
        name: 'kept',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes broker 99, but no such broker is registered.' },
          { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes an empty replica list.' },
          { partitionIndex: 1, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `The manual partition assignment includes the broker ${first} more than once.` },
          { partitionIndex: 1, errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: 'The manual partition assignment includes broker -1, but no such broker is registered.' },
          { partitionIndex: 1, errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: null },
          { partitionIndex: 7, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition kept:7.' },
          { partitionIndex: -1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find partition kept:-1.' },
        ],
      },
      {
        name: 'missing',
        partitions: [
          { partitionIndex: 0, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named missing.' },
          { partitionIndex: 1, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'Unable to find a topic named missing.' },
        ],
      },
    ]);
    // v1 without replication factor changes: a different count is refused, the same count passes.
    const strict = await alter([{ name: 'kept', partitions: [{ partitionIndex: 0, replicas: [first, other] }, { partitionIndex: 1, replicas: [other] }] }], 1, false);
    expect(strict).toMatchObject({ allowReplicationFactorChange: false });
    expect(strict.responses[0].partitions).toEqual([
      { partitionIndex: 0, errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: 'The replication factor is changed from 1 to 2' },
      { partitionIndex: 1, errorCode: ErrorCode.NONE, errorMessage: null },
    ]);
    expect((await replicasOf('kept'))[0]).toEqual(before[0]);
    expect((await replicasOf('kept'))[1]).toEqual([other, other]);
    // An empty request: no error, an empty message (as Kafka).
    expect(await alter([], 0)).toMatchObject({ errorCode: 0, errorMessage: '', responses: [] });
  });

  it('ListPartitionReassignments: none in progress, for all, named or unknown topics', async () => {
    for (const topics of [null, [], [{ name: 'kept', partitionIndexes: [0, 1, 9] }], [{ name: 'missing', partitionIndexes: [0] }]]) {
      const { body } = await fixture.raw.request(46, 0, { timeoutMs: 1000, topics });
      expect(body).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: null, topics: [] });
    }
  });
});

describe('ACLs without an authorizer', () => {
  it('kafkajs: describe, create and delete fail with SECURITY_DISABLED', async () => {
    const admin = kafkaClient(fixture.kpg.bootstrap).admin();
    await admin.connect();
    try {
      const filter = { resourceType: 2, resourceName: 'x', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 3, permissionType: 3 } as any;
      await expect(admin.describeAcls(filter)).rejects.toMatchObject({ type: 'SECURITY_DISABLED' });
      await expect(admin.createAcls({ acl: [filter] })).rejects.toMatchObject({ type: 'SECURITY_DISABLED' });
      await expect(admin.deleteAcls({ filters: [filter] })).rejects.toMatchObject({ type: 'SECURITY_DISABLED' });
    } finally {
      await admin.disconnect();
    }
  });

  it('every version answers with Kafka\'s codes and messages, one result per creation and filter', async () => {
    const filter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
    const creation = { resourceType: 2, resourceName: 'x', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 3, permissionType: 3 };
    for (const v of [1, 2, 3]) {
      expect((await fixture.raw.request(29, v, filter)).body).toEqual({ throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] });
      expect((await fixture.raw.request(30, v, { creations: [creation, creation] })).body.results).toEqual([
        { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' },
        { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' },
      ]);
      expect((await fixture.raw.request(31, v, { filters: [filter] })).body.filterResults).toEqual([
        { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.', matchingAcls: [] },
      ]);
      expect((await fixture.raw.request(30, v, { creations: [] })).body.results).toEqual([]);
      expect((await fixture.raw.request(31, v, { filters: [] })).body.filterResults).toEqual([]);
    }
  });
});
