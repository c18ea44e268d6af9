// kpg compatibility scenarios for Apache Kafka's command-line tools (the main classes behind
// bin/kafka-*.sh), run from the jars compat/install.sh cached:
//   kafka-topics             org.apache.kafka.tools.TopicCommand
//   kafka-configs            kafka.admin.ConfigCommand
//   kafka-console-producer   org.apache.kafka.tools.ConsoleProducer
//   kafka-console-consumer   org.apache.kafka.tools.consumer.ConsoleConsumer
//   kafka-consumer-groups    org.apache.kafka.tools.consumer.group.ConsumerGroupCommand
//   kafka-producer-perf-test org.apache.kafka.tools.ProducerPerformance
//   kafka-consumer-perf-test org.apache.kafka.tools.ConsumerPerformance
//   kafka-get-offsets        org.apache.kafka.tools.GetOffsetShell
//   kafka-broker-api-versions org.apache.kafka.tools.BrokerApiVersionsCommand
// The console producer cannot set record timestamps: produce-consume checks for a recent CreateTime.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODECS, Fail, NA, checkRecords, expected, run, sleep } from './common.mjs';
import { must } from './proc.mjs';

const CACHE = process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg');
const LIB = join(CACHE, 'kafka', 'lib');
const LOG4J = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib', 'log4j2-tools.properties');
let version = '?';
try { version = readFileSync(join(CACHE, 'versions', 'kafka'), 'utf8').trim(); } catch { /* unknown */ }
if (!existsSync(LIB)) {
  process.stdout.write(JSON.stringify({ scenario: process.argv[process.argv.indexOf('--scenario') + 1], status: 'n/a', detail: `Kafka jars missing (${LIB}); run compat/install.sh kafka` }) + '\n');
  process.exit(0);
}

