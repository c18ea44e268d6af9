// Minimal Kafka wire helper used by the compat runner itself (not a client under test):
// wait for a broker to serve Metadata, and pre-create topics, with the oldest non-flexible
// versions that both Kafka 3.9/4.x and kpg accept (Metadata v4, CreateTopics v4).
//
//   node compat/lib/kwire.mjs wait HOST:PORT [timeoutSeconds]
//   node compat/lib/kwire.mjs create HOST:PORT [--partitions N] TOPIC...
//   node compat/lib/kwire.mjs metadata HOST:PORT
import net from 'node:net';
import { pathToFileURL } from 'node:url';

class Writer {
  constructor() { this.parts = []; }
  int8(v) { const b = Buffer.alloc(1); b.writeInt8(v); this.parts.push(b); return this; }
  int16(v) { const b = Buffer.alloc(2); b.writeInt16BE(v); this.parts.push(b); return this; }
  int32(v) { const b = Buffer.alloc(4); b.writeInt32BE(v); this.parts.push(b); return this; }
  string(s) {
    if (s === null) return this.int16(-1);
    const b = Buffer.from(s, 'utf8'); this.int16(b.length); this.parts.push(b); return this;
  }
  array(items, fn) {
    if (items === null) return this.int32(-1);
    this.int32(items.length); for (const it of items) fn(this, it); return this;
  }
  bytes() { return Buffer.concat(this.parts); }
}

class Reader {
  constructor(buf) { this.buf = buf; this.pos = 0; }
  int8() { const v = this.buf.readInt8(this.pos); this.pos += 1; return v; }
  int16() { const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v; }
  int32() { const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v; }
  bool() { return this.int8() !== 0; }
  string() {
    const n = this.int16(); if (n < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + n); this.pos += n; return s;
  }
  array(fn) { const n = this.int32(); if (n < 0) return null; const out = []; for (let i = 0; i < n; i++) out.push(fn(this)); return out; }
}

export function parseHostPort(hp) {
  const i = hp.lastIndexOf(':');
  return { host: hp.slice(0, i), port: Number(hp.slice(i + 1)) };
}

/** One request/response on a fresh connection. */
export function request(bootstrap, apiKey, apiVersion, body, timeoutMs = 10000) {
  const { host, port } = parseHostPort(bootstrap);
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host, port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => { sock.destroy(); reject(new Error(`timeout waiting for api ${apiKey}`)); }, timeoutMs);
    const done = (err, val) => { clearTimeout(timer); sock.destroy(); err ? reject(err) : resolve(val); };
    sock.on('error', (e) => done(e));
    sock.on('close', () => done(new Error('connection closed before a response')));
    sock.on('connect', () => {
      const header = new Writer().int16(apiKey).int16(apiVersion).int32(1).string('kpg-compat-runner').bytes();
      const frame = Buffer.concat([header, body]);
      const len = Buffer.alloc(4); len.writeInt32BE(frame.length);
      sock.write(Buffer.concat([len, frame]));
    });
    sock.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
        const frame = buf.subarray(4, 4 + buf.readInt32BE(0));
        done(null, new Reader(frame.subarray(4))); // skip correlation id (response header v0)
      }
    });
  });
}

/** Metadata v4: brokers, controller and topics. topics=null means all. */
export async function metadata(bootstrap, topics = null, autoCreate = false) {
  const body = new Writer().array(topics, (w, t) => w.string(t)).int8(autoCreate ? 1 : 0).bytes();
  const r = await request(bootstrap, 3, 4, body);
  r.int32(); // throttle
  const brokers = r.array((x) => ({ nodeId: x.int32(), host: x.string(), port: x.int32(), rack: x.string() }));
  const clusterId = r.string();
  const controllerId = r.int32();
  const topicList = r.array((x) => ({
    errorCode: x.int16(), name: x.string(), internal: x.bool(),
    partitions: x.array((p) => ({ errorCode: p.int16(), index: p.int32(), leader: p.int32(), replicas: p.array((q) => q.int32()), isr: p.array((q) => q.int32()) })),
  }));
  return { brokers, clusterId, controllerId, topics: topicList };
}

/** CreateTopics v4; TOPIC_ALREADY_EXISTS (36) counts as success. */
export async function createTopics(bootstrap, names, partitions = 1) {
  const body = new Writer()
    .array(names, (w, n) => w.string(n).int32(partitions).int16(1).int32(0).int32(0))
    .int32(15000).int8(0).bytes();
  const r = await request(bootstrap, 19, 4, body, 20000);
  r.int32();
  const res = r.array((x) => ({ name: x.string(), errorCode: x.int16(), message: x.string() }));
  const bad = res.filter((t) => t.errorCode !== 0 && t.errorCode !== 36);
  if (bad.length) throw new Error('CreateTopics failed: ' + bad.map((t) => `${t.name}: error ${t.errorCode} ${t.message ?? ''}`).join('; '));
  // wait until every topic has a leader for every partition
  const deadline = Date.now() + 20000;
  for (;;) {
    const md = await metadata(bootstrap, names);
    const ok = md.topics.every((t) => t.errorCode === 0 && t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0));
    if (ok) return res;
    if (Date.now() > deadline) throw new Error('topics created but no leader after 20s: ' + names.join(','));
    await new Promise((r2) => setTimeout(r2, 200));
  }
}

/** Poll until a Metadata request succeeds with at least one broker. */
export async function waitReady(bootstrap, timeoutMs = 60000) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    try {
      const md = await metadata(bootstrap, null);
      if (md.brokers.length > 0) return md;
      last = new Error('metadata has no brokers yet');
    } catch (e) { last = e; }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${bootstrap} did not serve Metadata within ${timeoutMs / 1000}s: ${last?.message}`);
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [cmd, bootstrap, ...rest] = process.argv.slice(2);
  try {
    if (cmd === 'wait') {
      const md = await waitReady(bootstrap, Number(rest[0] ?? 60) * 1000);
      console.log(`ready ${bootstrap}: brokers ${md.brokers.map((b) => `${b.nodeId}@${b.host}:${b.port}`).join(',')} cluster ${md.clusterId}`);
    } else if (cmd === 'create') {
      let partitions = 1;
      if (rest[0] === '--partitions') { partitions = Number(rest[1]); rest.splice(0, 2); }
      await createTopics(bootstrap, rest, partitions);
      console.log(`created ${rest.join(', ')}`);
    } else if (cmd === 'metadata') {
      console.log(JSON.stringify(await metadata(bootstrap, null), null, 1));
    } else {
      console.error('usage: kwire.mjs wait|create|metadata HOST:PORT ...'); process.exit(2);
    }
  } catch (e) {
    console.error(String(e?.message ?? e)); process.exit(1);
  }
}
