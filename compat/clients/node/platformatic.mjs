// kpg compatibility scenarios for @platformatic/kafka, installed by compat/install.sh into
// ${KPG_CACHE:-~/.cache/kpg}/npm (not into kpg's package.json).
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { BASE_TS, CODECS, Fail, NA, checkRecords, expected, run, sleep, withTimeout } from './common.mjs';

const pkgDir = join(process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg'), 'npm', 'node_modules', '@platformatic', 'kafka');
if (!existsSync(pkgDir)) {
  process.stdout.write(JSON.stringify({ scenario: process.argv[process.argv.indexOf('--scenario') + 1], status: 'n/a', detail: `@platformatic/kafka not installed (${pkgDir}); run compat/install.sh node` }) + '\n');
  process.exit(0);
}
const version = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8')).version;
const pk = await import(pathToFileURL(join(pkgDir, 'dist', 'index.js')).href);
const { Admin, Producer, Consumer, stringSerializers, stringDeserializers } = pk;

const base = (a) => ({ clientId: 'kpg-compat-platformatic', bootstrapBrokers: [a.bootstrap], retries: 5, timeout: 15000 });
const TOPIC = 2, BROKER = 4, SET = 0;

async function withAdmin(a, fn) {
  const admin = new Admin(base(a));
  try { return await fn(admin); } finally { await admin.close(); }
}

async function metadata(a) {
  return withAdmin(a, async (admin) => {
    const topics = await admin.listTopics();
    const md = await admin.metadata({ topics: [a.topic] });
    if (!md.brokers.size) throw new Fail('no brokers');
    if (!topics.includes(a.topic)) throw new Fail(`topic ${a.topic} not listed (${topics.length} topics)`);
    return `${md.brokers.size} broker(s), controller ${md.controllerId}, cluster ${md.id}, ${topics.length} topic(s) incl. ${a.topic}`;
  });
}

async function configs(admin, resourceType, resourceName) {
  const [res] = await admin.describeConfigs({ resources: [{ resourceType, resourceName }] });
  return new Map(res.configs.map((c) => [c.name, c.value]));
}

async function topicAdmin(a) {
  const t = `${a.topic}-adm`;
  return withAdmin(a, async (admin) => {
    await admin.createTopics({ topics: [t], partitions: 2, replicas: 1 });
    const deadline0 = Date.now() + 10000;
    for (;;) {
      const md = await admin.metadata({ topics: [t], forceUpdate: true }).catch(() => null);
      if (md?.topics.get(t)?.partitionsCount === 2) break;
      if (Date.now() > deadline0) throw new Fail(`describe: topic ${t} not found with 2 partitions`);
      await sleep(200);
    }
    await admin.incrementalAlterConfigs({ resources: [{ resourceType: TOPIC, resourceName: t, configs: [{ name: 'retention.ms', configOperation: SET, value: '3600000' }] }] });
    // the broker applies config changes from its metadata log shortly after answering
    let v;
    for (let i = 0; i < 20 && (v = (await configs(admin, TOPIC, t)).get('retention.ms')) !== '3600000'; i++) await sleep(250);
    if (v !== '3600000') throw new Fail(`retention.ms is ${v} 5s after alter`);
    await admin.deleteTopics({ topics: [t] });
    const deadline = Date.now() + 15000;
    while ((await admin.listTopics()).includes(t)) {
      if (Date.now() > deadline) throw new Fail('topic still listed 15s after delete');
      await sleep(300);
    }
    return 'create(2 partitions), describe, incremental alter retention.ms, delete';
  });
}

async function produce(a, codec, recs) {
  const p = new Producer({ ...base(a), serializers: stringSerializers, compression: codec, acks: -1 });
  try {
    await p.send({
      messages: recs.map((r) => ({
        topic: a.topic, partition: 0, key: r.key, value: r.value, timestamp: BigInt(r.ts),
        headers: new Map(r.headers ?? []),
      })),
    });
  } finally { await p.close(); }
}

async function consumeAll(a, n) {
  const c = new Consumer({ ...base(a), groupId: `${a.group}-pc-${Date.now()}`, deserializers: stringDeserializers, maxWaitTime: 500 });
  const got = new Map();
  try {
    const stream = await c.consume({ topics: [a.topic], mode: 'earliest', autocommit: false });
    await withTimeout((async () => {
      for await (const m of stream) {
        got.set(m.key, { key: m.key, value: m.value, ts: Number(m.timestamp), headers: [...m.headers.entries()] });
        if (got.size >= n) break;
      }
    })(), 40000, `consume (${got.size} of ${n})`);
  } finally { await c.close(true); }
  return got;
}

async function produceConsume(a) {
  const want = [];
  const skipped = [];
  for (const [ci, codec] of CODECS.entries()) {
    const recs = expected(codec, ci);
    // @platformatic/kafka compresses zstd with node:zlib, which has zstd only from Node 22.15.
    if (codec === 'zstd' && typeof zlib.zstdCompressSync !== 'function') { skipped.push(codec); continue; }
    try { await produce(a, codec, recs); } catch (e) {
      const inner = (e?.errors ?? []).map((x) => x?.message).join('; ');
      throw new Fail(`produce ${codec}: ${e.message}${inner ? ` (${inner})` : ''}`);
    }
    want.push(...recs);
  }
  checkRecords(want, await consumeAll(a, want.length));
  const done = CODECS.filter((c) => !skipped.includes(c));
  return `codecs ${done.join(',')}: ${want.length} records checked${skipped.length ? `; skipped ${skipped.join(',')} (not available on Node ${process.versions.node})` : ''}`;
}

async function groupResume(a) {
  await produce(a, 'none', [0, 1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, value: `r${i}`, ts: Date.now() })));
  const firstOffset = async (commitAt) => {
    const c = new Consumer({ ...base(a), groupId: a.group, deserializers: stringDeserializers, maxWaitTime: 500 });
    try {
      const stream = await c.consume({ topics: [a.topic], mode: 'committed', fallbackMode: 'earliest', autocommit: false });
      return await withTimeout((async () => {
        for await (const m of stream) {
          if (commitAt !== null) await c.commit({ offsets: [{ topic: a.topic, partition: 0, offset: BigInt(commitAt), leaderEpoch: -1 }] });
          return Number(m.offset);
        }
        throw new Fail('stream ended without records');
      })(), 40000, 'first record');
    } finally { await c.close(true); }
  };
  const first = await firstOffset(3);
  if (first !== 0) throw new Fail(`first consumer started at ${first}, want 0`);
  const resumed = await firstOffset(null);
  if (resumed !== 3) throw new Fail(`resumed at offset ${resumed}, want 3 (the committed offset)`);
  return `committed offset 3 in group ${a.group}, restarted consumer resumed at 3`;
}

