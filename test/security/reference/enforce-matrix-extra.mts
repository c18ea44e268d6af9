// Runs the requests of ../enforce.test.ts against the reference Kafka 4.1.2, printing what it answers,
// so kpg's expectations can be checked against it again. Not a test (vitest does not pick it up).
//
//   LIB=~/.cache/kpg/kafka-4.1.2/lib; D=/tmp/kpg-enforce-reference; mkdir -p $D/classes
//   java -cp "$LIB/*" kafka.tools.StorageTool format -t $(uuid-ish base64url) -c kafka-acl-reference.properties
//   java -cp "$LIB/*" kafka.Kafka kafka-acl-reference.properties &     (PLAINTEXT 45092 = ANONYMOUS;
//        SASL_PLAINTEXT 45094 = User:admin, the super user GrantAcls uses)
//   javac -cp "$LIB/*" -d $D/classes GrantAcls.java
//   npx tsx test/security/reference/enforce-matrix-extra.mts
// Run after enforce-matrix.mts (its topics, and the offsets it commits).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { encodeBatch } from '../../../src/records/batch.js';
import { RawClient } from '../../support/raw-client.js';
const ZERO = '00000000-0000-0000-0000-000000000000';
const java = spawn('java', ['-cp', `${process.env.GRANT_CLASSES ?? '/tmp/kpg-enforce-reference/classes'}:${process.env.HOME}/.cache/kpg/kafka-4.1.2/lib/*`, 'GrantAcls'], { stdio: ['pipe', 'pipe', 'ignore'] });
const lines = createInterface({ input: java.stdout! })[Symbol.asyncIterator]();
async function grant(...g: string[]) { java.stdin!.write(g.join(' ') + '\n'); const r = await lines.next(); if (r.value !== 'ok') throw new Error(String(r.value)); await new Promise((res) => setTimeout(res, 500)); }
const show = (k: string, v: unknown) => console.log(k, JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));
const raw = await RawClient.connect('127.0.0.1:45092');
await grant('TOPIC:*:DESCRIBE');
const ids = Object.fromEntries((await raw.request(3, 12, { topics: ['visible', 'hidden'].map((name) => ({ name, topicId: ZERO })), allowAutoTopicCreation: false })).body.topics.map((t: any) => [t.name, t.topicId]));
await grant('TOPIC:visible:READ');
for (const v of [1, 2, 5, 7]) {
  show(`ofetch.v${v}.nogroup`, (await raw.request(9, v, { groupId: 'committer', topics: [{ name: 'visible', partitionIndexes: [0, 1] }], requireStable: false })).body);
}
await grant('TOPIC:visible:DESCRIBE', 'GROUP:committer:DESCRIBE');
show('ofetch.v5.topic', (await raw.request(9, 5, { groupId: 'committer', topics: [{ name: 'visible', partitionIndexes: [0] }, { name: 'hidden', partitionIndexes: [0] }], requireStable: false })).body);
show('ofetch.v5.all', (await raw.request(9, 5, { groupId: 'committer', topics: null })).body);
await grant('TOPIC:visible:READ');
const f13 = await raw.request(1, 13, { replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: [ids.visible, ids.hidden, '11111111-1111-1111-1111-111111111111'].map((topicId) => ({ topicId, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0n, lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] })),
  forgottenTopicsData: [], rackId: '' });
show('fetch.v13', f13.body.responses.map((t: any) => [t.topicId === ids.visible ? 'visible' : t.topicId === ids.hidden ? 'hidden' : t.topicId, t.partitions[0].errorCode]));
await grant('TOPIC:visible:WRITE');
const records = await encodeBatch([{ key: 'k', value: 'v' }]);
const p13 = await raw.request(0, 13, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [ids.visible, ids.hidden, '11111111-1111-1111-1111-111111111111'].map((topicId) => ({ name: '', topicId, partitionData: [{ index: 0, records }] })) });
show('produce.v13', p13.body.responses.map((t: any) => [t.topicId === ids.visible ? 'visible' : t.topicId === ids.hidden ? 'hidden' : t.topicId, t.partitionResponses[0].errorCode]));
await grant('TOPIC:visible:DESCRIBE');
show('md.v1.all', (await raw.request(3, 1, { topics: null })).body.topics.map((t: any) => t.name));
show('md.v0.all', (await raw.request(3, 0, { topics: [] })).body.topics.map((t: any) => t.name));
show('md.v3.autocreate', (await raw.request(3, 3, { topics: [{ name: 'v3-auto' }] })).body.topics.map((t: any) => [t.name, t.errorCode]));
raw.close(); java.stdin!.end(); process.exit(0);
