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
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CODECS, Fail, NA, checkRecords, expected, run, sleep } from './common.mjs';
import { exec, must } from './proc.mjs';
import { runAuth } from './auth.mjs';

const CACHE = process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg');
const LIB = join(CACHE, 'kafka', 'lib');
const KPG_CLI = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'dist', 'cli.js');
const LOG4J = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'lib', 'log4j2-tools.properties');
let version = '?';
try { version = readFileSync(join(CACHE, 'versions', 'kafka'), 'utf8').trim(); } catch { /* unknown */ }
if (!existsSync(LIB)) {
  process.stdout.write(JSON.stringify({ scenario: process.argv[process.argv.indexOf('--scenario') + 1], status: 'n/a', detail: `Kafka jars missing (${LIB}); run compat/install.sh kafka` }) + '\n');
  process.exit(0);
}

const JAVA = process.env.JAVA ?? 'java';
const JVM = ['-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${LOG4J}`, '-cp', `${LIB}/*`];
const tool = (step, mainClass, argv, opts) => must(step, JAVA, [...JVM, mainClass, ...argv], { timeoutMs: 60000, ...opts });

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
  reassign: 'org.apache.kafka.tools.reassign.ReassignPartitionsCommand',
  acls: 'org.apache.kafka.tools.AclCommand',
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
  // kpg's own `kpg topic` prints the topic id as kafka-topics does (Kafka's Uuid.toString), against either target.
  const topicId = /TopicId:\s*(\S+)/.exec(desc)?.[1];
  let kpgTopic = '';
  if (existsSync(KPG_CLI)) {
    const described = JSON.parse((await must('kpg topic describe', process.execPath, [KPG_CLI, 'topic', 'describe', t, '--summary', '--json', '--brokers', a.bootstrap])).stdout);
    const id = (Array.isArray(described) ? described[0] : described)?.id;
    if (!topicId || id !== topicId) throw new Fail(`kpg topic describe prints id ${id}, kafka-topics --describe TopicId ${topicId}`);
    kpgTopic = ', kpg topic describe (the same topic id)';
  }
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
  return `kafka-topics --create/--describe/--delete, kafka-configs --alter/--describe${kpgTopic}`;
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

/** Splits concatenated JSON objects (the offsets formatters print them without a separator in 4.1). */
function jsonObjects(text) {
  const out = [];
  let depth = 0, start = -1, inString = false, escaped = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"' && depth > 0) inString = true;
    else if (ch === '{') { if (depth++ === 0) start = i; }
    else if (ch === '}' && depth > 0 && --depth === 0) {
      try { out.push(JSON.parse(text.slice(start, i + 1))); } catch { /* not a record */ }
    }
  }
  return out;
}

/** __consumer_offsets through kafka-console-consumer with one of Kafka's formatters: the records of `groups`. */
async function offsetsTopicRecords(a, formatter, groups) {
  const out = (await tool(`kafka-console-consumer --formatter ${formatter}`, C.consumer, ['--bootstrap-server', a.bootstrap, '--topic', '__consumer_offsets',
    '--from-beginning', '--formatter', `org.apache.kafka.tools.consumer.${formatter}`, '--consumer-property', 'exclude.internal.topics=false',
    '--timeout-ms', '8000'])).stdout;
  return jsonObjects(out).filter((r) => groups.includes(r.key?.data?.group));
}

/**
 * __consumer_offsets read with Kafka's formatters: commits and a deletion by kafka-consumer-groups give
 * OffsetCommit records (value v4) and a tombstone; a console consumer's group gives group metadata when it
 * is created (empty), Stable (its member, subscription and assignment) and Empty again.
 */
