// kpg compatibility scenarios for kafkajs (kpg's own dev dependency).
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import kafkajs from 'kafkajs';
import { BASE_TS, BULK_N, BulkChecker, CODECS, Fail, NA, bulkRange, bulkRecord, checkRecords, expected, run, sleep, withTimeout } from './common.mjs';

const { Kafka, logLevel, CompressionTypes, ConfigResourceTypes } = kafkajs;
const version = createRequire(import.meta.url)('kafkajs/package.json').version;

function kafka(a) {
  return new Kafka({ clientId: 'kpg-compat-kafkajs', brokers: [a.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 }, requestTimeout: 15000 });
}

async function withAdmin(a, fn) {
  const admin = kafka(a).admin();
  await admin.connect();
  try { return await fn(admin); } finally { await admin.disconnect(); }
}

async function metadata(a) {
  return withAdmin(a, async (admin) => {
    const cluster = await admin.describeCluster();
    const topics = await admin.listTopics();
    if (!cluster.brokers.length) throw new Fail('no brokers');
    if (!topics.includes(a.topic)) throw new Fail(`topic ${a.topic} not listed (${topics.length} topics)`);
    return `${cluster.brokers.length} broker(s), controller ${cluster.controller}, cluster ${cluster.clusterId}, ${topics.length} topic(s) incl. ${a.topic}`;
  });
}

async function topicConfigs(admin, type, name) {
  const r = await admin.describeConfigs({ resources: [{ type, name }], includeSynonyms: false });
  const res = r.resources[0];
  if (res.errorCode) throw new Fail(`describe configs error ${res.errorCode} ${res.errorMessage ?? ''}`);
  return new Map(res.configEntries.map((e) => [e.configName, e.configValue]));
}

