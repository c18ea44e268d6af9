// kpg compatibility scenarios for kafkactl (github.com/deviceinsight/kafkactl, a Sarama-based CLI).
// compat/install.sh tries `go install github.com/deviceinsight/kafkactl/v5@latest` into the cache;
// where the Go module proxy refuses it, every scenario reports n/a. A kafkactl built elsewhere
// (e.g. `go build` from a checkout of its source) runs with KAFKACTL=/path/to/kafkactl.
//
// Every command runs with its own config (KAFKA_CTL_CONFIG, one context with the bootstrap broker)
// and current-context file (KAFKA_CTL_WRITABLE_CONFIG) in a temp dir, so nothing is written under
// $HOME. Each command, its exit code and its output go to stderr (the cell's log), so the transcripts
// of two targets can be compared. kafkactl cannot set record timestamps or a compression codec:
// produce-consume checks for a recent CreateTime and uses no codec. The assertions are exact: they
// hold on the reference Kafka broker and on kpg alike (murmur2 partitioning is kafkactl's own).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Fail, NA, args, run, sleep } from './common.mjs';
import { exec } from './proc.mjs';

const CACHE = process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg');
const BIN = process.env.KAFKACTL ?? join(CACHE, 'go', 'bin', 'kafkactl');
const installed = existsSync(BIN);
const NOT_INSTALLED = 'kafkactl is not installed: the Go module proxy refuses github.com/deviceinsight/kafkactl here '
  + '(compat/install.sh kafkactl); KAFKACTL=/path/to/kafkactl runs one built elsewhere. Sarama is covered by the sarama client';

const DIR = mkdtempSync(join(tmpdir(), 'kpg-kafkactl-'));
process.on('exit', () => rmSync(DIR, { recursive: true, force: true }));
const ENV = { ...process.env, KAFKA_CTL_CONFIG: join(DIR, 'config.yml'), KAFKA_CTL_WRITABLE_CONFIG: join(DIR, 'current-context.yml') };
writeFileSync(ENV.KAFKA_CTL_CONFIG, `contexts:\n  compat:\n    brokers:\n      - ${args().bootstrap}\n`);

let version = 'kafkactl (not installed)';
if (installed) {
  // `kafkactl version` prints cmd.info{version:"v5.20.0", ..., goVersion:"go1.26.8", ...}; a build
  // without its release -ldflags (go install, go build) says "latest", so the module and Sarama
  // versions come from the binary's build info where `go` is at hand
  const out = (await exec(BIN, ['version'], { env: ENV })).stdout;
  let v = /\bversion:"([^"]*)"/.exec(out)?.[1];
  const go = /goVersion:"([^"]*)"/.exec(out)?.[1];
  let sarama;
  try {
    const info = (await exec('go', ['version', '-m', BIN])).stdout;
    const mod = /^\s*mod\s+\S+\s+(v\S+)/m.exec(info)?.[1];
    if (mod && (!v || v === 'latest')) v = mod;
    sarama = /^\s*dep\s+github\.com\/IBM\/sarama\s+(\S+)/m.exec(info)?.[1];
  } catch { /* no go: the version kafkactl reports */ }
  version = `kafkactl ${v ?? out.trim().split('\n')[0]} (${[sarama && `Sarama ${sarama}`, go].filter(Boolean).join(', ')})`;
}

// ------------------------------------------------------------------ running kafkactl
/** Run kafkactl; resolves {code, stdout, stderr, out} and writes a transcript to stderr. */
async function ctl(argv, { input, timeoutMs = 60000 } = {}) {
  const t0 = Date.now();
  const r = await exec(BIN, argv, { input, timeoutMs, env: ENV });
  r.out = `${r.stdout}${r.stderr}`;
  process.stderr.write(`$ kafkactl ${argv.map((x) => (/[\s#*]/.test(x) || x === '' ? `'${x}'` : x)).join(' ')}${input ? ` <<< ${JSON.stringify(input)}` : ''}\n`
    + `[exit ${r.code}, ${Date.now() - t0} ms]\n${r.out}${r.out.endsWith('\n') || !r.out ? '' : '\n'}\n`);
  return r;
}

/** kafkactl must exit 0; returns its result. */
async function ok(argv, opts) {
  const r = await ctl(argv, opts);
  if (r.code !== 0) throw new Fail(`kafkactl ${argv.join(' ')}: exit ${r.code}: ${r.out.trim().split('\n').slice(-3).join(' | ').slice(0, 300)}`);
  return r;
}

/** Start kafkactl in the background: {child, done: Promise<{code, out}>}; killed after timeoutMs. */
function background(argv, timeoutMs = 120000) {
  const child = spawn(BIN, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: ENV });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise((resolve) => {
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: `spawn failed: ${e.message}`, out }); });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      process.stderr.write(`$ kafkactl ${argv.join(' ')} &   (in the background, until SIGINT)\n[exit ${signal ?? code}]\n${out}${out.endsWith('\n') || !out ? '' : '\n'}\n`);
      resolve({ code: signal ? `killed (${signal})` : code, out });
    });
  });
  return { child, done };
}

