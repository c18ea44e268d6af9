// Runs the requests of ../enforce.test.ts against the reference Kafka 4.1.2, printing what it answers,
// so kpg's expectations can be checked against it again. Not a test (vitest does not pick it up).
//
//   LIB=~/.cache/kpg/kafka-4.1.2/lib; D=/tmp/kpg-enforce-reference; mkdir -p $D/classes
//   java -cp "$LIB/*" kafka.tools.StorageTool format -t $(uuid-ish base64url) -c kafka-acl-reference.properties
//   java -cp "$LIB/*" kafka.Kafka kafka-acl-reference.properties &     (PLAINTEXT 45092 = ANONYMOUS;
//        SASL_PLAINTEXT 45094 = User:admin, the super user GrantAcls uses)
//   javac -cp "$LIB/*" -d $D/classes GrantAcls.java
//   npx tsx test/security/reference/enforce-matrix.mts
// It creates the topics visible (2 partitions), hidden and doomed first; run it before -extra.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { encodeBatch } from '../../../src/records/batch.js';
import { RawClient } from '../../support/raw-client.js';

const ZERO = '00000000-0000-0000-0000-000000000000';
const java = spawn('java', ['-cp', `${process.env.GRANT_CLASSES ?? '/tmp/kpg-enforce-reference/classes'}:${process.env.HOME}/.cache/kpg/kafka-4.1.2/lib/*`, 'GrantAcls'], { stdio: ['pipe', 'pipe', 'ignore'] });
const lines = createInterface({ input: java.stdout! })[Symbol.asyncIterator]();
async function grant(...g: string[]): Promise<void> {
  java.stdin!.write(g.join(' ') + '\n');
  const r = await lines.next();
  if (r.value !== 'ok') throw new Error(`grant ${g}: ${r.value}`);
  await new Promise((res) => setTimeout(res, 500));
}
const results: Record<string, unknown> = {};
const note = (k: string, v: unknown) => {
  results[k] = v;
  console.log(k, JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));
};

// The topics (an "error" answer when they exist already is fine).
java.stdin!.write('create:visible:2 create:hidden:1 create:doomed:1\n');
await lines.next();
const raw = await RawClient.connect('127.0.0.1:45092');
const md = async (names: string[] | null, extra: Record<string, unknown> = {}, v = 12) =>
  (await raw.request(3, v, { topics: names === null ? null : names.map((name) => ({ name, topicId: ZERO })), allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false, ...extra })).body;

await grant('TOPIC:visible:READ');
note('md.all', (await md(null)).topics.map((t: any) => t.name));
await grant('TOPIC:visible:DESCRIBE', 'TOPIC:missing-:DESCRIBE:PREFIXED');
note('md.named', (await md(['visible', 'hidden', 'nowhere', 'missing-1'])).topics.map((t: any) => [t.name, t.errorCode, t.topicId === ZERO]));
await grant('TOPIC:auto-:DESCRIBE:PREFIXED');
note('md.auto.denied', (await md(['auto-one'], { allowAutoTopicCreation: true })).topics.map((t: any) => [t.name, t.errorCode]));
await grant('TOPIC:auto-:DESCRIBE:PREFIXED', 'TOPIC:auto-two:CREATE');
note('md.auto.topic', (await md(['auto-two'], { allowAutoTopicCreation: true })).topics.map((t: any) => [t.name, t.errorCode]));
await grant('TOPIC:visible:READ', 'TOPIC:visible:DESCRIBE_CONFIGS');
const ops = await md(['visible'], { includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true }, 10);
note('md.ops', [ops.topics[0].topicAuthorizedOperations, ops.clusterAuthorizedOperations]);
await grant('TOPIC:visible:READ', 'CLUSTER:kafka-cluster:DESCRIBE', 'CLUSTER:kafka-cluster:ALTER');
note('md.clusterops', (await md(['visible'], { includeClusterAuthorizedOperations: true }, 10)).clusterAuthorizedOperations);