async function topicAdmin(a) {
  const t = `${a.topic}-adm`;
  return withAdmin(a, async (admin) => {
    await admin.createTopics({ topics: [{ topic: t, numPartitions: 2, replicationFactor: 1 }], waitForLeaders: true });
    const md = await admin.fetchTopicMetadata({ topics: [t] });
    if (md.topics[0]?.partitions.length !== 2) throw new Fail(`describe: ${JSON.stringify(md.topics[0])}`);
    // kafkajs has only the non-incremental AlterConfigs API.
    await admin.alterConfigs({ resources: [{ type: ConfigResourceTypes.TOPIC, name: t, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
    // the broker applies config changes from its metadata log shortly after answering
    let v;
    for (let i = 0; i < 20 && (v = (await topicConfigs(admin, ConfigResourceTypes.TOPIC, t)).get('retention.ms')) !== '3600000'; i++) await sleep(250);
    if (v !== '3600000') throw new Fail(`retention.ms is ${v} 5s after alter`);
    await admin.deleteTopics({ topics: [t] });
    const deadline = Date.now() + 15000;
    while ((await admin.listTopics()).includes(t)) {
      if (Date.now() > deadline) throw new Fail('topic still listed 15s after delete');
      await sleep(300);
    }
    return 'create(2 partitions), describe, alter retention.ms (AlterConfigs), delete';
  });
}

const KJS_CODECS = { none: CompressionTypes.None, gzip: CompressionTypes.GZIP, snappy: CompressionTypes.Snappy, lz4: CompressionTypes.LZ4, zstd: CompressionTypes.ZSTD };

async function produce(a, codec, recs) {
  const p = kafka(a).producer({ allowAutoTopicCreation: false });
  await p.connect();
  try {
    await p.send({
      topic: a.topic, acks: -1, compression: KJS_CODECS[codec],
      messages: recs.map((r) => ({ key: r.key ?? null, value: r.value, partition: 0, timestamp: String(r.ts), headers: Object.fromEntries(r.headers ?? []) })),
    });
  } finally { await p.disconnect(); }
}

/** Consume from the beginning in a group (kafkajs cannot consume without one). */
async function consumeAll(a, groupId, n) {
  const c = kafka(a).consumer({ groupId, maxWaitTimeInMs: 500 });
  await c.connect();
  const got = new Map();
  try {
    await c.subscribe({ topic: a.topic, fromBeginning: true });
    await withTimeout(new Promise((resolve, reject) => {
      c.run({
        autoCommit: false,
        eachMessage: async ({ message: m }) => {
          const key = m.key.toString();
          got.set(key, { key, value: m.value.toString(), ts: Number(m.timestamp), headers: Object.entries(m.headers ?? {}).map(([k, v]) => [k, v.toString()]) });
          if (got.size >= n) resolve();
        },
      }).catch(reject);
    }), 40000, `consume (${got.size} of ${n})`);
  } finally { await c.disconnect(); }
  return got;
}

async function produceConsume(a) {
  const want = [];
  const skipped = [];
  for (const [ci, codec] of CODECS.entries()) {
    const recs = expected(codec, ci);
    try { await produce(a, codec, recs); } catch (e) {
      // kafkajs ships only gzip; snappy, lz4 and zstd need codec plugins that we do not install.
      if (/not implemented/i.test(e.message)) { skipped.push(codec); continue; }
      throw new Fail(`produce ${codec}: ${e.message}`);
    }
    want.push(...recs);
  }
  checkRecords(want, await consumeAll(a, `${a.group}-pc`, want.length));
  const done = CODECS.filter((c) => !skipped.includes(c));
  return `codecs ${done.join(',')}: ${want.length} records checked${skipped.length ? `; skipped ${skipped.join(',')} (no codec built in)` : ''}`;
}

async function groupResume(a) {
  await produce(a, 'none', [0, 1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, value: `r${i}`, ts: Date.now() })));
  const firstOffset = async (commitAt) => {
    const c = kafka(a).consumer({ groupId: a.group, maxWaitTimeInMs: 500 });
    await c.connect();
    try {
      await c.subscribe({ topic: a.topic, fromBeginning: true });
      return await withTimeout(new Promise((resolve, reject) => {
        let seen = false;
        c.run({
          autoCommit: false,
          eachMessage: async ({ message }) => {
            if (seen) return;
            seen = true;
            if (commitAt !== null) await c.commitOffsets([{ topic: a.topic, partition: 0, offset: String(commitAt) }]);
            resolve(Number(message.offset));
          },
        }).catch(reject);
      }), 40000, 'first record');
    } finally { await c.disconnect(); }
  };
  const first = await firstOffset(3);
  if (first !== 0) throw new Fail(`first consumer started at ${first}, want 0`);
  const resumed = await firstOffset(null);
  if (resumed !== 3) throw new Fail(`resumed at offset ${resumed}, want 3 (the committed offset)`);
  return `committed offset 3 in group ${a.group}, restarted consumer resumed at 3`;
}

async function listOffsets(a) {
  await produce(a, 'none', [0, 1, 2].map((i) => ({ value: `t${i}`, ts: BASE_TS + i * 1000 })));
  return withAdmin(a, async (admin) => {
    const [p] = await admin.fetchTopicOffsets(a.topic);
    const [t1] = await admin.fetchTopicOffsetsByTimestamp(a.topic, BASE_TS + 500);
    const [t2] = await admin.fetchTopicOffsetsByTimestamp(a.topic, BASE_TS + 2000);
    const got = [p.low, p.high, t1.offset, t2.offset].map(Number);
    if (got.join() !== '0,3,1,2') throw new Fail(`earliest=${got[0]} latest=${got[1]} time(+500ms)=${got[2]} time(+2000ms)=${got[3]}, want 0 3 1 2`);
    return 'earliest=0 latest=3 by-time=1,2';
  });
}

async function describeConfigs(a) {
  return withAdmin(a, async (admin) => {
    const vals = await topicConfigs(admin, ConfigResourceTypes.TOPIC, a.topic);
    if (vals.get('cleanup.policy') !== 'delete' || !vals.get('retention.ms')) throw new Fail(`topic configs lack cleanup.policy=delete / retention.ms (${vals.size} entries)`);
    const cluster = await admin.describeCluster();
    const id = String(cluster.brokers[0].nodeId);
    const bvals = await topicConfigs(admin, ConfigResourceTypes.BROKER, id);
    if (!bvals.size) throw new Fail(`broker ${id} has no config entries`);
    return `topic: ${vals.size} entries (cleanup.policy=delete, retention.ms=${vals.get('retention.ms')}); broker ${id}: ${bvals.size} entries`;
  });
}

/** BULK_N records across the codecs kafkajs ships (none, gzip), then every one consumed and compared. */
async function bulk(a) {
  const codecs = ['none', 'gzip']; // snappy, lz4 and zstd need codec plugins that we do not install
  const t0 = Date.now();
  const p = kafka(a).producer({ allowAutoTopicCreation: false });
  await p.connect();
  try {
    for (const [ci, codec] of codecs.entries()) {
      const [lo, hi] = bulkRange(ci, codecs.length);
      for (let i = lo; i < hi; i += 1000) {
        const messages = [];
        for (let j = i; j < Math.min(hi, i + 1000); j++) {
          const r = bulkRecord(j, codec);
          messages.push({ key: r.key, value: r.value, partition: 0, timestamp: String(r.ts), headers: Object.fromEntries(r.headers) });
        }
        try {
          await p.send({ topic: a.topic, acks: -1, compression: KJS_CODECS[codec], messages });
        } catch (e) { throw new Fail(`produce ${codec} records ${i}..: ${e.message}`); }
      }
    }
  } finally { await p.disconnect(); }
  const produced = Date.now() - t0;
  const check = new BulkChecker(codecs);
  const c = kafka(a).consumer({ groupId: `${a.group}-bulk`, maxWaitTimeInMs: 500 });
  await c.connect();
  try {
    await c.subscribe({ topic: a.topic, fromBeginning: true });
    await withTimeout(new Promise((resolve, reject) => {
      c.run({
        autoCommit: false,
        eachMessage: async ({ message: m }) => {
          check.check(Number(m.offset), {
            key: m.key === null ? null : m.key.toString(), value: m.value.toString(), ts: Number(m.timestamp),
            headers: Object.entries(m.headers ?? {}).map(([k, v]) => [k, v.toString()]),
          });
          if (check.done) resolve();
        },
      }).catch(reject);
    }), 600000, `consume (${check.next} of ${BULK_N})`);
  } finally { await c.disconnect(); }
  const [end] = await withAdmin(a, (admin) => admin.fetchTopicOffsets(a.topic));
  check.finish(end.high);
  return `${BULK_N} records (codecs ${codecs.join(',')}; snappy,lz4,zstd not built into kafkajs) produced in ${produced} ms, `
    + `consumed and compared in ${Date.now() - t0 - produced} ms`;
}

// Strings are bytes: a group id and a client id holding NUL round-trip through JoinGroup, OffsetCommit,
// DescribeGroups, ListGroups and OffsetFetch.
async function bytes(a) {
  const groupId = `${a.group}\0nul`;
  const clientId = 'kpg-compat\0kafkajs';
  await produce(a, 'none', [0, 1].map((i) => ({ key: `k${i}`, value: `r${i}`, ts: Date.now() })));
  const c = new Kafka({ clientId, brokers: [a.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5 }, requestTimeout: 15000 })
    .consumer({ groupId, maxWaitTimeInMs: 500 });
  await c.connect();
  try {
    await c.subscribe({ topic: a.topic, fromBeginning: true });
    let seen = 0;
    await withTimeout(new Promise((resolve, reject) => {
      c.run({ autoCommit: false, eachMessage: async () => { if (++seen === 2) resolve(); } }).catch(reject);
    }), 40000, 'two records');
    await c.commitOffsets([{ topic: a.topic, partition: 0, offset: '2' }]);
    return await withAdmin(a, async (admin) => {
      const { groups } = await admin.describeGroups([groupId]);
      const g = groups[0];
      if (groups.length !== 1 || g.groupId !== groupId) throw new Fail(`describeGroups answered ${JSON.stringify(groups.map((x) => x.groupId))}`);
      if (g.state !== 'Stable' || g.members.length !== 1) throw new Fail(`group ${g.state} with ${g.members.length} member(s), want Stable with 1`);
      const m = g.members[0];
      if (m.clientId !== clientId) throw new Fail(`member client id ${JSON.stringify(m.clientId)}, want ${JSON.stringify(clientId)}`);
      if (!m.memberId.startsWith(`${clientId}-`)) throw new Fail(`member id ${JSON.stringify(m.memberId)} does not start with the client id`);
      const listed = (await admin.listGroups()).groups.map((x) => x.groupId);
      if (!listed.includes(groupId)) throw new Fail('listGroups does not list the group');
      const offsets = await admin.fetchOffsets({ groupId, topics: [a.topic] });
      const o = offsets[0]?.partitions[0]?.offset;
      if (o !== '2') throw new Fail(`committed offset ${o}, want 2`);
      return 'group id and client id with NUL: joined, committed 2, described, listed and fetched byte-exact';
    });
  } finally { await c.disconnect(); }
}

// ------------------------------------------------------------------ auth (see compat/README.md)
const kjsErrors = createRequire(import.meta.url)('kafkajs/src/protocol/error.js').errorCodes;

/** The Kafka error name behind a kafkajs error: its own type, a cause's, or (retries wrap errors without their type) its message's. */
function kafkaErrorType(e) {
  for (let x = e, depth = 0; x && depth < 8; x = x.cause ?? x.originalError ?? x.errors?.[0], depth++) {
    if (x.type) return x.type;
    if (x.name === 'KafkaJSSASLAuthenticationError') return 'SASL_AUTHENTICATION_FAILED';
    const byMessage = kjsErrors.find((c) => c.message === x.message);
    if (byMessage) return byMessage.type;
  }
  return `${e?.name ?? 'Error'}: ${e?.message ?? e}`;
}

/** The modes of the auth scenario as kafkajs configures them: broker address plus ssl/sasl options. */
function authModes(sec) {
  const ca = [readFileSync(sec.caFile, 'utf8')];
  const password = (mechanism) => (user, pw = sec.users[user]) => ({ brokers: [sec.saslSsl], ssl: { ca }, sasl: { mechanism, username: user, password: pw } });
  return [
    { name: 'SCRAM-SHA-512', as: password('scram-sha-512') },
    { name: 'SCRAM-SHA-256', as: password('scram-sha-256') },
    { name: 'PLAIN', as: password('plain') },
    {
      name: 'OAUTHBEARER',
      as: (user) => ({ brokers: [sec.saslSsl], ssl: { ca }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: sec.oauthTokens[user] }) } }),
    },
    {
      name: 'mTLS',
      as: () => ({ brokers: [sec.ssl], ssl: { ca, cert: readFileSync(sec.clientCertFile, 'utf8'), key: readFileSync(sec.clientKeyFile, 'utf8') } }),
    },
  ];
}