/** kafkactl must exit non-zero and print exactly this message (as a whole line). */
async function fails(argv, message) {
  const r = await ctl(argv);
  if (r.code === 0) throw new Fail(`kafkactl ${argv.join(' ')}: exit 0, want an error "${message}"`);
  if (!r.out.split('\n').some((l) => l.trim() === message)) {
    throw new Fail(`kafkactl ${argv.join(' ')}: exit ${r.code} "${r.out.trim().slice(0, 300)}", want "${message}"`);
  }
  return r;
}

/** Retries fn until it stops throwing (Kafka applies topic and config changes asynchronously). */
async function eventually(fn, ms = 15000) {
  const until = Date.now() + ms;
  for (;;) {
    try { return await fn(); } catch (e) {
      if (!(e instanceof Fail) || Date.now() > until) throw e;
      await sleep(500);
    }
  }
}

/** kafkactl -o json prints one or several pretty-printed JSON values, one after another. */
function jsons(text) {
  const out = [];
  let depth = 0, start = -1, inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (esc) esc = false;
      else if (c === '\\') esc = true;
      else if (c === '"') inStr = false;
    } else if (c === '"') inStr = true;
    else if (c === '{' || c === '[') { if (depth++ === 0) start = i; }
    else if (c === '}' || c === ']') { if (--depth === 0) out.push(JSON.parse(text.slice(start, i + 1))); }
  }
  return out;
}

const json1 = (r) => {
  const all = jsons(r.stdout);
  if (all.length !== 1) throw new Fail(`expected one JSON value, got ${all.length}: ${r.stdout.slice(0, 200)}`);
  return all[0];
};

/** A tabwriter table (header, rows; columns at the header's positions); stops at the first blank line. */
function table(text, from = 0) {
  const lines = text.split('\n').slice(from);
  const head = lines[0] ?? '';
  const cols = [...head.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ name: m[0], at: m.index }));
  const rows = [];
  for (const line of lines.slice(1)) {
    if (!line.trim()) break;
    const row = {};
    cols.forEach((c, i) => { row[c.name] = line.slice(c.at, cols[i + 1]?.at ?? line.length).trim(); });
    rows.push(row);
  }
  return rows;
}

const eq = (what, got, want) => {
  if (JSON.stringify(got) !== JSON.stringify(want)) throw new Fail(`${what}: got ${JSON.stringify(got)}, want ${JSON.stringify(want)}`);
};

const configMap = (configs) => Object.fromEntries((configs ?? []).map((c) => [c.Name, c.Value]));

function requireInstalled() {
  if (!installed) throw new NA(NOT_INSTALLED);
}

// ------------------------------------------------------------------ metadata
async function metadata(a) {
  requireInstalled();
  const brokers = table((await ok(['get', 'brokers'])).stdout);
  const me = brokers.find((b) => b.ADDRESS === a.bootstrap);
  if (!me) throw new Fail(`get brokers: no broker at ${a.bootstrap}: ${JSON.stringify(brokers)}`);
  const id = Number(me.ID);
  const bj = json1(await ok(['get', 'brokers', '-o', 'json']));
  eq('get brokers -o json', bj.map((b) => [b.ID, b.Address]), brokers.map((b) => [Number(b.ID), b.ADDRESS]));

  // describe broker: the ID/ADDRESS table, then its non-default configs
  const d = await ok(['describe', 'broker', String(id)]);
  eq('describe broker: broker table', table(d.stdout), [{ ID: String(id), ADDRESS: a.bootstrap }]);
  const blank = d.stdout.split('\n').findIndex((l) => !l.trim());
  const cfg = Object.fromEntries(table(d.stdout, blank + 1).map((r) => [r.CONFIG, r.VALUE]));
  eq('describe broker: node.id', cfg['node.id'], String(id));
  const dj = json1(await ok(['describe', 'broker', String(id), '-o', 'json']));
  eq('describe broker -o json: ID, Address', [dj.ID, dj.Address], [id, a.bootstrap]);
  const dcfg = configMap(dj.Configs);
  eq('describe broker -o json: node.id, broker.id', [dcfg['node.id'], dcfg['broker.id']], [String(id), String(id)]);
  if (!String(dcfg['advertised.listeners']).split(',').some((l) => l.endsWith(`://${a.bootstrap}`))) {
    throw new Fail(`describe broker: advertised.listeners=${dcfg['advertised.listeners']} does not name ${a.bootstrap}`);
  }
  await fails(['describe', 'broker', '2147483'], 'cannot find broker with id: 2147483');

  // get topics: plain, wide, json, compact
  await eventually(async () => {
    const plain = table((await ok(['get', 'topics'])).stdout).find((t) => t.TOPIC === a.topic);
    eq(`get topics: ${a.topic}`, plain, { TOPIC: a.topic, PARTITIONS: '1', 'REPLICATION FACTOR': '1' });
  });
  const wide = table((await ok(['get', 'topics', '-o', 'wide'])).stdout).find((t) => t.TOPIC === a.topic);
  eq(`get topics -o wide: ${a.topic} partitions, replication factor`, [wide?.PARTITIONS, wide?.['REPLICATION FACTOR']], ['1', '1']);
  if (/retention\.ms|cleanup\.policy/.test(wide.CONFIGS)) throw new Fail(`get topics -o wide: unexpected configs ${wide.CONFIGS}`);
  const all = json1(await ok(['get', 'topics', '-o', 'json']));
  const tj = all.find((t) => t.Name === a.topic);
  eq(`get topics -o json: ${a.topic}`, [tj?.replicationFactor, tj?.Partitions], [1, [{ ID: 0, oldestOffset: 0, newestOffset: 0, Leader: a.bootstrap, Replicas: [id], inSyncReplicas: [id] }]]);
  const compact = (await ok(['get', 'topics', '-o', 'compact'])).stdout.split('\n');
  if (!compact.includes(a.topic)) throw new Fail(`get topics -o compact: ${a.topic} not listed`);
  return `get brokers: ${brokers.length} (id ${id} at ${a.bootstrap}); describe broker ${id}: ${Object.keys(dcfg).length} non-default configs incl. node.id, broker.id, advertised.listeners; `
    + `unknown broker id refused; get topics (plain, wide, json, compact): ${all.length} topics incl. ${a.topic} (1 partition, leader ${id}, offsets 0..0)`;
}