const produce = async (name: string, tx = false, txId: string | null = null) => {
  const records = await encodeBatch([{ key: 'k', value: 'v' }], tx ? { transactional: true, producerId: 1n, producerEpoch: 0, baseSequence: 0 } : {});
  const { body } = await raw.request(0, 9, { transactionalId: txId, acks: -1, timeoutMs: 5000, topicData: [{ name, partitionData: [{ index: 0, records }] }] });
  return body.responses[0].partitionResponses[0].errorCode;
};
await grant('TOPIC:visible:WRITE', 'TOPIC:hidden:READ');
note('produce', [await produce('visible'), await produce('hidden'), await produce('nowhere')]);
await grant('TOPIC:nowhere:WRITE');
note('produce.nowhere.allowed', await produce('nowhere'));
await grant('TOPIC:visible:WRITE');
note('produce.tx', await produce('visible', true, 'tx'));

await grant('TOPIC:visible:READ');
const fetch = await raw.request(1, 12, {
  replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: ['visible', 'hidden', 'nowhere'].map((name) => ({ topic: name, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] })),
  forgottenTopicsData: [], rackId: '',
});
note('fetch', fetch.body.responses.map((t: any) => [t.topic, t.partitions[0].errorCode]));

await grant('TOPIC:visible:DESCRIBE');
const lo = await raw.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: ['visible', 'hidden', 'nowhere'].map((name) => ({ name, partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1n }] })) });
note('listoffsets', lo.body.topics.map((t: any) => [t.name, t.partitions[0].errorCode]));
const ep = await raw.request(23, 4, { replicaId: -1, topics: ['visible', 'hidden'].map((name) => ({ topic: name, partitions: [{ partition: 0, currentLeaderEpoch: -1, leaderEpoch: 0 }] })) });
note('epochs', ep.body.topics.map((t: any) => [t.topic, t.partitions[0].errorCode]));

await grant('GROUP:mine:DESCRIBE');
note('findcoord', (await raw.request(10, 4, { keyType: 0, coordinatorKeys: ['mine', 'theirs'] })).body.coordinators.map((c: any) => [c.key, c.errorCode, c.errorMessage]));
note('findcoord.txn', (await raw.request(10, 4, { keyType: 1, coordinatorKeys: ['tx'] })).body.coordinators.map((c: any) => [c.errorCode, c.nodeId, c.errorMessage]));
note('findcoord.v3', (await raw.request(10, 3, { key: 'theirs', keyType: 0 })).body);
const join = await raw.request(11, 5, { groupId: 'mine', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }] });
note('join', [join.body.errorCode, join.body.memberId, join.body.generationId]);
note('sync', (await raw.request(14, 3, { groupId: 'mine', generationId: 1, memberId: 'm', groupInstanceId: null, assignments: [] })).body.errorCode);
note('heartbeat', (await raw.request(12, 3, { groupId: 'mine', generationId: 1, memberId: 'm', groupInstanceId: null })).body.errorCode);
note('leave', (await raw.request(13, 3, { groupId: 'mine', members: [{ memberId: 'm', groupInstanceId: null }] })).body);

const commit = () => raw.request(8, 8, { groupId: 'committer', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: ['visible', 'hidden'].map((name) => ({ name, partitions: [{ partitionIndex: 0, committedOffset: 1n, committedLeaderEpoch: -1, committedMetadata: '' }] })) });
await grant('TOPIC:visible:READ');
note('commit.nogroup', (await commit()).body.topics.map((t: any) => t.partitions[0].errorCode));
await grant('TOPIC:visible:READ', 'GROUP:committer:READ');
note('commit.group', (await commit()).body.topics.map((t: any) => [t.name, t.partitions[0].errorCode]));
const ofetch = (topics: string[] | null) => raw.request(9, 8, { groups: [{ groupId: 'committer', topics: topics === null ? null : topics.map((name) => ({ name, partitionIndexes: [0] })) }], requireStable: false });
await grant('TOPIC:visible:READ');
note('ofetch.nogroup', (await ofetch(['visible'])).body.groups[0].errorCode);
await grant('TOPIC:visible:READ', 'TOPIC:hidden:READ', 'GROUP:committer:READ');
await commit();
await grant('TOPIC:visible:DESCRIBE', 'GROUP:committer:DESCRIBE');
note('ofetch.named', (await ofetch(['visible', 'hidden'])).body.groups[0].topics.map((t: any) => [t.name, t.partitions[0].errorCode, t.partitions[0].committedOffset]));
note('ofetch.all', (await ofetch(null)).body.groups[0].topics.map((t: any) => t.name));