async function offsetsTopic(a) {
  const bs = ['--bootstrap-server', a.bootstrap];
  const listed = (await tool('kafka-topics --list', C.topics, [...bs, '--list'])).stdout.split('\n').map((s) => s.trim());
  await produceLines(a, 'none', [0, 1, 2].map((i) => ({ key: `k${i}`, value: `r${i}`, headers: [] })));
  const g = a.group;
  for (const to of ['2', '1']) {
    await tool(`kafka-consumer-groups --reset-offsets --to-offset ${to}`, C.groups, [...bs, '--reset-offsets', '--group', g, '--topic', a.topic, '--to-offset', to, '--execute']);
  }
  await tool('kafka-consumer-groups --delete-offsets', C.groups, [...bs, '--delete-offsets', '--group', g, '--topic', a.topic]);
  const g2 = `${g}-live`;
  const read = await consoleConsume(a, 3, ['--group', g2, '--consumer-property', 'auto.offset.reset=earliest']);
  if (read.length !== 3) throw new Fail(`the console consumer in ${g2} read ${read.length} records`);

  const describe = (await tool('kafka-topics --describe', C.topics, [...bs, '--describe', '--topic', '__consumer_offsets'])).stdout;
  if (!/Configs:.*cleanup\.policy=compact/.test(describe)) throw new Fail(`kafka-topics --describe __consumer_offsets: ${describe.split('\n')[0]}`);

  const norm = (r) => JSON.stringify(r, (k, v) => (k === 'commitTimestamp' || k === 'currentStateTimestamp' ? 'T' : v))
    .replaceAll(g2, 'GROUP2').replaceAll(g, 'GROUP').replaceAll(a.topic, 'TOPIC');
  const offsets = (await offsetsTopicRecords(a, 'OffsetsMessageFormatter', [g])).map(norm);
  const commit = (o) => `{"key":{"type":1,"data":{"group":"GROUP","topic":"TOPIC","partition":0}},"value":{"version":4,"data":{"offset":${o},"leaderEpoch":-1,"metadata":"","commitTimestamp":"T"}}}`;
  const wantOffsets = [commit(2), commit(1), '{"key":{"type":1,"data":{"group":"GROUP","topic":"TOPIC","partition":0}},"value":null}'];
  if (offsets.join('\n') !== wantOffsets.join('\n')) throw new Fail(`OffsetsMessageFormatter printed:\n${offsets.join('\n')}\nwant:\n${wantOffsets.join('\n')}`);

  const meta = await offsetsTopicRecords(a, 'GroupMetadataMessageFormatter', [g, g2]);
  const memberId = meta.flatMap((r) => r.value?.data?.members ?? []).map((m) => m.memberId)[0] ?? 'none';
  const metaLines = meta.map((r) => norm(r).replaceAll(memberId, 'MEMBER'));
  const stable = metaLines.find((l) => l.includes('"generation":1'));
  const wantMeta = [
    '{"key":{"type":2,"data":{"group":"GROUP2"}},"value":{"version":3,"data":{"protocolType":"","generation":0,"protocol":null,"leader":null,"currentStateTimestamp":"T","members":[]}}}',
    stable && /"protocolType":"consumer","generation":1,"protocol":"range","leader":"MEMBER",.*"members":\[\{"memberId":"MEMBER","groupInstanceId":null,"clientId":"console-consumer","clientHost":"\/127\.0\.0\.1","rebalanceTimeout":300000,"sessionTimeout":45000,"subscription":"[^"]+","assignment":"[^"]+"\}\]/.test(stable) ? stable : '(a Stable generation 1 with the console consumer as its one member)',
    '{"key":{"type":2,"data":{"group":"GROUP2"}},"value":{"version":3,"data":{"protocolType":"consumer","generation":2,"protocol":null,"leader":null,"currentStateTimestamp":"T","members":[]}}}',
  ];
  if (metaLines.join('\n') !== wantMeta.join('\n')) throw new Fail(`GroupMetadataMessageFormatter printed:\n${metaLines.join('\n')}\nwant:\n${wantMeta.join('\n')}`);
  return `__consumer_offsets ${listed.includes('__consumer_offsets') ? 'listed' : 'not listed'} before the first group; OffsetsMessageFormatter: 2 commits (v4) and a tombstone; GroupMetadataMessageFormatter: created, Stable (range, 1 member), Empty; cleanup.policy=compact`;
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

// ------------------------------------------------------------------ broker-configs, reassignments, acls-disabled
/** The lines of a tool's output that are not Java stack frames, trimmed, empty ones dropped. */
const textLines = (out) => out.split('\n').map((l) => l.trim()).filter((l) => l !== '' && !/^at /.test(l));

function expectLines(step, got, want) {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Fail(`${step}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
}

async function brokerId(a) {
  const av = (await tool('kafka-broker-api-versions', C.apiVersions, ['--bootstrap-server', a.bootstrap])).stdout;
  const id = /\(id: (\d+)/.exec(av)?.[1];
  if (!id) throw new Fail('no broker id from kafka-broker-api-versions');
  return id;
}

async function brokerConfigs(a) {
  const bs = ['--bootstrap-server', a.bootstrap];
  const def = (await tool('kafka-configs --entity-default', C.configs, [...bs, '--describe', '--entity-type', 'brokers', '--entity-default'])).stdout;
  expectLines('kafka-configs --describe --entity-type brokers --entity-default', textLines(def), [
    'Default configs for brokers in the cluster are:',
    'min.insync.replicas=1 sensitive=false synonyms={DYNAMIC_DEFAULT_BROKER_CONFIG:min.insync.replicas=1}',
  ]);
  const id = await brokerId(a);
  const all = await topicConfigs(a, 'brokers', id);
  if (all.size < 316) throw new Fail(`kafka-configs --describe --all of broker ${id}: ${all.size} configs, want at least 316`);
  for (const [name, want] of [['sasl.jaas.config', 'null'], ['num.io.threads', '8'], ['min.insync.replicas', '1'], ['log.retention.ms', 'null']]) {
    if (all.get(name) !== want) throw new Fail(`kafka-configs --all of broker ${id}: ${name}=${all.get(name)}, want ${want}`);
  }
  const ro = await exec(JAVA, [...JVM, C.configs, ...bs, '--alter', '--entity-type', 'brokers', '--entity-name', id, '--add-config', 'broker.rack=r1'], { timeoutMs: 60000 });
  const line = textLines(ro.stdout + '\n' + ro.stderr).find((l) => l.startsWith('Error while executing config command'));
  expectLines('kafka-configs --alter broker.rack', [line], [
    'Error while executing config command with args \'' + [...bs, '--alter', '--entity-type', 'brokers', '--entity-name', id, '--add-config', 'broker.rack=r1'].join(' ')
      + '\'',
  ]);
  if (!(ro.stdout + ro.stderr).includes('InvalidRequestException: Cannot update these configs dynamically: Set(broker.rack)')) {
    throw new Fail(`kafka-configs --alter broker.rack: ${textLines(ro.stdout + '\n' + ro.stderr).slice(0, 3).join(' | ')}`);
  }
  return `kafka-configs: --entity-default lists min.insync.replicas=1 (DYNAMIC_DEFAULT_BROKER_CONFIG); broker ${id} --all lists ${all.size >= 316 ? '>= 316' : all.size} configs; broker.rack refused`;
}

async function reassignments(a) {
  const bs = ['--bootstrap-server', a.bootstrap];
  const t = `${a.topic}-ra`;
  await tool('kafka-topics --create', C.topics, [...bs, '--create', '--topic', t, '--partitions', '2', '--replication-factor', '1']);
  const id = Number(await brokerId(a));
  const dir = mkdtempSync(join(tmpdir(), 'kpg-reassign-'));
  const file = join(dir, 'plan.json');
  const plan = JSON.stringify({ version: 1, partitions: [{ topic: t, partition: 0, replicas: [id], log_dirs: ['any'] }] });
  writeFileSync(file, plan);
  const exe = (await tool('kafka-reassign-partitions --execute', C.reassign, [...bs, '--reassignment-json-file', file, '--execute'])).stdout;
  expectLines('kafka-reassign-partitions --execute', textLines(exe), [
    'Current partition replica assignment', plan, 'Save this to use as the --reassignment-json-file option during rollback',
    `Successfully started partition reassignment for ${t}-0`,
  ]);
  const verify = (await tool('kafka-reassign-partitions --verify', C.reassign, [...bs, '--reassignment-json-file', file, '--verify'])).stdout;
  expectLines('kafka-reassign-partitions --verify', textLines(verify), [
    'Status of partition reassignment:', `Reassignment of partition ${t}-0 is completed.`,
    `Clearing broker-level throttles on broker ${id}`, `Clearing topic-level throttles on topic ${t}`,
  ]);
  const list = (await tool('kafka-reassign-partitions --list', C.reassign, [...bs, '--list'])).stdout;
  expectLines('kafka-reassign-partitions --list', textLines(list), ['No partition reassignments found.']);
  writeFileSync(file, JSON.stringify({ version: 1, partitions: [{ topic: t, partition: 1, replicas: [id + 100], log_dirs: ['any'] }] }));
  const bad = await exec(JAVA, [...JVM, C.reassign, ...bs, '--reassignment-json-file', file, '--execute'], { timeoutMs: 60000 });
  if (bad.code === 0) throw new Fail('kafka-reassign-partitions --execute to an unknown broker succeeded');
  const err = textLines(bad.stdout + '\n' + bad.stderr).filter((l) => /Unknown broker|no such broker|not present/.test(l));
  if (err.length === 0) throw new Fail(`kafka-reassign-partitions --execute to an unknown broker: ${textLines(bad.stdout + bad.stderr).slice(0, 3).join(' | ')}`);
  await tool('kafka-topics --delete', C.topics, [...bs, '--delete', '--topic', t]);
  return `kafka-reassign-partitions: --execute to the current replicas, --verify completed (throttles cleared), --list none; an unknown broker refused (${err[0]})`;
}

async function aclsDisabled(a) {
  const bs = ['--bootstrap-server', a.bootstrap];
  const run1 = async (argv) => {
    const r = await exec(JAVA, [...JVM, C.acls, ...bs, ...argv], { timeoutMs: 60000 });
    return { code: r.code, lines: textLines(r.stdout + '\n' + r.stderr).filter((l) => !l.startsWith('java.util.concurrent') && !l.startsWith('Caused by')) };
  };
  const list = await run1(['--list']);
  expectLines('kafka-acls --list', [list.code, ...list.lines], [1,
    'Error while executing ACL command: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured on the broker']);
  const add = await run1(['--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', a.topic]);
  expectLines('kafka-acls --add', [add.code, ...add.lines], [1,
    `Adding ACLs for resource \`ResourcePattern(resourceType=TOPIC, name=${a.topic}, patternType=LITERAL)\`:`,
    '(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)',
    'Error while executing ACL command: org.apache.kafka.common.errors.SecurityDisabledException: No Authorizer is configured.']);
  return 'kafka-acls --list and --add: SecurityDisabledException with Kafka\'s messages';
}