// ------------------------------------------------------------------ topic-admin
/** describe topic T -o json -> {partitions: [[id, oldest, newest]], configs: {name: value}} */
async function describeTopic(t, extra = []) {
  const d = json1(await ok(['describe', 'topic', t, '-o', 'json', ...extra]));
  return { partitions: d.Partitions.map((p) => [p.ID, p.oldestOffset, p.newestOffset]), configs: configMap(d.Configs), raw: d };
}

async function topicAdmin(a) {
  requireInstalled();
  const t = `${a.topic}-adm`;
  const r = await ok(['create', 'topic', t, '--partitions', '2', '--config', 'retention.ms=3600000', '--config', 'cleanup.policy=delete']);
  eq('create topic', r.out.trim(), `topic created: ${t}`);
  await fails(['create', 'topic', t], `failed to create topic: kafka server: Topic with this name already exists - Topic '${t}' already exists.`);

  await eventually(async () => {
    const wide = table((await ok(['get', 'topics', '-o', 'wide'])).stdout).find((x) => x.TOPIC === t);
    eq('get topics -o wide: partitions, replication factor', [wide?.PARTITIONS, wide?.['REPLICATION FACTOR']], ['2', '1']);
    const cfgs = wide.CONFIGS.split(',');
    for (const c of ['cleanup.policy=delete', 'retention.ms=3600000']) if (!cfgs.includes(c)) throw new Fail(`get topics -o wide: ${c} not in ${wide.CONFIGS}`);
  });
  const tj = json1(await ok(['get', 'topics', '-o', 'json'])).find((x) => x.Name === t);
  eq('get topics -o json: partition ids', tj?.Partitions.map((p) => p.ID), [0, 1]);
  eq('get topics -o json: retention.ms', configMap(tj.Configs)['retention.ms'], '3600000');

  const d1 = await describeTopic(t);
  eq('describe topic: partitions [id, oldest, newest]', d1.partitions, [[0, 0, 0], [1, 0, 0]]);
  eq('describe topic: configs', [d1.configs['cleanup.policy'], d1.configs['retention.ms'], d1.configs['max.message.bytes']], ['delete', '3600000', undefined]);
  const text = (await ok(['describe', 'topic', t])).stdout;
  const rows = table(text, text.split('\n').findIndex((l) => l.startsWith('PARTITION')));
  eq('describe topic (table): partitions', rows.map((p) => [p.PARTITION, p.OLDEST_OFFSET, p.NEWEST_OFFSET, p.EMPTY, p.LEADER]), [['0', '0', '0', 'true', a.bootstrap], ['1', '0', '0', 'true', a.bootstrap]]);
  const allCfg = (await describeTopic(t, ['--all-configs'])).configs;
  eq('describe topic --all-configs: retention.ms, cleanup.policy, max.message.bytes', [allCfg['retention.ms'], allCfg['cleanup.policy'], allCfg['max.message.bytes']], ['3600000', 'delete', '1048588']);

  const alt = await ok(['alter', 'topic', t, '--partitions', '4', '--config', 'retention.ms=7200000', '--config', 'max.message.bytes=2000000']);
  eq('alter topic --partitions 4 --config ...', alt.out.trim().split('\n'), ['partitions have been created', 'config has been altered']);
  await eventually(async () => {
    const d2 = await describeTopic(t);
    eq('describe topic after alter: partitions', d2.partitions, [[0, 0, 0], [1, 0, 0], [2, 0, 0], [3, 0, 0]]);
    eq('describe topic after alter: configs', [d2.configs['cleanup.policy'], d2.configs['retention.ms'], d2.configs['max.message.bytes']], ['delete', '7200000', '2000000']);
  });
  await fails(['alter', 'topic', t, '--partitions', '3'], 'Decreasing the number of partitions is not supported');
  await fails(['alter', 'topic', t, '--partitions', '4'], 'Topic already has 4 partitions');
  eq('alter topic --config retention.ms= (delete)', (await ok(['alter', 'topic', t, '--config', 'retention.ms='])).out.trim(), 'config has been altered');
  await eventually(async () => {
    const d3 = await describeTopic(t);
    eq('describe topic after deleting retention.ms: configs', [d3.configs['cleanup.policy'], d3.configs['retention.ms'], d3.configs['max.message.bytes']], ['delete', undefined, '2000000']);
  });
  eq('describe topic --all-configs: retention.ms back to the default', (await describeTopic(t, ['--all-configs'])).configs['retention.ms'], '604800000');

  eq('delete topic', (await ok(['delete', 'topic', t])).out.trim(), `topic deleted: ${t}`);
  await eventually(async () => {
    if ((await ok(['get', 'topics', '-o', 'compact'])).stdout.split('\n').includes(t)) throw new Fail(`${t} still listed after delete`);
  });
  await fails(['describe', 'topic', t], `topic '${t}' does not exist`);
  await fails(['delete', 'topic', t], 'failed to delete topic: kafka server: Request was for a topic or partition that does not exist on this broker');
  return `create topic ${t} (2 partitions, retention.ms, cleanup.policy; again: TopicExists), get topics -o wide/json, describe topic (partitions, configs, --all-configs), `
    + 'alter topic --partitions 4 + configs, decrease/same count refused, config deleted back to default, delete topic: gone from the list, describe/delete again refused';
}