await grant('GROUP:committer:DESCRIBE');
const dg = await raw.request(15, 5, { groups: ['committer', 'other'], includeAuthorizedOperations: true });
note('describegroups', dg.body.groups.map((g: any) => [g.groupId, g.errorCode, g.groupState, g.authorizedOperations]));
await grant('GROUP:mine:READ', 'GROUP:unrelated:DESCRIBE');
note('listgroups.filtered', (await raw.request(16, 4, { statesFilter: [] })).body.groups.map((g: any) => g.groupId));
await grant('CLUSTER:kafka-cluster:DESCRIBE');
note('listgroups.cluster', (await raw.request(16, 4, { statesFilter: [] })).body.groups.map((g: any) => g.groupId));
await grant('TOPIC:visible:READ');
note('offsetdelete.nogroup', (await raw.request(47, 0, { groupId: 'committer', topics: [{ name: 'visible', partitions: [{ partitionIndex: 0 }] }] })).body);
await grant('GROUP:committer:DELETE');
note('offsetdelete.topic', (await raw.request(47, 0, { groupId: 'committer', topics: [{ name: 'hidden', partitions: [{ partitionIndex: 0 }] }] })).body);
await grant('GROUP:committer:DESCRIBE');
note('deletegroups', (await raw.request(42, 2, { groupsNames: ['committer'] })).body.results);