// ------------------------------------------------------------------ group-admin (kafka-consumer-groups)
// Every output is compared in full, as text, stdout and stderr (expected stderr lines start with `2> `):
// names become placeholders (<G> the group, <G2> a second one, <T> the topic, <T3> its 3-partition
// sibling, <G-none>/<T-none> names that do not exist), member ids <MEMBER-a1>/<MEMBER-a2>, the members'
// HOST column <HOST>, the coordinator column `host:port  (id)` <COORD>; whitespace runs are one space
// (column widths follow name lengths), blank lines are dropped, log lines lose their time stamp, and
// Java stack traces on stderr are left out. Table rows (and the tool's `Warn:` lines) come in the order
// of the tool's own hash maps, so each run of them is compared sorted. Kafka 4.1.2 prints its errors on
// stdout and exits 0 for all of these, so the text is what is checked. The expected texts are Kafka's.
// `--describe --offsets --verbose` adds LEADER-EPOCH: the epoch a consumer committed with (0, from the
// batches it read) or - (offsets committed by --reset-offsets carry none).

const reEsc = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** -> (text) => normalised lines (see above) */
function groupOutputNormaliser(a) {
  const names = [[`${a.group}-none`, '<G-none>'], [`${a.group}-2`, '<G2>'], [a.group, '<G>'], [`${a.topic}-none`, '<T-none>'], [`${a.topic}-3p`, '<T3>'], [a.topic, '<T>']]
    .sort((x, y) => y[0].length - x[0].length);
  const re = new RegExp(names.map(([n]) => reEsc(n)).join('|'), 'g');
  const map = new Map(names);
  const member = new RegExp(`${reEsc(a.group)}-(a\\d)-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}`, 'g');
  return (text) => text.split('\n')
    .map((l) => l.replace(member, '<MEMBER-$1>').replace(/^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] /, '').replace(re, (n) => map.get(n))
      .trim().replace(/\s+/g, ' ').replace(/^(<G2?> )\S+:\d+ \(-?\d+\)/, '$1<COORD>').replace(/(<MEMBER-a\d> )\/\S+/g, '$1<HOST>'))
    .filter(Boolean);
}