// ------------------------------------------------------------------ produce-consume
const PAD = 'abcdefghij'.repeat(20);

async function produceConsume(a) {
  requireInstalled();
  const start = Date.now();
  const want = [];
  // one kafkactl run per record: -H headers apply to every record of a run
  for (let i = 0; i < 3; i++) {
    const key = `key-none-${i}`, value = `value-none-${i}-${PAD}`;
    const r = await ok(['produce', a.topic, '-k', key, '-v', value, '-H', 'codec:none', '-H', `idx:${i}`, '-p', '0']);
    eq(`produce ${key}`, r.out.trim(), `message produced (partition=0\toffset=${i})`);
    want.push({ Partition: 0, Offset: i, Headers: { codec: 'none', idx: String(i) }, Key: key, Value: value });
  }
  // several records from stdin, one JSON object a line, each with its own headers
  const lines = [0, 1, 2].map((i) => ({ key: `key-json-${i}`, value: `value-json-${i}`, headers: { src: 'json', idx: String(i) } }));
  const r = await ok(['produce', a.topic, '--input-format', 'json', '-p', '0'], { input: lines.map((l) => JSON.stringify(l)).join('\n') + '\n' });
  eq('produce --input-format json', r.out.trim(), '3 messages produced');
  lines.forEach((l, i) => want.push({ Partition: 0, Offset: 3 + i, Headers: l.headers, Key: l.key, Value: l.value }));
  // key:value lines with a separator, no headers; and a tombstone
  const r2 = await ok(['produce', a.topic, '-S', '#', '-p', '0'], { input: 'key-sep-0#value-sep-0\nkey-sep-1#value-sep-1\n' });
  eq('produce -S #', r2.out.trim(), '2 messages produced');
  for (let i = 0; i < 2; i++) want.push({ Partition: 0, Offset: 6 + i, Key: `key-sep-${i}`, Value: `value-sep-${i}` });
  eq('produce --null-value', (await ok(['produce', a.topic, '-k', 'tomb', '--null-value', '-p', '0'])).out.trim(), 'message produced (partition=0\toffset=8)');
  want.push({ Partition: 0, Offset: 8, Key: 'tomb', Value: null });

  const got = jsons((await ok(['consume', a.topic, '--from-beginning', '--exit', '-k', '--print-headers', '-t', '-o', 'json'])).stdout);
  const problems = [];
  for (const m of got) {
    const ts = Date.parse(m.Timestamp);
    if (!(ts >= start - 60000 && ts <= Date.now() + 60000)) problems.push(`offset ${m.Offset}: CreateTime ${m.Timestamp} not recent`);
    delete m.Timestamp;
  }
  // kafkactl prints the headers as a JSON object with sorted keys (a Go map)
  for (const w of want) if (w.Headers) w.Headers = Object.fromEntries(Object.entries(w.Headers).sort());
  eq('consume --from-beginning --exit (records)', got, want);
  if (problems.length) throw new Fail(problems.slice(0, 3).join('; '));

  // the same, as text: headers (sorted), partition, key, value with the default separator #
  const text = (await ok(['consume', a.topic, '--from-beginning', '--exit', '--print-headers', '--print-partitions', '-k'])).stdout.trim().split('\n');
  eq('consume (text) first and last lines', [text[0], text.at(-1), text.length], [`codec:none,idx:0#0#key-none-0#value-none-0-${PAD}`, '#0#tomb#null', 9]);
  const keys = async (argv) => jsons((await ok(['consume', a.topic, ...argv, '-k', '-o', 'json'])).stdout).map((m) => `${m.Offset}:${m.Key}`);
  eq('consume --tail 2', await keys(['--tail', '2', '--exit']), ['7:key-sep-1', '8:tomb']);
  eq('consume --offset 0=5 --exit', await keys(['--offset', '0=5', '--exit']), ['5:key-json-2', '6:key-sep-0', '7:key-sep-1', '8:tomb']);
  eq('consume --from-beginning --max-messages 2', await keys(['--from-beginning', '--max-messages', '2']), ['0:key-none-0', '1:key-none-1']);
  eq('consume --filter-key key-json-*', await keys(['--from-beginning', '--exit', '--filter-key', 'key-json-*']), ['3:key-json-0', '4:key-json-1', '5:key-json-2']);
  return `9 records to partition 0 (3 single with -H headers and a ~215-byte value, 3 from JSON lines with headers, 2 key#value lines, 1 tombstone; offsets 0..8 as reported); `
    + 'consume --from-beginning --exit (json and text): keys, values, headers, partition, offsets match, CreateTime recent (kafkactl cannot set timestamps or a codec); --tail, --offset, --max-messages, --filter-key';
}