const tool = (step, mainClass, argv, opts) =>
  must(step, process.env.JAVA ?? 'java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${LOG4J}`, '-cp', `${LIB}/*`, mainClass, ...argv], { timeoutMs: 60000, ...opts });

const C = {
  topics: 'org.apache.kafka.tools.TopicCommand',
  configs: 'kafka.admin.ConfigCommand',
  producer: 'org.apache.kafka.tools.ConsoleProducer',
  consumer: 'org.apache.kafka.tools.consumer.ConsoleConsumer',
  groups: 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
  perfProducer: 'org.apache.kafka.tools.ProducerPerformance',
  perfConsumer: 'org.apache.kafka.tools.ConsumerPerformance',
  offsets: 'org.apache.kafka.tools.GetOffsetShell',
  apiVersions: 'org.apache.kafka.tools.BrokerApiVersionsCommand',
};

async function metadata(a) {
  const av = (await tool('kafka-broker-api-versions', C.apiVersions, ['--bootstrap-server', a.bootstrap])).stdout;
  const brokers = av.split('\n').filter((l) => /\(id: -?\d+/.test(l));
  if (!brokers.length) throw new Fail('kafka-broker-api-versions listed no broker');
  const list = (await tool('kafka-topics --list', C.topics, ['--bootstrap-server', a.bootstrap, '--list'])).stdout.split('\n').map((s) => s.trim());
  if (!list.includes(a.topic)) throw new Fail(`topic ${a.topic} not listed by kafka-topics --list`);
  return `kafka-broker-api-versions: ${brokers.length} broker(s); kafka-topics --list: ${list.filter(Boolean).length} topic(s) incl. ${a.topic}`;
}

async function topicConfigs(a, entityType, name) {
  const out = (await tool('kafka-configs --describe', C.configs, ['--bootstrap-server', a.bootstrap, '--describe', '--entity-type', entityType, '--entity-name', name, '--all'])).stdout;
  const vals = new Map();
  for (const line of out.split('\n')) {
    const m = /^\s+([\w.]+)=(.*?) sensitive=/.exec(line);
    if (m) vals.set(m[1], m[2]);
  }
  return vals;
}

async function topicAdmin(a) {
  const t = `${a.topic}-adm`;
  const bs = ['--bootstrap-server', a.bootstrap];
  await tool('kafka-topics --create', C.topics, [...bs, '--create', '--topic', t, '--partitions', '2', '--replication-factor', '1']);
  const desc = (await tool('kafka-topics --describe', C.topics, [...bs, '--describe', '--topic', t])).stdout;
  if (!/PartitionCount:\s*2\b/.test(desc)) throw new Fail(`kafka-topics --describe: ${desc.split('\n')[0]}`);
  await tool('kafka-configs --alter', C.configs, [...bs, '--alter', '--entity-type', 'topics', '--entity-name', t, '--add-config', 'retention.ms=3600000']);
  const v = (await topicConfigs(a, 'topics', t)).get('retention.ms');
  if (v !== '3600000') throw new Fail(`retention.ms is ${v} after kafka-configs --alter`);
  await tool('kafka-topics --delete', C.topics, [...bs, '--delete', '--topic', t]);
  const deadline = Date.now() + 15000;
  for (;;) {
    const list = (await tool('kafka-topics --list', C.topics, [...bs, '--list'])).stdout.split('\n').map((s) => s.trim());
    if (!list.includes(t)) break;
    if (Date.now() > deadline) throw new Fail('topic still listed 15s after delete');
    await sleep(500);
  }
  return 'kafka-topics --create/--describe/--delete, kafka-configs --alter/--describe';
}

async function produceLines(a, codec, recs) {
  const withHeaders = recs.some((r) => r.headers?.length);
  const input = recs.map((r) => `${withHeaders ? `${r.headers.map(([k, v]) => `${k}:${v}`).join(',')}\t` : ''}${r.key}\t${r.value}\n`).join('');
  await tool(`kafka-console-producer ${codec}`, C.producer, ['--bootstrap-server', a.bootstrap, '--topic', a.topic, '--compression-codec', codec,
    '--property', 'parse.key=true', '--property', `parse.headers=${withHeaders}`, '--producer-property', 'acks=all'], { input });
}

/** kafka-console-consumer output lines: CreateTime:ts \t Offset:n \t headers \t key \t value */
async function consoleConsume(a, n, extra = []) {
  const out = (await tool('kafka-console-consumer', C.consumer, ['--bootstrap-server', a.bootstrap, '--topic', a.topic, '--max-messages', String(n),
    '--timeout-ms', '30000', '--property', 'print.key=true', '--property', 'print.headers=true', '--property', 'print.timestamp=true',
    '--property', 'print.offset=true', ...extra])).stdout;
  return out.split('\n').filter((l) => l.startsWith('CreateTime:') || l.startsWith('LogAppendTime:')).map((l) => {
    const [ts, off, headers, key, ...value] = l.split('\t');
    return {
      tstype: ts.split(':')[0], ts: Number(ts.split(':')[1]), offset: Number(off.split(':')[1]), key, value: value.join('\t'),
      headers: headers === 'NO_HEADERS' ? [] : headers.split(',').map((h) => { const i = h.indexOf(':'); return [h.slice(0, i), h.slice(i + 1)]; }),
    };
  });
}

async function produceConsume(a) {
  const start = Date.now();
  const want = [];
  for (const [ci, codec] of CODECS.entries()) {
    const recs = expected(codec, ci);
    await produceLines(a, codec, recs);
    want.push(...recs);
  }
  const msgs = await consoleConsume(a, want.length, ['--from-beginning']);
  const bad = msgs.filter((m) => m.tstype !== 'CreateTime' || m.ts < start - 60000 || m.ts > Date.now() + 60000);
  if (bad.length) throw new Fail(`unexpected timestamps: ${bad.slice(0, 3).map((m) => `${m.key} ${m.tstype}:${m.ts}`).join(', ')}`);
  checkRecords(want.map((w) => ({ ...w, ts: 0 })), new Map(msgs.map((m) => [m.key, { ...m, ts: 0 }])));
  // perf tools: 200 records of 100 bytes through ProducerPerformance and ConsumerPerformance
  const pt = `${a.topic}`;
  const perfP = (await tool('kafka-producer-perf-test', C.perfProducer, ['--topic', pt, '--num-records', '200', '--record-size', '100', '--throughput', '-1',
    '--producer-props', `bootstrap.servers=${a.bootstrap}`, 'acks=all', 'compression.type=lz4'])).stdout;
  if (!/200 records sent/.test(perfP)) throw new Fail(`kafka-producer-perf-test: ${perfP.trim().split('\n').pop()}`);
  const perfC = await tool('kafka-consumer-perf-test', C.perfConsumer, ['--bootstrap-server', a.bootstrap, '--topic', pt, '--messages', String(200 + want.length), '--timeout', '30000']);
  const last = perfC.stdout.trim().split('\n').pop() ?? '';
  const cols = last.split(',').map((s) => s.trim());
  // columns: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, ...
  if (Number(cols[4]) < 200 + want.length) throw new Fail(`kafka-consumer-perf-test consumed ${cols[4]} records: ${last}`);
  return `console producer/consumer codecs ${CODECS.join(',')}: ${want.length} records checked (timestamps: recent CreateTime); perf-test producer+consumer: ${cols[4]} records`;
}

async function groupResume(a) {
  await produceLines(a, 'none', [0, 1, 2, 3, 4, 5].map((i) => ({ key: `k${i}`, value: `r${i}`, headers: [] })));
  // one record per poll, so the position committed on close is exactly after the 3 records printed
  const g = ['--group', a.group, '--consumer-property', 'max.poll.records=1', '--consumer-property', 'auto.offset.reset=earliest'];
  const first = await consoleConsume(a, 3, g);
  if (first.map((m) => m.offset).join() !== '0,1,2') throw new Fail(`first consumer got offsets ${first.map((m) => m.offset)}`);
  const desc = (await tool('kafka-consumer-groups --describe', C.groups, ['--bootstrap-server', a.bootstrap, '--describe', '--group', a.group])).stdout;
  const row = desc.split('\n').find((l) => l.includes(a.topic));
  const cols = row?.trim().split(/\s+/) ?? [];
  // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG ...
  if (cols[3] !== '3') throw new Fail(`kafka-consumer-groups --describe shows committed offset ${cols[3]}, want 3: ${row}`);
  const second = await consoleConsume(a, 1, g);
  if (second[0]?.offset !== 3) throw new Fail(`resumed at offset ${second[0]?.offset}, want 3`);
  return 'console consumer committed 3 on close, kafka-consumer-groups --describe shows 3, rerun resumed at 3';
}

async function listOffsets(a) {
  for (let i = 0; i < 3; i++) {
    await produceLines(a, 'none', [{ key: `t${i}`, value: `t${i}`, headers: [] }]);
    await sleep(20);
  }
  const msgs = await consoleConsume(a, 3, ['--from-beginning']);
  const q = async (time) => {
    const out = (await tool(`kafka-get-offsets --time ${time}`, C.offsets, ['--bootstrap-server', a.bootstrap, '--topic', a.topic, '--time', String(time)])).stdout;
    const m = new RegExp(`^${a.topic.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:0:(-?\\d*)`, 'm').exec(out);
    if (!m) throw new Fail(`kafka-get-offsets output: ${out.trim()}`);
    return m[1] === '' ? null : Number(m[1]);
  };
  const got = [await q(-2), await q(-1), await q(msgs[1].ts), await q(-3)];
  if (got.join() !== '0,3,1,2') throw new Fail(`earliest=${got[0]} latest=${got[1]} time(record 1)=${got[2]} max-timestamp=${got[3]}, want 0 3 1 2`);
  return 'kafka-get-offsets earliest=0 latest=3 by-time=1 max-timestamp=2';
}

async function describeConfigs(a) {
  const vals = await topicConfigs(a, 'topics', a.topic);
  if (vals.get('cleanup.policy') !== 'delete' || !vals.get('retention.ms')) throw new Fail(`topic configs lack cleanup.policy=delete / retention.ms (${vals.size} entries)`);
  const av = (await tool('kafka-broker-api-versions', C.apiVersions, ['--bootstrap-server', a.bootstrap])).stdout;
  const id = /\(id: (\d+)/.exec(av)?.[1];
  if (!id) throw new Fail('no broker id from kafka-broker-api-versions');
  const bvals = await topicConfigs(a, 'brokers', id);
  if (!bvals.size) throw new Fail(`broker ${id} has no config entries`);
  return `kafka-configs --describe --all: topic ${vals.size} entries (cleanup.policy=delete, retention.ms=${vals.get('retention.ms')}); broker ${id}: ${bvals.size} entries`;
}

const na = (why) => async () => { throw new NA(why); };
await run({ metadata, 'topic-admin': topicAdmin, 'produce-consume': produceConsume, 'group-resume': groupResume, 'list-offsets': listOffsets, 'describe-configs': describeConfigs,
  bulk: na('kafka-console-producer cannot set record timestamps; the Java client columns run the same library'),
  'crash-retry': na('crash-retry runs with the Java and librdkafka (confluent-kafka) idempotent producers'), },
  `Kafka CLI tools ${version}`);
