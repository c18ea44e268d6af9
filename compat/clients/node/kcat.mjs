// kpg compatibility scenarios for kcat (Debian's kcat 1.7.1 on librdkafka 2.0.2).
// kcat has no admin APIs: topic-admin and describe-configs are n/a. Its producer cannot set
// record timestamps, so produce-consume checks that each record carries a recent CreateTime.
import { CODECS, Fail, NA, checkRecords, expected, run } from './common.mjs';
import { exec, must } from './proc.mjs';
import { runAuth } from './auth.mjs';

const KCAT = process.env.KCAT ?? 'kcat';
let version = 'kcat';
try {
  const r = await exec(KCAT, ['-V']);
  const m = /Version ([\d.]+)/.exec(r.stdout + r.stderr);
  const lib = /librdkafka ([\d.]+)/.exec(r.stdout + r.stderr);
  version = `kcat ${m?.[1] ?? '?'} (librdkafka ${lib?.[1] ?? '?'})`;
} catch {
  process.stdout.write(JSON.stringify({ scenario: process.argv[process.argv.indexOf('--scenario') + 1], status: 'n/a', detail: 'kcat not installed (compat/install.sh kcat)' }) + '\n');
  process.exit(0);
}

const kcat = (step, a, argv, opts) => must(step, KCAT, ['-b', a.bootstrap, '-X', 'client.id=kpg-compat-kcat', ...argv], opts);

async function metadata(a) {
  const md = JSON.parse((await kcat('kcat -L', a, ['-L', '-J'])).stdout);
  if (!md.brokers?.length) throw new Fail('no brokers');
  const names = md.topics.map((t) => t.topic);
  if (!names.includes(a.topic)) throw new Fail(`topic ${a.topic} not listed (${names.length} topics)`);
  return `${md.brokers.length} broker(s), controller ${md.controllerid}, ${names.length} topic(s) incl. ${a.topic}`;
}

/** One kcat -P run per record: -H headers apply to every record of a run. */
async function produceOne(a, codec, r) {
  const argv = ['-P', '-t', a.topic, '-p', '0', '-K', '\t', '-X', 'acks=all'];
  if (codec !== 'none') argv.push('-z', codec);
  for (const [k, v] of r.headers ?? []) argv.push('-H', `${k}=${v}`);
  await kcat(`produce ${codec}`, a, argv, { input: `${r.key ?? ''}\t${r.value}\n` });
}