// ------------------------------------------------------------------ groups
/** describe consumer-group G -o json -> {state, protocolType, offsets: {partition: [consumer, lag]}, totalLag, members} */
async function describeGroup(g, t) {
  const d = json1(await ok(['describe', 'consumer-group', g, '-o', 'json']));
  const topic = (d.Topics ?? []).find((x) => x.Name === t);
  return {
    state: d.State,
    protocolType: d.Group?.ProtocolType,
    offsets: Object.fromEntries((topic?.Partitions ?? []).map((p) => [p.Partition, [p.consumerOffset, p.Lag]])),
    newest: Object.fromEntries((topic?.Partitions ?? []).map((p) => [p.Partition, p.newestOffset])),
    totalLag: topic?.totalLag,
    members: d.Members ?? [],
  };
}

/** consume with a group, until n records; returns "partition#key#value" lines, sorted */
async function groupConsume(t, g, n, extra = []) {
  const r = await ok(['consume', t, '--group', g, '--max-messages', String(n), '-k', '--print-partitions', ...extra], { timeoutMs: 90000 });
  return r.stdout.trim().split('\n').filter(Boolean).sort();
}

async function groupResume(a) {
  requireInstalled();
  const t = a.topic, g = a.group;
  await ok(['produce', t, '-S', '#', '-p', '0'], { input: '0#v0\n1#v1\n2#v2\n' });
  // --max-messages stops after n records: a consumer that already holds more may commit past them,
  // so the second half is produced only after the first consumer has left
  eq('first consumer', await groupConsume(t, g, 3, ['--from-beginning']), ['0#0#v0', '0#1#v1', '0#2#v2']);
  await eventually(async () => eq('committed offset after the first consumer', (await describeGroup(g, t)).offsets, { 0: [3, 0] }));
  await ok(['produce', t, '-S', '#', '-p', '0'], { input: '3#v3\n4#v4\n5#v5\n' });
  eq('lag before the second consumer', (await describeGroup(g, t)).offsets, { 0: [3, 3] });
  eq('second consumer (no --from-beginning) resumes at offset 3', await groupConsume(t, g, 3), ['0#3#v3', '0#4#v4', '0#5#v5']);
  await eventually(async () => eq('committed offset after the second consumer', (await describeGroup(g, t)).offsets, { 0: [6, 0] }));
  return `consume --group ${g} --from-beginning --max-messages 3 read offsets 0..2 and committed 3 (describe consumer-group: lag 0, then 3 after 3 more records); a second consumer in the group read offsets 3..5 and committed 6`;
}