async function listOffsets(a) {
  await produce(a, 'none', [0, 1, 2].map((i) => ({ key: `t${i}`, value: `t${i}`, ts: BASE_TS + i * 1000 })));
  return withAdmin(a, async (admin) => {
    const q = async (timestamp) => {
      const [t] = await admin.listOffsets({ topics: [{ name: a.topic, partitions: [{ partitionIndex: 0, timestamp }] }] });
      return Number(t.partitions[0].offset);
    };
    const got = [await q(-2n), await q(-1n), await q(BigInt(BASE_TS + 500)), await q(BigInt(BASE_TS + 2000))];
    if (got.join() !== '0,3,1,2') throw new Fail(`earliest=${got[0]} latest=${got[1]} time(+500ms)=${got[2]} time(+2000ms)=${got[3]}, want 0 3 1 2`);
    return 'earliest=0 latest=3 by-time=1,2';
  });
}

async function describeConfigs(a) {
  return withAdmin(a, async (admin) => {
    const vals = await configs(admin, TOPIC, a.topic);
    if (vals.get('cleanup.policy') !== 'delete' || !vals.get('retention.ms')) throw new Fail(`topic configs lack cleanup.policy=delete / retention.ms (${vals.size} entries)`);
    const md = await admin.metadata({ topics: [] });
    const id = String([...md.brokers.keys()][0]);
    const bvals = await configs(admin, BROKER, id);
    if (!bvals.size) throw new Fail(`broker ${id} has no config entries`);
    return `topic: ${vals.size} entries (cleanup.policy=delete, retention.ms=${vals.get('retention.ms')}); broker ${id}: ${bvals.size} entries`;
  });
}

void NA;
const na = (why) => async () => { throw new NA(why); };
await run({ metadata, 'topic-admin': topicAdmin, 'produce-consume': produceConsume, 'group-resume': groupResume, 'list-offsets': listOffsets, 'describe-configs': describeConfigs,
  bulk: na('the bulk check runs with kafkajs for Node (issue 5); @platformatic/kafka codecs are checked by produce-consume'),
  'crash-retry': na('crash-retry runs with the Java and librdkafka (confluent-kafka) idempotent producers'), }, `@platformatic/kafka ${version}`);