function authKafka(conn) {
  return new Kafka({ clientId: 'kpg-compat-kafkajs', logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 300 }, requestTimeout: 15000, connectionTimeout: 5000, ...conn });
}

async function authProduce(conn, topic, values) {
  const p = authKafka(conn).producer({ allowAutoTopicCreation: false });
  await p.connect();
  try {
    await p.send({ topic, acks: -1, messages: values.map((value) => ({ value, partition: 0 })) });
  } finally { await p.disconnect(); }
}

/** Consumes topic in group from the beginning until every wanted value came (other values are earlier modes'). */
async function authConsume(conn, topic, group, want) {
  const c = authKafka(conn).consumer({ groupId: group, maxWaitTimeInMs: 500 });
  const seen = new Set();
  await c.connect();
  try {
    await c.subscribe({ topic, fromBeginning: true });
    await withTimeout(new Promise((resolve, reject) => {
      // kafkajs restarts the consumer after a retriable error (GROUP_LOAD_IN_PROGRESS on a fresh broker); the rest end the run.
      c.on(c.events.CRASH, ({ payload }) => { if (!payload.restart) reject(payload.error); });
      c.run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          const v = message.value?.toString();
          if (want.includes(v)) seen.add(v);
          if (seen.size === want.length) resolve();
        },
      }).catch(reject);
    }), 40000, `consume (${seen.size} of ${want.length})`);
  } finally { await c.disconnect(); }
}