await grant('TOPIC:made-:CREATE:PREFIXED');
note('createtopics', (await raw.request(19, 7, { topics: ['made-a', 'refused'].map((name) => ({ name, numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] })), timeoutMs: 5000, validateOnly: false })).body.topics.map((t: any) => [t.name, t.errorCode, t.errorMessage, t.topicConfigErrorCode, t.numPartitions, t.replicationFactor, t.configs?.length]));
await grant('TOPIC:made-:CREATE:PREFIXED', 'TOPIC:made-:DESCRIBE_CONFIGS:PREFIXED');
note('createtopics.configs', (await raw.request(19, 7, { topics: [{ name: 'made-b', numPartitions: 3, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: true })).body.topics.map((t: any) => [t.errorCode, t.topicConfigErrorCode, t.numPartitions, t.configs.length > 0]));

await grant('TOPIC:visible:DESCRIBE');
// The topic ids, read while every topic may be described.
await grant('TOPIC:*:DESCRIBE');
const ids = Object.fromEntries((await md(['visible', 'hidden', 'doomed'])).topics.map((t: any) => [t.name, t.topicId]));
await grant('TOPIC:visible:DESCRIBE');
const mdById = await raw.request(3, 12, { topics: [{ name: null, topicId: ids.hidden }, { name: null, topicId: ids.visible }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
note('md.byid', mdById.body.topics.map((t: any) => [t.name, t.errorCode, t.topicId === ids.hidden ? 'hiddenId' : t.topicId === ids.visible ? 'visibleId' : t.topicId]));
const del = await raw.request(20, 6, { topics: [{ name: 'doomed', topicId: ZERO }, { name: 'nowhere', topicId: ZERO }, { name: null, topicId: ids.hidden }, { name: null, topicId: ids.visible }], timeoutMs: 5000 });
note('deletetopics', del.body.responses.map((r: any) => [r.name, r.topicId === ZERO ? 'ZERO' : r.topicId === ids.hidden ? 'hiddenId' : r.topicId === ids.visible ? 'visibleId' : r.topicId, r.errorCode, r.errorMessage]));

await grant('TOPIC:visible:DESCRIBE');
note('deleterecords', (await raw.request(21, 2, { topics: [{ name: 'visible', partitions: [{ partitionIndex: 0, offset: 0n }] }], timeoutMs: 5000 })).body.topics[0].partitions[0].errorCode);
note('createpartitions', (await raw.request(37, 3, { topics: [{ name: 'visible', count: 5, assignments: null }], timeoutMs: 5000, validateOnly: true })).body.results);
await grant('TOPIC:visible:ALTER');
note('createpartitions.allowed', (await raw.request(37, 3, { topics: [{ name: 'visible', count: 5, assignments: null }], timeoutMs: 5000, validateOnly: true })).body.results);

const init = async () => (await raw.request(22, 4, { transactionalId: null, transactionTimeoutMs: 60000, producerId: -1n, producerEpoch: -1 })).body;
await grant('TOPIC:visible:READ');
note('initpid.none', await init());
await grant('TOPIC:any-:WRITE:PREFIXED');
note('initpid.anywrite', (await init()).errorCode);
await grant('CLUSTER:kafka-cluster:IDEMPOTENT_WRITE');
note('initpid.idem', (await init()).errorCode);

await grant('TOPIC:visible:DESCRIBE_CONFIGS');
const dc = await raw.request(32, 4, { resources: [{ resourceType: 2, resourceName: 'visible', configurationKeys: ['retention.ms'] }, { resourceType: 2, resourceName: 'hidden', configurationKeys: null }, { resourceType: 4, resourceName: '1', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
note('describeconfigs', dc.body.results.map((r: any) => [r.resourceName, r.errorCode, r.errorMessage]));
const iac = await raw.request(44, 1, { resources: [{ resourceType: 2, resourceName: 'visible', configs: [{ name: 'retention.ms', configOperation: 0, value: '1000' }] }, { resourceType: 4, resourceName: '', configs: [{ name: 'log.retention.ms', configOperation: 0, value: '1000' }] }], validateOnly: true });
note('incalter', iac.body.responses.map((r: any) => [r.resourceName, r.errorCode, r.errorMessage]));
note('alter', (await raw.request(33, 2, { resources: [{ resourceType: 2, resourceName: 'visible', configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: true })).body.responses);
await grant('TOPIC:visible:ALTER_CONFIGS');
note('alter.allowed', (await raw.request(33, 2, { resources: [{ resourceType: 2, resourceName: 'visible', configs: [{ name: 'retention.ms', value: '1000' }] }], validateOnly: true })).body.responses);

await grant('TOPIC:visible:DESCRIBE');
note('logdirs', (await raw.request(35, 4, { topics: null })).body);
note('listreassign', (await raw.request(46, 0, { timeoutMs: 5000, topics: null })).body);
note('alterreassign', (await raw.request(45, 0, { timeoutMs: 5000, topics: [{ name: 'visible', partitions: [{ partitionIndex: 0, replicas: [1] }] }] })).body);
note('describecluster', (await raw.request(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })).body);
await grant('CLUSTER:kafka-cluster:DESCRIBE', 'CLUSTER:kafka-cluster:ALTER');
note('logdirs.allowed', (await raw.request(35, 4, { topics: null })).body.errorCode);
note('listreassign.allowed', (await raw.request(46, 0, { timeoutMs: 5000, topics: null })).body.errorCode);
note('describecluster.allowed', (await raw.request(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })).body.clusterAuthorizedOperations);

await grant('TOPIC:visible:DESCRIBE');
note('dtp.named', (await raw.request(75, 0, { topics: [{ name: 'hidden' }, { name: 'visible' }], responsePartitionLimit: 100, cursor: null })).body.topics.map((t: any) => [t.name, t.errorCode, t.topicAuthorizedOperations]));
note('dtp.all', (await raw.request(75, 0, { topics: [], responsePartitionLimit: 100, cursor: null })).body.topics.map((t: any) => t.name));

raw.close();
java.stdin!.end();
process.exit(0);