async function consume(a, extra = []) {
  const out = (await kcat('consume', a, ['-C', '-t', a.topic, '-p', '0', '-o', 'beginning', '-e', '-J', '-q', ...extra], { timeoutMs: 40000 })).stdout;
  return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

function pairs(h) {
  const out = [];
  for (let i = 0; i + 1 < (h?.length ?? 0); i += 2) out.push([h[i], h[i + 1]]);
  return out;
}

async function produceConsume(a) {
  const start = Date.now();
  const want = [];
  for (const [ci, codec] of CODECS.entries()) {
    const recs = expected(codec, ci);
    for (const r of recs) await produceOne(a, codec, r);
    want.push(...recs);
  }
  const msgs = await consume(a);
  const got = new Map();
  const badTs = [];
  for (const m of msgs) {
    if (m.tstype !== 'create' || m.ts < start - 60000 || m.ts > Date.now() + 60000) badTs.push(`${m.key}:${m.tstype}:${m.ts}`);
    got.set(m.key, { key: m.key, value: m.payload, headers: pairs(m.headers), ts: 0 });
  }
  if (badTs.length) throw new Fail(`unexpected timestamps ${badTs.slice(0, 3).join(', ')}`);
  checkRecords(want.map((w) => ({ ...w, ts: 0 })), got);
  return `codecs ${CODECS.join(',')}: ${want.length} records checked (timestamps: recent CreateTime; kcat cannot set them)`;
}

async function groupResume(a) {
  for (let i = 0; i < 6; i++) await produceOne(a, 'none', { key: `k${i}`, value: `r${i}` });
  const groupConsume = async (count) => {
    const out = (await kcat('group consume', a, ['-G', a.group, '-X', 'auto.offset.reset=earliest', '-X', 'enable.auto.commit=true',
      '-c', String(count), '-J', '-q', a.topic], { timeoutMs: 60000 })).stdout;
    return out.split('\n').filter(Boolean).map((l) => JSON.parse(l));
  };
  const first = await groupConsume(3);
  if (first[0]?.offset !== 0 || first.length !== 3) throw new Fail(`first consumer got offsets ${first.map((m) => m.offset)}, want 0,1,2`);
  const second = await groupConsume(1);
  if (second[0]?.offset !== 3) throw new Fail(`resumed at offset ${second[0]?.offset}, want 3 (committed on close after 3 records)`);
  return `kcat -G consumed 3 and committed on close; rerun resumed at 3`;
}

async function listOffsets(a) {
  for (let i = 0; i < 3; i++) {
    await produceOne(a, 'none', { key: `t${i}`, value: `t${i}` });
    await new Promise((r) => setTimeout(r, 20));
  }
  const msgs = await consume(a);
  if (msgs.length !== 3) throw new Fail(`expected 3 records, found ${msgs.length}`);
  const q = async (ts) => {
    const out = (await kcat(`query ${ts}`, a, ['-Q', '-t', `${a.topic}:0:${ts}`])).stdout;
    const m = /offset (-?\d+)/.exec(out);
    if (!m) throw new Fail(`kcat -Q output: ${out.trim()}`);
    return Number(m[1]);
  };
  const got = [await q(-2), await q(-1), await q(msgs[1].ts), await q(msgs[2].ts + 1)];
  // a timestamp after every record gives the end offset (librdkafka reports OFFSET_END as -1)
  const okAfter = got[3] === -1 || got[3] === 3;
  if (got[0] !== 0 || got[1] !== 3 || got[2] !== 1 || !okAfter) {
    throw new Fail(`earliest=${got[0]} latest=${got[1]} time(record 1)=${got[2]} time(after last)=${got[3]}, want 0 3 1 -1|3`);
  }
  return `earliest=0 latest=3 by-time=1, after-last=${got[3]}`;
}

const na = (why) => async () => { throw new NA(why); };
// ------------------------------------------------------------------ auth
/** librdkafka properties of a mode; OAUTHBEARER: librdkafka's own unsecured JWS (kcat cannot take a token). */
function authProps(sec, mode, user = 'alice', password) {
  const x = { 'client.id': 'kpg-compat-kcat-auth', 'ssl.ca.location': sec.caFile };
  if (mode === 'mTLS') {
    Object.assign(x, { 'security.protocol': 'SSL', 'ssl.certificate.location': sec.clientCertFile, 'ssl.key.location': sec.clientKeyFile });
  } else {
    Object.assign(x, { 'security.protocol': 'SASL_SSL', 'sasl.mechanisms': mode });
    if (mode === 'OAUTHBEARER') Object.assign(x, { 'enable.sasl.oauthbearer.unsecure.jwt': 'true', 'sasl.oauthbearer.config': `principal=${user}` });
    else Object.assign(x, { 'sasl.username': user, 'sasl.password': password ?? sec.users[user] });
  }
  return ['-b', mode === 'mTLS' ? sec.ssl : sec.saslSsl, ...Object.entries(x).flatMap(([k, v]) => ['-X', `${k}=${v}`])];
}

const text = (r) => `${r.stdout}\n${r.stderr}`;
// librdkafka before 2.6.1 repeats the client nonce in the SCRAM client-final message (librdkafka#4895), which
// Kafka 4.x refuses as RFC 5802 says: with such a kcat SCRAM is n/a, and the other steps use PLAIN.
const librdkafka = (/librdkafka ([\d.]+)/.exec(version)?.[1] ?? '0').split('.').map(Number);
const scramBroken = librdkafka[0] < 2 || (librdkafka[0] === 2 && (librdkafka[1] < 6 || (librdkafka[1] === 6 && (librdkafka[2] ?? 0) < 1)));
const SCRAM_NA = `librdkafka ${librdkafka.join('.')} (< 2.6.1) sends a SCRAM client-final that Kafka 4.x refuses (librdkafka#4895)`;
const checkMech = scramBroken ? 'PLAIN' : 'SCRAM-SHA-512';

const kcatAuth = {
  async produceConsume(sec, mode, values) {
    if (scramBroken && mode.startsWith('SCRAM')) throw new NA(SCRAM_NA);
    const p = await exec(KCAT, [...authProps(sec, mode), '-P', '-t', sec.topic, '-p', '0', '-X', 'acks=all'], { input: values.join('\n') + '\n', timeoutMs: 40000 });
    if (p.code !== 0 || /ERROR|failed/i.test(p.stderr)) throw new Fail(`kcat -P: exit ${p.code}: ${p.stderr.trim().split('\n').slice(-2).join(' | ')}`);
    // the balanced consumer (-G) commits what it read; -e ends it at the end of the partition
    const c = await exec(KCAT, [...authProps(sec, mode), '-G', sec.group, '-o', 'beginning', '-e', '-J', '-q', sec.topic], { timeoutMs: 45000 });
    const got = new Set(c.stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l).payload));
    const missing = values.filter((v) => !got.has(v));
    if (missing.length) throw new Fail(`kcat -G ${sec.group}: exit ${c.code}, without ${missing.join(', ')}: ${c.stderr.trim().split('\n').slice(-2).join(' | ')}`);
  },
  async produceDenied(sec, mode) {
    const p = await exec(KCAT, [...authProps(sec, mode), '-P', '-t', sec.deniedTopic, '-p', '0'], { input: 'denied\n', timeoutMs: 40000 });
    if (!/Topic authorization failed/i.test(text(p))) throw new Fail(`kcat -P to ${sec.deniedTopic}: exit ${p.code}, no "Topic authorization failed": ${text(p).trim().split('\n').slice(-2).join(' | ')}`);
  },
  async wrongPassword(sec) {
    const r = await exec(KCAT, [...authProps(sec, checkMech, 'alice', `not-${sec.users.alice}`), '-L', '-m', '10'], { timeoutMs: 30000 });
    const m = /SASL authentication error[^(\n]*/i.exec(text(r));
    if (r.code === 0 || !m) throw new Fail(`kcat -L with a wrong password: exit ${r.code}: ${text(r).trim().split('\n').slice(-2).join(' | ')}`);
    return `${m[0].trim()}${scramBroken ? ' (PLAIN)' : ''}`;
  },
  async bobRefused(sec) {
    const r = await exec(KCAT, [...authProps(sec, checkMech, 'bob'), '-G', sec.group, '-o', 'beginning', '-e', '-J', '-q', sec.topic], { timeoutMs: 30000 });
    const m = /(Group|Topic) authorization failed/i.exec(text(r));
    if (!m || r.stdout.includes('"payload"')) throw new Fail(`kcat -G as bob: exit ${r.code}: ${text(r).trim().split('\n').slice(-2).join(' | ')}`);
    return m[0];
  },
};

await run({
  auth: (a) => runAuth(a, kcatAuth),
  metadata, 'produce-consume': produceConsume, 'group-resume': groupResume, 'list-offsets': listOffsets,
  'topic-admin': na('kcat has no topic admin commands'),
  'describe-configs': na('kcat has no DescribeConfigs command'),
  bulk: na('kcat cannot set record timestamps; librdkafka is covered by the confluent-kafka column'),
  'crash-retry': na('crash-retry runs with the Java and librdkafka (confluent-kafka) idempotent producers'),
}, version);