/** Runs step and returns the Kafka error it failed with; a step that succeeds is a failure of the scenario. */
async function expectError(what, want, step) {
  try { await step(); } catch (e) {
    const type = kafkaErrorType(e);
    if (!want.includes(type)) throw new Fail(`${what}: ${type}, want ${want.join(' or ')}`);
    return type;
  }
  throw new Fail(`${what}: succeeded, want ${want.join(' or ')}`);
}

async function auth(a) {
  if (!a.security) throw new Fail('--security FILE is required');
  const sec = JSON.parse(readFileSync(a.security, 'utf8'));
  const run = Date.now().toString(36);
  const done = [];
  for (const mode of authModes(sec)) {
    const step = (s, fn) => fn().catch((e) => { throw new Fail(`${mode.name}: ${s}: ${e instanceof Fail ? e.message : kafkaErrorType(e)}`); });
    const values = [0, 1, 2].map((i) => `auth-${mode.name}-${run}-${i}`);
    await step('produce as alice', () => authProduce(mode.as('alice'), sec.topic, values));
    await step('consume as alice', () => authConsume(mode.as('alice'), sec.topic, sec.group, values));
    await step('denied topic', () => expectError('produce to the denied topic', ['TOPIC_AUTHORIZATION_FAILED'],
      () => authProduce(mode.as('alice'), sec.deniedTopic, ['denied'])));
    done.push(mode.name);
  }
  const scram512 = authModes(sec)[0];
  await expectError('SCRAM-SHA-512 with a wrong password', ['SASL_AUTHENTICATION_FAILED'],
    () => authProduce(scram512.as('alice', 'wrong-secret'), sec.topic, ['never']));
  const bobError = await expectError('bob consuming (SCRAM-SHA-512)', ['TOPIC_AUTHORIZATION_FAILED', 'GROUP_AUTHORIZATION_FAILED'],
    () => authConsume(scram512.as('bob'), sec.topic, sec.group, ['never']));
  return `${done.join(', ')}: produced 3, consumed them in ${sec.group}, denied topic TOPIC_AUTHORIZATION_FAILED; `
    + `wrong password SASL_AUTHENTICATION_FAILED; bob ${bobError}`;
}

const crashRetry = async () => { throw new NA('crash-retry runs with the Java and librdkafka (confluent-kafka) producers; kafkajs is covered by test/records/durability.test.ts'); };

await run({ metadata, 'topic-admin': topicAdmin, 'produce-consume': produceConsume, 'group-resume': groupResume, 'list-offsets': listOffsets, 'describe-configs': describeConfigs, bulk, 'crash-retry': crashRetry, bytes, auth }, `kafkajs ${version}`);