/** Sorts each run of table rows (lines starting with a placeholder) and of `Warn:` lines. */
function canonical(lines) {
  const out = [];
  let run = [];
  const kind = (l) => (l.startsWith('<') ? 'row' : l.startsWith('Warn: ') ? 'warn' : null);
  for (const l of [...lines, '']) {
    if (run.length && kind(l) !== kind(run[0])) { out.push(...run.sort()); run = []; }
    if (kind(l)) run.push(l); else if (l) out.push(l);
  }
  return out;
}

/** A console consumer in the background (a group member until stop(): SIGTERM, so it leaves the group). */
function backgroundConsumer(argv) {
  const proc = spawn(JAVA, [...JVM, C.consumer, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (x) => { out += x; });
  proc.stderr.on('data', (x) => { out += x; });
  const closed = new Promise((r) => { proc.on('close', r); proc.on('error', r); });
  return {
    get exited() { return proc.exitCode !== null || proc.signalCode !== null; },
    get tail() { return out.trim().split('\n').slice(-2).join(' | '); },
    async stop() {
      if (!this.exited) proc.kill('SIGTERM');
      if (await Promise.race([closed.then(() => true), sleep(30000).then(() => false)])) return;
      proc.kill('SIGKILL');
      await closed;
    },
  };
}

async function groupAdmin(a) {
  const G = a.group, G2 = `${a.group}-2`, T = a.topic, T3 = `${a.topic}-3p`;
  const bs = ['--bootstrap-server', a.bootstrap];
  const norm = groupOutputNormaliser(a);
  let checked = 0;
  /** kafka-consumer-groups; the command and its output go to stderr (the cell log) */
  const cg = async (argv) => {
    const r = await tool(`kafka-consumer-groups ${argv.join(' ')}`, C.groups, [...bs, ...argv]);
    console.error(`$ kafka-consumer-groups ${argv.join(' ')}\n${r.stdout}${r.stderr.trim() ? `--- stderr\n${r.stderr}` : ''}`);
    return r;
  };
  const trace = /^(\s+at |\s*\.\.\. \d+ more$|(Caused by: )?[a-z][\w$]*(\.[\w$]+)+(Exception|Error)\b)/;
  /**
   * Runs kafka-consumer-groups and compares its normalised stderr (lines `2> ...`) and stdout with
   * want; keep says which stdout lines count. anyOrder: compare all lines sorted (outputs about several
   * groups, which the tool prints in the order of a hash map of their names).
   */
  const expect = async (argv, want, keep = () => true, anyOrder = false) => {
    const r = await cg(argv);
    const err = norm(r.stderr.split('\n').filter((l) => !trace.test(l)).join('\n')).map((l) => `2> ${l}`);
    const order = anyOrder ? (ls) => [...ls].sort() : canonical;
    const got = [...order(err), ...order(norm(r.stdout).filter(keep))];
    const w = [...order(want.filter((l) => l.startsWith('2> '))), ...order(want.filter((l) => !l.startsWith('2> ')))];
    if (JSON.stringify(got) !== JSON.stringify(w)) {
      const i = got.findIndex((l, k) => l !== w[k]);
      const at = i < 0 ? w.length : i;
      throw new Fail(`kafka-consumer-groups ${argv.join(' ')}: line ${at + 1} is ${JSON.stringify(got[at] ?? '(end)')}, want ${JSON.stringify(w[at] ?? '(end)')} (got ${JSON.stringify(got).slice(0, 600)})`);
    }
    checked++;
  };
  // the broker may be shared: of the listings only the header and our groups' rows count
  const listed = (l) => l.startsWith('GROUP') || ['<G>', '<G2>'].includes(l.split(' ')[0]);
  const noMembers = (g = '<G>') => `2> Consumer group '${g}' has no active members.`;
  const OFFSETS = 'GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID';
  const OFFSETS_V = 'GROUP TOPIC PARTITION LEADER-EPOCH CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID';
  const MEMBERS = 'GROUP CONSUMER-ID HOST CLIENT-ID #PARTITIONS';
  const MEMBERS_V = `${MEMBERS} CURRENT-EPOCH CURRENT-ASSIGNMENT TARGET-EPOCH TARGET-ASSIGNMENT`;
  const STATE = 'GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE #MEMBERS';
  const RESET = 'GROUP TOPIC PARTITION NEW-OFFSET';
  const d = ['--describe', '--group', G];
  const reset = (...x) => ['--reset-offsets', '--group', G, ...x];
  const stateOf = async () => {
    const row = norm((await cg([...d, '--state'])).stdout).find((l) => l.startsWith('<G> '))?.split(' ') ?? [];
    return { state: row[3], members: row[4] }; // <G> <COORD> strategy state #members
  };

  // 1. data: 10 records to T in two producer runs (so record 4 is the first with a later timestamp),
  // 6 to the 3-partition T3 (keys k0..k5: 2 per partition with the default partitioner); a group
  // consumer with one record per poll reads offsets 0..4 of T and commits 5 on close.
  await tool('kafka-topics --create', C.topics, [...bs, '--create', '--topic', T3, '--partitions', '3', '--replication-factor', '1']);
  const recs = (from, to) => Array.from({ length: to - from }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}`, headers: [] }));
  await produceLines(a, 'none', recs(0, 4));
  await produceLines(a, 'none', recs(4, 10));
  await produceLines({ ...a, topic: T3 }, 'none', recs(0, 6));
  const first = await consoleConsume(a, 5, ['--group', G, '--consumer-property', 'max.poll.records=1', '--consumer-property', 'auto.offset.reset=earliest']);
  if (first.map((m) => m.offset).join() !== '0,1,2,3,4') throw new Fail(`group consumer got offsets ${first.map((m) => m.offset)}, want 0..4`);
  if (!(first[3].ts < first[4].ts)) throw new Fail(`records 3 and 4 have timestamps ${first[3].ts}, ${first[4].ts}: want the second producer run later`);
  const ts4 = new Date(first[4].ts).toISOString(); // 'YYYY-MM-DDThh:mm:ss.sssZ'

  // 2. --list with the group Empty
  await Promise.all([
    expect(['--list'], ['<G>'], (l) => l === '<G>'),
    expect(['--list', '--state'], ['GROUP STATE', '<G> Empty'], listed),
    expect(['--list', '--state', '--type'], ['GROUP TYPE STATE', '<G> Classic Empty'], listed),
  ]);
  await Promise.all([
    expect(['--list', '--state', 'Stable'], ['GROUP STATE'], listed),
    expect(['--list', '--type', 'consumer'], ['GROUP TYPE'], listed),
    expect(['--list', '--type', 'classic'], ['GROUP TYPE', '<G> Classic'], listed),
  ]);

  // 3. --describe of the Empty group
  await Promise.all([
    expect(d, [noMembers(), OFFSETS, '<G> <T> 0 5 10 5 - - -']),
    expect([...d, '--offsets', '--verbose'], [noMembers(), OFFSETS_V, '<G> <T> 0 0 5 10 5 - - -']),
    expect([...d, '--members'], [noMembers(), MEMBERS]),
    expect([...d, '--members', '--verbose'], [noMembers(), MEMBERS_V]),
  ]);
  await Promise.all([
    expect([...d, '--state'], [noMembers(), STATE, '<G> <COORD> - Empty 0']),
    expect([...d, '--state', '--verbose'], [noMembers(), 'GROUP COORDINATOR (ID) ASSIGNMENT-STRATEGY STATE GROUP-EPOCH TARGET-ASSIGNMENT-EPOCH #MEMBERS', '<G> <COORD> - Empty - - 0']),
  ]);
  // committed offsets on partitions 0 and 2 of T3 (topic:partitions)
  await expect(reset('--topic', `${T3}:0,2`, '--to-offset', '1', '--execute'), [RESET, '<G> <T3> 0 1', '<G> <T3> 2 1']);

  // 4. two active members, console consumers of T3 in G (no commits); the range assignor gives the
  // member ids in order (a1 < a2) partitions 0,1 and 2. T keeps its committed offset, unassigned.
  const members = ['a1', 'a2'].map((m) => backgroundConsumer([...bs, '--topic', T3, '--group', G, '--timeout-ms', '300000',
    '--consumer-property', `client.id=${G}-${m}`, '--consumer-property', 'enable.auto.commit=false']));
  const waitFor = async (state, n, what) => {
    const deadline = Date.now() + 90000;
    for (;;) {
      const s = await stateOf();
      if (s.state === state && s.members === String(n)) return;
      const gone = state === 'Stable' && members.find((m) => m.exited);
      if (gone) throw new Fail(`a background console consumer exited: ${gone.tail}`);
      if (Date.now() > deadline) throw new Fail(`${what}: group is ${s.state} with ${s.members} member(s) after 90s, want ${state} with ${n}`);
      await sleep(1000);
    }
  };
  try {
    await waitFor('Stable', 2, 'two console consumers joining');
    const [m1, m2] = ['a1', 'a2'].map((m) => `<MEMBER-${m}> <HOST> <G>-${m}`);
    await Promise.all([
      expect(d, [OFFSETS, '<G> <T> 0 5 10 5 - - -', `<G> <T3> 0 1 2 1 ${m1}`, `<G> <T3> 1 - 2 - ${m1}`, `<G> <T3> 2 1 2 1 ${m2}`]),
      expect([...d, '--offsets', '--verbose'],
        [OFFSETS_V, '<G> <T> 0 0 5 10 5 - - -', `<G> <T3> 0 - 1 2 1 ${m1}`, `<G> <T3> 1 - - 2 - ${m1}`, `<G> <T3> 2 - 1 2 1 ${m2}`]),
      expect([...d, '--members'], [MEMBERS, `<G> ${m1} 2`, `<G> ${m2} 1`]),
      expect([...d, '--members', '--verbose'], [MEMBERS_V, `<G> ${m1} 2 - <T3>:0,1 - -`, `<G> ${m2} 1 - <T3>:2 - -`]),
    ]);
    await Promise.all([
      expect([...d, '--state'], [STATE, '<G> <COORD> range Stable 2']),
      expect(['--list', '--state'], ['GROUP STATE', '<G> Stable'], listed),
    ]);
    await expect(reset('--topic', T3, '--to-earliest', '--execute'),
      ["Error: Assignments can only be reset if the group '<G>' is inactive, but the current state is Stable.", RESET]);
    await expect(['--delete', '--group', G], ['Error: Deletion of some consumer groups failed:',
      "* Group '<G>' could not be deleted due to: org.apache.kafka.common.errors.GroupNotEmptyException: The group is not empty."]);
    // T (not subscribed) goes, T3 (subscribed) stays
    const subscribed = 'Error: org.apache.kafka.common.errors.GroupSubscribedToTopicException: Deleting offsets of a topic is forbidden while the consumer group is actively subscribed to it.';
    await expect(['--delete-offsets', '--group', G, '--topic', T3, '--topic', T], ['Error: Encountered some partition-level error, see the follow-up details.',
      'TOPIC PARTITION STATUS', `<T3> 0 ${subscribed}`, `<T3> 1 ${subscribed}`, `<T3> 2 ${subscribed}`, '<T> 0 Successful']);
  } finally {
    await Promise.all(members.map((m) => m.stop()));
  }
  await waitFor('Empty', 0, 'after the console consumers stopped');
  // neither the refused reset nor the members (auto-commit off) moved T3's offsets; T's offset is gone
  await expect(d, [noMembers(), OFFSETS, '<G> <T3> 0 1 2 1 - - -', '<G> <T3> 2 1 2 1 - - -']);

  // 5. --reset-offsets on the Empty group; each prints its plan, the next one starts from the result
  await expect(reset('--topic', T, '--to-offset', '5', '--execute'), [RESET, '<G> <T> 0 5']);
  await expect(reset('--topic', T, '--to-earliest', '--dry-run'), [RESET, '<G> <T> 0 0']);
  await expect(reset('--topic', T, '--shift-by', '-2', '--execute'), [RESET, '<G> <T> 0 3']); // from 5: the dry run changed nothing
  await expect(reset('--topic', T, '--to-offset', '7', '--execute'), [RESET, '<G> <T> 0 7']);
  await expect(reset('--topic', T, '--to-datetime', ts4, '--execute'), [RESET, '<G> <T> 0 4']);
  await expect(reset('--topic', T, '--shift-by', '100', '--execute'), [RESET, '<G> <T> 0 10', // capped at the log end
    '2> WARN New offset (104) is higher than latest offset for topic partition <T>-0. Value will be set to 10 (org.apache.kafka.tools.consumer.group.ConsumerGroupCommand)']);
  await expect(reset('--topic', `${T3}:1`, '--to-offset', '1', '--execute'), [RESET, '<G> <T3> 1 1']);
  await expect(reset('--all-topics', '--by-duration', 'P1D', '--execute'), [RESET, '<G> <T> 0 0', '<G> <T3> 0 0', '<G> <T3> 1 0', '<G> <T3> 2 0']);
  await expect(reset('--topic', T3, '--to-datetime', '2100-01-01T00:00:00.000Z', '--execute'),
    [0, 1, 2].map((p) => `Warn: Partition ${p} from topic <T3> is empty. Falling back to latest known offset.`).concat([RESET, '<G> <T3> 0 2', '<G> <T3> 1 2', '<G> <T3> 2 2']));
  await expect(reset('--topic', T, '--to-latest', '--execute'), [RESET, '<G> <T> 0 10']);
  await expect(reset('--topic', `${T}-none`, '--to-earliest', '--execute'), ['Error: Executing consumer group command failed due to This server does not host this topic-partition.']);
  await expect(d, [noMembers(), OFFSETS, '<G> <T> 0 10 10 0 - - -', '<G> <T3> 0 2 2 0 - - -', '<G> <T3> 1 2 2 0 - - -', '<G> <T3> 2 2 2 0 - - -']);
  await expect([...d, '--offsets', '--verbose'],
    [noMembers(), OFFSETS_V, '<G> <T> 0 - 10 10 0 - - -', '<G> <T3> 0 - 2 2 0 - - -', '<G> <T3> 1 - 2 2 0 - - -', '<G> <T3> 2 - 2 2 0 - - -']);
  // a group that only has committed offsets (created by the reset)
  await expect(['--reset-offsets', '--group', G2, '--topic', T, '--to-offset', '3', '--execute'], [RESET, '<G2> <T> 0 3']);
  await Promise.all([
    expect(['--list', '--state', '--type'], ['GROUP TYPE STATE', '<G> Classic Empty', '<G2> Classic Empty'], listed),
    expect(['--describe', '--group', G, '--group', G2, '--state'], [noMembers(), noMembers('<G2>'), STATE, '<G> <COORD> - Empty 0', STATE, '<G2> <COORD> - Empty 0'], undefined, true),
  ]);

  // 6. --delete-offsets and --delete
  await expect(['--delete-offsets', '--group', G, '--topic', T3], ['Request succeeded for deleting offsets from group <G>.',
    'TOPIC PARTITION STATUS', '<T3> 0 Successful', '<T3> 1 Successful', '<T3> 2 Successful']);
  await expect(['--delete-offsets', '--group', G, '--topic', `${T}-none`], ['Request succeeded for deleting offsets from group <G>.',
    'TOPIC PARTITION STATUS', '<T-none> - Error: org.apache.kafka.common.errors.UnknownTopicOrPartitionException: This server does not host this topic-partition.']);
  await expect(d, [noMembers(), OFFSETS, '<G> <T> 0 10 10 0 - - -']);
  const notFound = (g) => `* Group '${g}' could not be deleted due to: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.`;
  await expect(['--delete', '--group', G2], ["Deletion of requested consumer groups ('<G2>') was successful."]);
  await expect(['--delete', '--group', G, '--group', `${G}-none`],
    ['Error: Deletion of some consumer groups failed:', notFound('<G-none>'), "These consumer groups were deleted successfully: '<G>'"]);
  await Promise.all([
    expect(['--list'], [], (l) => ['<G>', '<G2>'].includes(l)),
    expect(d, ['Error: Executing consumer group command failed due to org.apache.kafka.common.errors.GroupIdNotFoundException: Group <G> not found.']),
    expect(['--delete', '--group', G], ['Error: Deletion of some consumer groups failed:', notFound('<G>')]),
  ]);
  await expect(['--delete-offsets', '--group', G, '--topic', T], ['Error: The group id does not exist.', 'TOPIC PARTITION STATUS',
    '<T> 0 Error: org.apache.kafka.common.errors.GroupIdNotFoundException: The group id does not exist.']);
  return `kafka-consumer-groups: ${checked} outputs equal to Kafka's text: --list (--state/--type and their filters); --describe (offsets, --offsets --verbose with leader epochs, --members, --state, --verbose) `
    + 'of an Empty group, of two at once, and of a Stable one with 2 console consumers (range over 3 partitions); --reset-offsets --dry-run/--execute --to-offset, --shift-by, '
    + '--to-datetime, --by-duration, --to-latest, --to-earliest, topic:partitions, --all-topics, capped, unknown topic, refused while Stable, '
    + 'a group made by a reset; --delete-offsets (subscribed topic refused, unknown topic/group); --delete (not empty, GroupIdNotFound, partial)';
}

const na = (why) => async () => { throw new NA(why); };
// ------------------------------------------------------------------ auth
/** A client properties file for a mode (--producer.config / --consumer.config / --command-config). */
function authConfig(sec, mode, user = 'alice', password) {
  const dir = mkdtempSync(join(tmpdir(), 'kpg-compat-cli-auth-'));
  const lines = ['ssl.truststore.type=PEM', `ssl.truststore.location=${sec.caFile}`];
  if (mode === 'mTLS') {
    // Kafka's PEM keystore: the PKCS#8 key and the certificate chain in one file
    const keystore = join(dir, 'keystore.pem');
    writeFileSync(keystore, readFileSync(sec.clientKeyFile, 'utf8') + readFileSync(sec.clientCertFile, 'utf8'));
    lines.push('security.protocol=SSL', 'ssl.keystore.type=PEM', `ssl.keystore.location=${keystore}`);
  } else {
    lines.push('security.protocol=SASL_SSL', `sasl.mechanism=${mode}`);
    const pw = password ?? sec.users[user];
    if (mode === 'OAUTHBEARER') {
      // the tools' own unsecured JWS (alg none) for the subject: a properties file cannot hand them a token
      lines.push(`sasl.jaas.config=org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required unsecuredLoginStringClaim_sub="${user}";`);
    } else if (mode === 'PLAIN') {
      lines.push(`sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${user}" password="${pw}";`);
    } else {
      lines.push(`sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${user}" password="${pw}";`);
    }
  }
  const file = join(dir, 'client.properties');
  writeFileSync(file, lines.join('\n') + '\n');
  return { file, bootstrap: mode === 'mTLS' ? sec.ssl : sec.saslSsl };
}

const javaTool = (mainClass, argv, opts) => exec(JAVA, [...JVM, mainClass, ...argv], { timeoutMs: 60000, ...opts });
const lastLines = (r, n = 2) => `${r.stdout}\n${r.stderr}`.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-n).join(' | ').slice(0, 300);