async function groupAdmin(a) {
  requireInstalled();
  const t = `${a.topic}-ga`, g = a.group;
  await ok(['create', 'topic', t, '--partitions', '2']);
  await eventually(async () => eq(`describe topic ${t}: partitions`, (await describeTopic(t)).partitions, [[0, 0, 0], [1, 0, 0]]));
  // murmur2 (kafkactl's default partitioner): k3, k4, k5 -> partition 0; k1, k2, k6 -> partition 1
  eq('produce 6 records', (await ok(['produce', t, '-S', '#'], { input: [1, 2, 3, 4, 5, 6].map((i) => `k${i}#v${i}\n`).join('') })).out.trim(), '6 messages produced');
  eq('consume --group --from-beginning --max-messages 6', await groupConsume(t, g, 6, ['--from-beginning']),
    ['0#k3#v3', '0#k4#v4', '0#k5#v5', '1#k1#v1', '1#k2#v2', '1#k6#v6']);

  await eventually(async () => {
    if (!(await ok(['get', 'consumer-groups', '-o', 'compact'])).stdout.split('\n').includes(g)) throw new Fail(`get consumer-groups: ${g} not listed`);
  });
  const wide = table((await ok(['get', 'consumer-groups', '-o', 'wide'])).stdout).find((x) => x.CONSUMER_GROUP === g);
  // TOPICS lists the topics of the members' assignments: none while the group is empty
  eq('get consumer-groups -o wide', wide, { CONSUMER_GROUP: g, PROTOCOL_TYPE: 'consumer', TOPICS: '' });
  const gj = jsons((await ok(['get', 'consumer-groups', '-o', 'json'])).stdout).find((x) => x.Name === g);
  eq('get consumer-groups -o json', gj, { Name: g, ProtocolType: 'consumer', Topics: [] });

  const d1 = await describeGroup(g, t);
  eq('describe consumer-group: state, protocol type, offsets [consumer, lag], total lag, members',
    [d1.state, d1.protocolType, d1.offsets, d1.newest, d1.totalLag, d1.members], ['Empty', 'consumer', { 0: [3, 0], 1: [3, 0] }, { 0: 3, 1: 3 }, 0, []]);
  const text = (await ok(['describe', 'consumer-group', g])).stdout;
  eq('describe consumer-group (table)', table(text).map((r) => [r.TOPIC, r.PARTITION, r.NEWEST_OFFSET, r.OLDEST_OFFSET, r.CONSUMER_OFFSET, r.LEAD, r.LAG]),
    [[t, '0', '3', '0', '3', '3', '0'], [t, '1', '3', '0', '3', '3', '0']]);

  // reset: a dry run changes nothing, then --oldest, --offset N on one partition, --newest on one partition
  const dry = await ok(['reset', 'offset', g, '--topic', t, '--oldest']);
  if (!dry.out.includes('nothing will be changed (include --execute to perform the reset)')) throw new Fail(`reset without --execute: ${dry.out.trim().slice(0, 200)}`);
  eq('reset --oldest (dry run) table', table(dry.stdout, dry.stdout.split('\n').findIndex((l) => l.startsWith('PARTITION'))).map((r) => [r.PARTITION, r.CURRENT_OFFSET, r.TARGET_OFFSET]), [['0', '3', '0'], ['1', '3', '0']]);
  eq('offsets after the dry run', (await describeGroup(g, t)).offsets, { 0: [3, 0], 1: [3, 0] });
  const res = json1(await ok(['reset', 'offset', g, '--topic', t, '--oldest', '--execute', '-o', 'json']));
  eq('reset --oldest --execute -o json', res, [0, 1].map((p) => ({ Partition: p, oldestOffset: 0, newestOffset: 3, currentOffset: 3, targetOffset: 0 })));
  await eventually(async () => { const d = await describeGroup(g, t); eq('describe after reset --oldest', [d.offsets, d.totalLag], [{ 0: [0, 3], 1: [0, 3] }, 6]); });
  await ok(['reset', 'offset', g, '--topic', t, '--offset', '1', '--partition', '1', '--execute']);
  await eventually(async () => { const d = await describeGroup(g, t); eq('describe after reset --offset 1 --partition 1', [d.offsets, d.totalLag], [{ 0: [0, 3], 1: [1, 2] }, 5]); });
  await ok(['reset', 'offset', g, '--topic', t, '--newest', '--partition', '0', '--execute']);
  await eventually(async () => { const d = await describeGroup(g, t); eq('describe after reset --newest --partition 0', [d.offsets, d.totalLag], [{ 0: [3, 0], 1: [1, 2] }, 2]); });
  eq('consume --group after the resets', await groupConsume(t, g, 2), ['1#k2#v2', '1#k6#v6']);
  await eventually(async () => { const d = await describeGroup(g, t); eq('describe after consuming', [d.offsets, d.totalLag], [{ 0: [3, 0], 1: [3, 0] }, 0]); });

  // a live member: shown with its assignment; the group can be neither deleted nor reset
  const bg = background(['consume', t, '--group', g]);
  try {
    const member = await eventually(async () => {
      const d = await describeGroup(g, t);
      if (d.state !== 'Stable' || d.members.length !== 1) throw new Fail(`with a live consumer: state ${d.state}, ${d.members.length} members`);
      return d.members[0];
    }, 30000);
    eq('live member: assigned partitions', member.assignedPartitions, [{ Name: t, Partitions: [0, 1] }]);
    if (!/^kafkactl/.test(member.clientId)) throw new Fail(`live member: client id ${member.clientId}`);
    const wide2 = table((await ok(['get', 'consumer-groups', '-o', 'wide'])).stdout).find((x) => x.CONSUMER_GROUP === g);
    eq('get consumer-groups -o wide with a live member', wide2?.TOPICS, t);
    await fails(['delete', 'consumer-group', g], 'failed to delete consumerGroup: kafka server: The group is not empty');
    await fails(['reset', 'offset', g, '--topic', t, '--oldest', '--execute'], `cannot reset offsets on consumer group ${g}. There are consumers assigned (state: Stable)`);
  } finally {
    bg.child.kill('SIGINT'); // kafkactl leaves the group and exits 0
  }
  const bgr = await bg.done;
  if (bgr.code !== 0) throw new Fail(`background consumer: exit ${bgr.code} after SIGINT`);
  await eventually(async () => eq('state after the live consumer left', (await describeGroup(g, t)).state, 'Empty'));

  const del = await ok(['delete', 'consumer-group-offset', g, '--topic', t, '--partition', '1']);
  eq('delete consumer-group-offset --partition 1', del.out.trim().split('\n').at(-1), `consumer-group-offset deleted: [group: ${g}, topic: ${t}, partition: 1]`);
  await eventually(async () => eq('describe after deleting the offset of partition 1', (await describeGroup(g, t)).offsets, { 0: [3, 0] }));

  eq('delete consumer-group', (await ok(['delete', 'consumer-group', g])).out.trim(), `consumer-group deleted: ${g}`);
  await eventually(async () => {
    if ((await ok(['get', 'consumer-groups', '-o', 'compact'])).stdout.split('\n').includes(g)) throw new Fail(`${g} still listed after delete`);
  });
  const gone = await describeGroup(g, t);
  eq('describe a deleted group', [gone.state, gone.offsets], ['Dead', {}]);
  await fails(['delete', 'consumer-group', g], 'failed to delete consumerGroup: kafka server: The group id does not exist');
  await ok(['delete', 'topic', t]);
  return `6 records on a 2-partition topic, consume --group --max-messages 6 (commits 3+3), get consumer-groups (compact, wide, json), describe consumer-group (json, table: offsets, lead, lag), `
    + 'reset offset dry run / --oldest / --offset 1 --partition 1 / --newest --partition 0 with --execute (each read back), group consumer resumes at the reset offsets, '
    + 'live member shown (assignment 0,1) and blocks delete and reset, delete consumer-group-offset, delete consumer-group (gone; Dead; again: group id does not exist)';
}

// ------------------------------------------------------------------ list-offsets
async function listOffsets(a) {
  requireInstalled();
  const t = a.topic, g = a.group;
  // kafkactl cannot set timestamps: three records about a second apart, then their CreateTimes are read back
  for (let i = 0; i < 3; i++) {
    if (i) await sleep(1100);
    await ok(['produce', t, '-k', `k${i}`, '-v', `v${i}`, '-p', '0']);
  }
  const msgs = jsons((await ok(['consume', t, '--from-beginning', '--exit', '-k', '-t', '-o', 'json'])).stdout);
  eq('records', msgs.map((m) => `${m.Offset}:${m.Key}`), ['0:k0', '1:k1', '2:k2']);
  const ts = msgs.map((m) => Date.parse(m.Timestamp));
  if (!(ts[1] - ts[0] >= 500 && ts[2] - ts[1] >= 500)) throw new Fail(`CreateTimes not a second apart: ${msgs.map((m) => m.Timestamp).join(', ')}`);
  eq('describe topic: [partition, oldest, newest]', (await describeTopic(t)).partitions, [[0, 0, 3]]);
  // reset offset without --execute resolves the target offsets with ListOffsets and changes nothing
  const target = async (...how) => json1(await ok(['reset', 'offset', g, '--topic', t, ...how, '-o', 'json'])).map((p) => p.targetOffset);
  eq('--oldest', await target('--oldest'), [0]);
  eq('--newest', await target('--newest'), [3]);
  eq('--to-datetime T0+0.5s', await target('--to-datetime', String(Math.round((ts[0] + ts[1]) / 2))), [1]);
  eq('--to-datetime T2', await target('--to-datetime', String(ts[2])), [2]);
  eq('--to-datetime far future', await target('--to-datetime', '4102444800000'), [-1]);
  eq('consume --from-timestamp T1', jsons((await ok(['consume', t, '--from-timestamp', String(ts[1]), '--exit', '-k', '-o', 'json'])).stdout).map((m) => m.Key), ['k1', 'k2']);
  // delete records moves the log start offset
  await ok(['delete', 'records', t, '--offset', '0=1']);
  await eventually(async () => eq('describe topic after delete records 0=1', (await describeTopic(t)).partitions, [[0, 1, 3]]));
  eq('--oldest after delete records', await target('--oldest'), [1]);
  eq('consume --from-beginning after delete records', jsons((await ok(['consume', t, '--from-beginning', '--exit', '-k', '-o', 'json'])).stdout).map((m) => m.Key), ['k1', 'k2']);
  return 'describe topic: oldest 0, newest 3; reset offset (dry run) --oldest 0, --newest 3, --to-datetime T0+0.5s → 1, T2 → 2, future → -1; consume --from-timestamp T1: k1, k2; delete records 0=1: oldest 1';
}

// ------------------------------------------------------------------ describe-configs
async function describeConfigs(a) {
  requireInstalled();
  const all = (await describeTopic(a.topic, ['--all-configs'])).configs;
  eq('describe topic --all-configs: cleanup.policy, retention.ms', [all['cleanup.policy'], all['retention.ms']], ['delete', '604800000']);
  const nd = (await describeTopic(a.topic)).configs;
  if ('retention.ms' in nd || 'cleanup.policy' in nd) throw new Fail(`describe topic (non-default configs) lists defaults: ${JSON.stringify(nd)}`);
  const id = json1(await ok(['get', 'brokers', '-o', 'json'])).find((b) => b.Address === a.bootstrap)?.ID;
  if (id === undefined) throw new Fail(`no broker at ${a.bootstrap}`);
  const b = configMap(json1(await ok(['describe', 'broker', String(id), '--all-configs', '-o', 'json'])).Configs);
  eq('describe broker --all-configs: node.id, num.partitions, log.retention.hours, message.max.bytes',
    [b['node.id'], b['num.partitions'], b['log.retention.hours'], b['message.max.bytes']], [String(id), '1', '168', '1048588']);
  return `topic: ${Object.keys(all).length} configs with --all-configs (cleanup.policy=delete, retention.ms=604800000), none of them non-default; broker ${id}: ${Object.keys(b).length} configs incl. node.id, num.partitions, log.retention.hours, message.max.bytes`;
}