const cliAuth = {
  async produceConsume(sec, mode, values) {
    const c = authConfig(sec, mode);
    // --sync: a failed send is printed (the asynchronous producer may close before its error is logged)
    const p = await javaTool(C.producer, ['--bootstrap-server', c.bootstrap, '--topic', sec.topic, '--producer.config', c.file,
      '--producer-property', 'acks=all', '--sync'], { input: values.join('\n') + '\n' });
    if (p.code !== 0 || /Exception|ERROR/.test(p.stderr)) throw new Fail(`kafka-console-producer: exit ${p.code}: ${lastLines(p)}`);
    const r = await javaTool(C.consumer, ['--bootstrap-server', c.bootstrap, '--topic', sec.topic, '--group', sec.group, '--from-beginning',
      '--max-messages', '3', '--timeout-ms', '30000', '--consumer.config', c.file]);
    const got = r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
    if (JSON.stringify(got) !== JSON.stringify(values)) throw new Fail(`kafka-console-consumer --group ${sec.group}: exit ${r.code}, got ${JSON.stringify(got)}: ${lastLines(r)}`);
  },
  async produceDenied(sec, mode) {
    const c = authConfig(sec, mode);
    const p = await javaTool(C.producer, ['--bootstrap-server', c.bootstrap, '--topic', sec.deniedTopic, '--producer.config', c.file, '--sync'], { input: 'denied\n' });
    if (!/TopicAuthorizationException/.test(p.stdout + p.stderr)) throw new Fail(`kafka-console-producer to ${sec.deniedTopic}: exit ${p.code}, no TopicAuthorizationException: ${lastLines(p)}`);
  },
  async wrongPassword(sec) {
    const c = authConfig(sec, 'SCRAM-SHA-512', 'alice', `not-${sec.users.alice}`);
    const r = await javaTool(C.topics, ['--bootstrap-server', c.bootstrap, '--list', '--command-config', c.file]);
    if (r.code === 0 || !/SaslAuthenticationException/.test(r.stdout + r.stderr)) throw new Fail(`kafka-topics --list with a wrong password: exit ${r.code}: ${lastLines(r)}`);
    return `kafka-topics exit ${r.code} with SaslAuthenticationException`;
  },
  async bobRefused(sec) {
    const c = authConfig(sec, 'SCRAM-SHA-512', 'bob');
    const r = await javaTool(C.consumer, ['--bootstrap-server', c.bootstrap, '--topic', sec.topic, '--group', sec.group, '--from-beginning',
      '--max-messages', '1', '--timeout-ms', '20000', '--consumer.config', c.file]);
    const m = /(Group|Topic)AuthorizationException/.exec(r.stdout + r.stderr);
    if (!m) throw new Fail(`kafka-console-consumer as bob: exit ${r.code}: ${lastLines(r)}`);
    return `kafka-console-consumer exit ${r.code} with ${m[0]}`;
  },
  extraSteps: {
    // the runner's PLAINTEXT listener (User:ANONYMOUS, a super user), as an operator administers it
    async 'kafka-acls --list'(sec) {
      const r = await tool('kafka-acls --list', C.acls, ['--bootstrap-server', bootstrapOf(), '--list', '--topic', sec.topic, '--resource-pattern-type', 'match']);
      const want = /principal=User:alice, host=\*, operation=ALL, permissionType=ALLOW/;
      if (!/ResourcePattern\(resourceType=TOPIC, name=auth-, patternType=PREFIXED\)/.test(r.stdout) || !want.test(r.stdout))
        throw new Fail(`kafka-acls --list --topic ${sec.topic}: ${r.stdout.trim().split('\n').slice(0, 3).join(' | ')}`);
      return "alice's ALLOW ALL on TOPIC prefix auth- listed";
    },
    async 'kafka-configs SCRAM user'(sec) {
      const user = `carol-${sec.topic}`;
      const bs = ['--bootstrap-server', bootstrapOf()];
      await tool('kafka-configs --alter --add-config SCRAM-SHA-512', C.configs, [...bs, '--alter', '--add-config', 'SCRAM-SHA-512=[iterations=8192,password=carol-secret]',
        '--entity-type', 'users', '--entity-name', user]);
      const d = await tool('kafka-configs --describe users', C.configs, [...bs, '--describe', '--entity-type', 'users', '--entity-name', user]);
      const want = `SCRAM credential configs for user-principal '${user}' are SCRAM-SHA-512=iterations=8192`;
      if (!d.stdout.includes(want)) throw new Fail(`kafka-configs --describe --entity-type users: ${d.stdout.trim().split('\n').slice(0, 2).join(' | ')}, want "${want}"`);
      // the new user signs in with the password just set
      const c = authConfig(sec, 'SCRAM-SHA-512', user, 'carol-secret');
      const r = await javaTool(C.topics, ['--bootstrap-server', c.bootstrap, '--list', '--command-config', c.file]);
      if (r.code !== 0) throw new Fail(`kafka-topics --list as ${user} (SCRAM-SHA-512): exit ${r.code}: ${lastLines(r)}`);
      return 'added a SCRAM-SHA-512 user, described it (iterations=8192), signed in as it';
    },
  },
};
let authBootstrap;
const bootstrapOf = () => authBootstrap;

await run({ auth: (a) => { authBootstrap = a.bootstrap; return runAuth(a, cliAuth); },
  metadata, 'topic-admin': topicAdmin, 'produce-consume': produceConsume, 'group-resume': groupResume, 'list-offsets': listOffsets, 'describe-configs': describeConfigs, 'group-admin': groupAdmin,
  'broker-configs': brokerConfigs, reassignments, 'acls-disabled': aclsDisabled, 'offsets-topic': offsetsTopic,
  bulk: na('kafka-console-producer cannot set record timestamps; the Java client columns run the same library'),
  'crash-retry': na('crash-retry runs with the Java and librdkafka (confluent-kafka) idempotent producers'), },
  `Kafka CLI tools ${version}`);