// ------------------------------------------------------------------ admin-errors
async function adminErrors(a) {
  requireInstalled();
  const t = `${a.topic}-err`, x = `${a.topic}-new`, missing = `${a.topic}-missing`;
  await ok(['create', 'topic', t, '--partitions', '2']);
  const cases = [
    [['create', 'topic', t], `failed to create topic: kafka server: Topic with this name already exists - Topic '${t}' already exists.`],
    [['create', 'topic', 'bad/name'], "failed to create topic: kafka server: The request attempted to perform an operation on an invalid topic - Topic name is invalid: 'bad/name' contains one or more characters other than ASCII alphanumerics, '.', '_' and '-'"],
    [['create', 'topic', '..'], "failed to create topic: kafka server: The request attempted to perform an operation on an invalid topic - Topic name is invalid: '..' is not allowed"],
    [['create', 'topic', x, '-p', '0'], 'failed to create topic: kafka server: Number of partitions is invalid - Number of partitions was set to an invalid non-positive value.'],
    [['create', 'topic', x, '-r', '0'], 'failed to create topic: kafka server: Replication-factor is invalid - Replication factor must be larger than 0, or -1 to use the default value.'],
    [['create', 'topic', x, '-r', '2'], 'failed to create topic: kafka server: Replication-factor is invalid - Unable to replicate the partition 2 time(s): The target replication factor of 2 cannot be reached because only 1 broker(s) are registered.'],
    [['create', 'topic', x, '-c', 'no.such.config=1'], 'failed to create topic: kafka server: Configuration is invalid - Unknown topic config name: no.such.config'],
    [['create', 'topic', x, '-c', 'retention.ms=abc'], 'failed to create topic: kafka server: Configuration is invalid - Invalid value abc for configuration retention.ms: Not a number of type LONG'],
    [['create', 'topic', x, '-c', 'cleanup.policy=bogus'], 'failed to create topic: kafka server: Configuration is invalid - Invalid value bogus for configuration cleanup.policy: String must be one of: compact, delete'],
    [['alter', 'topic', t, '-c', 'no.such.config=1'], `Could not alter topic config '${t}': kafka server: Configuration is invalid: Unknown topic config name: no.such.config`],
    [['alter', 'topic', t, '-c', 'retention.ms=abc'], `Could not alter topic config '${t}': kafka server: Configuration is invalid: Invalid value abc for configuration retention.ms: Not a number of type LONG`],
    [['alter', 'topic', t, '-p', '2'], 'Topic already has 2 partitions'],
    [['alter', 'topic', missing, '-p', '5'], `topic '${missing}' does not exist`],
    [['describe', 'topic', missing], `topic '${missing}' does not exist`],
    [['delete', 'topic', missing], 'failed to delete topic: kafka server: Request was for a topic or partition that does not exist on this broker'],
    [['delete', 'consumer-group', `${a.topic}-nogroup`], 'failed to delete consumerGroup: kafka server: The group id does not exist'],
    [['produce', t, '-v', 'x', '-p', '5'], 'Failed to produce message: kafka: partitioner returned an invalid partition index'],
  ];
  for (const [argv, message] of cases) await fails(argv, message);
  // validate-only creates nothing
  eq('create --validate-only', (await ok(['create', 'topic', `${a.topic}-vo`, '-p', '3', '--validate-only'])).out.trim(), `topic created: ${a.topic}-vo`);
  await fails(['describe', 'topic', `${a.topic}-vo`], `topic '${a.topic}-vo' does not exist`);
  await ok(['delete', 'topic', t]);
  return `${cases.length + 1} bad admin commands, each refused with Kafka's exact error text (kafkactl's wording around it); create --validate-only created nothing`;
}

// ------------------------------------------------------------------
const na = (why) => async () => { requireInstalled(); throw new NA(why); };

await run({
  metadata,
  'topic-admin': topicAdmin,
  'produce-consume': produceConsume,
  'group-resume': groupResume,
  'list-offsets': listOffsets,
  'describe-configs': describeConfigs,
  'admin-errors': adminErrors,
  'group-admin': groupAdmin,
  bulk: na('kafkactl cannot set record timestamps or a codec, which bulk records need; Sarama, which kafkactl is built on, runs bulk in the sarama column'),
  'crash-retry': na('kafkactl has no idempotent-producer setting (crash-retry runs with Java and confluent-kafka)'),
}, version);
