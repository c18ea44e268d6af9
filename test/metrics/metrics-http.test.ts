/**
 * The metrics HTTP port of a real gateway: kafkajs produces and consumes over TCP, /metrics is scraped
 * over HTTP and its counters are read as numbers; /healthz and /readyz answer, /readyz turns 503 while
 * Postgres cannot be reached (a TCP proxy between gateway and Postgres is cut; and an embedded Postgres
 * stopped and started again) and 200 once it can again.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../../src/embedded/postgres.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTopic } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text format, the subset prom-client writes: `name{a="x",b="y"} value` lines, # comments. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

/** The value of the one series with exactly these labels; 0 when the series does not exist yet. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels);
  const found = samples.filter(
    (s) => s.name === name && Object.keys(s.labels).length === wanted.length && wanted.every(([k, v]) => s.labels[k] === v),
  );
  if (found.length > 1) throw new Error(`${found.length} series of ${name} ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

/** The sum over every series of `name` whose labels include these. */
function sumOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

interface HttpAnswer {
  status: number;
  contentType: string;
  body: string;
}

function httpRequest(port: number, path: string, method = 'GET', body?: string): Promise<HttpAnswer> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: String(res.headers['content-type'] ?? ''), body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Raw bytes to the HTTP port; what comes back before the server closes. */
function rawHttp(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port }, () => socket.write(bytes));
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('close', () => resolve(text));
    socket.on('error', reject);
    socket.setTimeout(5000, () => socket.destroy());
  });
}

/** A TCP proxy to Postgres that the test can cut (every connection dropped, new ones refused) and restore. */
class CuttableProxy {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private cut = false;
  port = 0;

  constructor(target: { host: string; port: number }) {
    this.server = net.createServer((client) => {
      if (this.cut) {
        client.destroy();
        return;
      }
      const upstream = net.connect(target);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as net.AddressInfo).port;
  }

  cutOff(): void {
    this.cut = true;
    for (const s of this.sockets) s.destroy();
  }

  restore(): void {
    this.cut = false;
  }

  close(): Promise<void> {
    this.cutOff();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = await probe();
  while (!accept(last) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    last = await probe();
  }
  return last;
}

let database: TestDatabase;
let proxy: CuttableProxy;
let gateway: Gateway;
let metricsPort: number;
let bootstrap: string;

const scrape = async (): Promise<Sample[]> => {
  const answer = await httpRequest(metricsPort, '/metrics');
  expect(answer.status).toBe(200);
  return parsePrometheus(answer.body);
};

beforeAll(async () => {
  database = await createTestDatabase();
  const url = new URL(database.url);
  proxy = new CuttableProxy({ host: url.hostname, port: Number(url.port) });
  await proxy.listen();
  url.hostname = '127.0.0.1';
  url.port = String(proxy.port);
  gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: url.toString(),
    dataDir: '',
    brokerConfigs: new Map([['auto.create.topics.enable', 'false']]),
    metricsPort: 0,
    logger: pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'silent' }),
  });
  metricsPort = gateway.metricsAddress!.port;
  bootstrap = `127.0.0.1:${gateway.port}`;
  await createTopic(gateway, 'metered', 1);
});

afterAll(async () => {
  await gateway?.stop();
  await proxy?.close();
  await database?.drop();
});

describe('/metrics', () => {
  it('serves the gateway registry in the Prometheus text format', async () => {
    const answer = await httpRequest(metricsPort, '/metrics');
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe(gateway.metrics.registry.contentType);
    const samples = parsePrometheus(answer.body);
    // Node.js process metrics with kpg's prefix.
    expect(valueOf(samples, 'kpg_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(valueOf(samples, 'kpg_postgres_pool_connections', { state: 'total' })).toBeGreaterThanOrEqual(1);
  });

  it('counts produced and fetched records, requests per API, error codes, connections and appends', async () => {
    const before = await scrape();
    const kafka = kafkaClient(bootstrap, 'metrics-test');
    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    const messages = Array.from({ length: 7 }, (_, i) => ({ key: `k${i}`, value: `value-${i}-${'x'.repeat(100)}` }));
    await producer.send({ topic: 'metered', messages });
    const consumer = kafka.consumer({ groupId: 'metrics-group' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'metered', fromBeginning: true });
    const seen: string[] = [];
    await new Promise<void>((resolve, reject) => {
      consumer
        .run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === messages.length) resolve();
          },
        })
        .catch(reject);
    });
    const during = await scrape();
    await consumer.disconnect();
    await producer.disconnect();
    expect(seen).toHaveLength(7);

    const delta = (name: string, labels: Record<string, string> = {}): number => valueOf(during, name, labels) - valueOf(before, name, labels);
    const deltaSum = (name: string, labels: Record<string, string>): number => sumOf(during, name, labels) - sumOf(before, name, labels);

    // Per topic and Kafka's AllTopics (no topic label).
    expect(delta('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metered' })).toBe(7);
    expect(delta('kafka_server_brokertopicmetrics_messagesin_total')).toBe(7);
    const bytesIn = delta('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'metered' });
    expect(bytesIn).toBeGreaterThan(7 * 100);
    expect(delta('kafka_server_brokertopicmetrics_bytesin_total')).toBe(bytesIn);
    const bytesOut = delta('kafka_server_brokertopicmetrics_bytesout_total', { topic: 'metered' });
    expect(bytesOut).toBeGreaterThan(7 * 100);
    expect(delta('kafka_server_brokertopicmetrics_bytesout_total')).toBe(bytesOut);

    // One send of one partition's records: one Produce request, one NONE error code in its response.
    expect(deltaSum('kafka_network_requestmetrics_requests_total', { request: 'Produce' })).toBe(1);
    expect(delta('kafka_network_requestmetrics_errors_total', { request: 'Produce', error: 'NONE' })).toBe(1);
    expect(deltaSum('kafka_network_requestmetrics_requests_total', { request: 'Fetch' })).toBeGreaterThanOrEqual(1);
    expect(deltaSum('kafka_network_requestmetrics_requests_total', { request: 'Metadata' })).toBeGreaterThanOrEqual(1);
    expect(deltaSum('kafka_network_requestmetrics_requests_total', { request: 'ApiVersions' })).toBeGreaterThanOrEqual(2);
    // Every answered request is in the latency histogram.
    const produceVersions = during.filter((s) => s.name === 'kafka_network_requestmetrics_requests_total' && s.labels.request === 'Produce');
    expect(produceVersions.length).toBeGreaterThan(0);
    // Per API and version, as the request counts.
    for (const { labels } of produceVersions) {
      expect(valueOf(during, 'kafka_network_requestmetrics_totaltimems_count', labels)).toBe(valueOf(during, 'kafka_network_requestmetrics_requests_total', labels));
      expect(valueOf(during, 'kafka_network_requestmetrics_totaltimems_bucket', { ...labels, le: '+Inf' })).toBe(
        valueOf(during, 'kafka_network_requestmetrics_totaltimems_count', labels),
      );
    }

    // Cumulative buckets: non-decreasing in le order.
    const fetchVersion = during.find((s) => s.name === 'kafka_network_requestmetrics_requests_total' && s.labels.request === 'Fetch')!.labels.version;
    const buckets = during
      .filter((s) => s.name === 'kafka_network_requestmetrics_totaltimems_bucket' && s.labels.request === 'Fetch' && s.labels.version === fetchVersion)
      .map((s) => ({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), value: s.value }));
    expect(buckets.length).toBeGreaterThan(5);
    expect(buckets.every((b, i) => i === 0 || (b.le > buckets[i - 1]!.le && b.value >= buckets[i - 1]!.value))).toBe(true);

    // Producer and consumer connections were open during the scrape (kafkajs opens several).
    expect(valueOf(during, 'kpg_connections', { listener: 'PLAINTEXT' })).toBeGreaterThanOrEqual(2);
    expect(delta('kpg_connections_created_total', { listener: 'PLAINTEXT' })).toBeGreaterThanOrEqual(2);

    // The append went through one group commit carrying the 7 records.
    expect(delta('kpg_append_group_commit_requests_count')).toBe(1);
    expect(delta('kpg_append_group_commit_records_sum')).toBe(7);
    expect(delta('kpg_postgres_query_duration_seconds_count', { operation: 'append' })).toBe(1);
    expect(delta('kpg_postgres_query_duration_seconds_count', { operation: 'read' })).toBeGreaterThanOrEqual(1);

    // Closed connections leave the gauge.
    const after = await eventually(scrape, (s) => valueOf(s, 'kpg_connections', { listener: 'PLAINTEXT' }) === 0, 5000);
    expect(valueOf(after, 'kpg_connections', { listener: 'PLAINTEXT' })).toBe(0);
  });

  it('counts the error code of a failed request: Produce to an unknown topic gives UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const before = await scrape();
    const raw = await RawClient.connect(bootstrap);
    try {
      const { body } = await raw.request(0, 9, {
        transactionalId: null,
        acks: -1,
        timeoutMs: 5000,
        topicData: [{ name: 'no-such-topic', partitionData: [{ index: 0, records: Buffer.alloc(0) }, { index: 1, records: Buffer.alloc(0) }] }],
      });
      expect(body.responses[0].partitionResponses.map((p: { errorCode: number }) => p.errorCode)).toEqual([3, 3]);
    } finally {
      raw.close();
    }
    const after = await scrape();
    const errors = (labels: Record<string, string>): number =>
      valueOf(after, 'kafka_network_requestmetrics_errors_total', labels) - valueOf(before, 'kafka_network_requestmetrics_errors_total', labels);
    expect(errors({ request: 'Produce', error: 'UNKNOWN_TOPIC_OR_PARTITION' })).toBe(2);
    expect(errors({ request: 'Produce', error: 'NONE' })).toBe(0);
    expect(valueOf(after, 'kafka_network_requestmetrics_requests_total', { request: 'Produce', version: '9' }) -
      valueOf(before, 'kafka_network_requestmetrics_requests_total', { request: 'Produce', version: '9' })).toBe(1);
    // Nothing was appended.
    expect(valueOf(after, 'kafka_server_brokertopicmetrics_messagesin_total')).toBe(valueOf(before, 'kafka_server_brokertopicmetrics_messagesin_total'));
  });

  it('shows a long-polling fetch in kpg_fetch_waiting while it waits', async () => {
    await createTopic(gateway, 'idle', 1);
    const raw = await RawClient.connect(bootstrap);
    try {
      const started = Date.now();
      raw.send(1, 4, {
        replicaId: -1,
        maxWaitMs: 3000,
        minBytes: 1,
        maxBytes: 1 << 20,
        isolationLevel: 0,
        topics: [{ topic: 'idle', partitions: [{ partition: 0, fetchOffset: 0n, partitionMaxBytes: 1 << 20 }] }],
      });
      const waiting = await eventually(scrape, (s) => valueOf(s, 'kpg_fetch_waiting') === 1, 2500);
      expect(valueOf(waiting, 'kpg_fetch_waiting')).toBe(1);
      expect(await raw.nextFrame()).not.toBeNull();
      expect(Date.now() - started).toBeGreaterThanOrEqual(2900);
      expect(valueOf(await scrape(), 'kpg_fetch_waiting')).toBe(0);
    } finally {
      raw.close();
    }
  });

  it('keeps one registry per gateway: a second gateway in the process starts from zero', async () => {
    const second = await startGateway({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: database.url,
      dataDir: '',
      metricsPort: 0,
      logger: pino({ level: 'silent' }),
    });
    try {
      expect(second.metrics.registry).not.toBe(gateway.metrics.registry);
      const answer = await httpRequest(second.metricsAddress!.port, '/metrics');
      const samples = parsePrometheus(answer.body);
      expect(valueOf(samples, 'kafka_server_brokertopicmetrics_messagesin_total', { topic: 'metered' })).toBe(0);
      expect(sumOf(samples, 'kafka_network_requestmetrics_requests_total', {})).toBe(0);
    } finally {
      await second.stop();
    }
  });
});

describe('health endpoints and bad input', () => {
  it('answers /healthz with 200 ok and /readyz with 200 on a healthy gateway', async () => {
    expect(await httpRequest(metricsPort, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect(await httpRequest(metricsPort, '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
  });

  it('answers 404 to unknown paths, 405 to other methods, 414 to a huge URL, 400 to malformed HTTP, and keeps serving', async () => {
    expect((await httpRequest(metricsPort, '/nope')).status).toBe(404);
    expect((await httpRequest(metricsPort, '/metrics/extra')).status).toBe(404);
    const post = await httpRequest(metricsPort, '/metrics', 'POST', 'x=1');
    expect(post.status).toBe(405);
    expect(post.body).toContain('use GET');
    expect((await httpRequest(metricsPort, '/readyz', 'DELETE')).status).toBe(405);
    expect((await httpRequest(metricsPort, `/metrics?${'a'.repeat(5000)}`)).status).toBe(414);
    // Beyond the header size limit: node's parser refuses it and the clientError handler answers.
    expect(await rawHttp(metricsPort, `GET /${'b'.repeat(40_000)} HTTP/1.1\r\nHost: x\r\n\r\n`)).toMatch(/^HTTP\/1\.1 4\d\d /);
    expect(await rawHttp(metricsPort, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await httpRequest(metricsPort, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
  });

  it('answers /readyz 503 with the reason while Postgres is unreachable, and 200 again once it is back', async () => {
    proxy.cutOff();
    try {
      const down = await eventually(
        () => httpRequest(metricsPort, '/readyz'),
        (a) => a.status === 503 && a.body.includes('LISTEN'),
        15_000,
      );
      expect(down.status).toBe(503);
      expect(down.body).toMatch(/^Postgres is unreachable: /m);
      expect(down.body).toMatch(/^the LISTEN\/NOTIFY connection to Postgres is down/m);
      // Liveness is not readiness: the process still serves.
      expect(await httpRequest(metricsPort, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
      expect((await httpRequest(metricsPort, '/metrics')).status).toBe(200);
    } finally {
      proxy.restore();
    }
    const up = await eventually(() => httpRequest(metricsPort, '/readyz'), (a) => a.status === 200, 30_000);
    expect(up).toMatchObject({ status: 200, body: 'ready\n' });
  });

  it('answers /readyz 503 when the gateway\'s heartbeat is stale, and 200 after its next heartbeat', async () => {
    // What a gateway stopped elsewhere, or one whose heartbeats fail, looks like in kpg.brokers.
    await gateway.storage.cluster.unregisterGateway(gateway.nodeId);
    const stale = await httpRequest(metricsPort, '/readyz');
    expect(stale.status).toBe(503);
    expect(stale.body).toMatch(new RegExp(`^gateway ${gateway.nodeId}'s last heartbeat is \\d+ ms old \\(timeout 9000 ms\\)$`, 'm'));
    await gateway.storage.cluster.heartbeat(gateway.nodeId);
    expect(await httpRequest(metricsPort, '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
  });

  it('answers /readyz 503 when the database holds another kpg version\'s SQL functions', async () => {
    const { rows } = await gateway.storage.pool.query<{ digest: string }>('SELECT digest FROM kpg.sql_source');
    await gateway.storage.pool.query(`UPDATE kpg.sql_source SET digest = 'from-another-version'`);
    try {
      const answer = await httpRequest(metricsPort, '/readyz');
      expect(answer.status).toBe(503);
      expect(answer.body).toBe("the SQL functions and views in the database are not this kpg's (run kpg migrate)\n");
    } finally {
      await gateway.storage.pool.query('UPDATE kpg.sql_source SET digest = $1', [rows[0]!.digest]);
    }
    expect((await httpRequest(metricsPort, '/readyz')).status).toBe(200);
  });

  it('closes the HTTP port when the gateway stops', async () => {
    const other = await startGateway({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: database.url,
      dataDir: '',
      metricsPort: 0,
      logger: pino({ level: 'silent' }),
    });
    const port = other.metricsAddress!.port;
    expect((await httpRequest(port, '/healthz')).status).toBe(200);
    await other.stop();
    await expect(httpRequest(port, '/healthz')).rejects.toThrow(/ECONNREFUSED/);
  });
});

describe('/readyz across a real Postgres stop and start', () => {
  // The proxy above cuts the network; here the Postgres process itself stops and starts again on the same
  // data directory and port, as in a managed database's restart or failover.
  let dataDir: string;
  let postgres: EmbeddedPostgres | null = null;
  let restarted: Gateway | null = null;

  beforeAll(async () => {
    dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'kpg-readyz-'));
    postgres = await startEmbeddedPostgres({ dataDir, logger: pino({ level: 'silent' }), port: 0 });
    restarted = await startGateway({
      host: '127.0.0.1',
      port: 0,
      databaseUrl: postgres.connectionString,
      dataDir: '',
      metricsPort: 0,
      logger: pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'silent' }),
    });
  }, 120_000);

  afterAll(async () => {
    await restarted?.stop();
    await postgres?.stop();
    await fs.rm(dataDir, { recursive: true, force: true });
  });

  it('turns 503 while Postgres is stopped and 200 once it runs again; the gateway then serves producers', async () => {
    const port = restarted!.metricsAddress!.port;
    expect(await httpRequest(port, '/readyz')).toMatchObject({ status: 200, body: 'ready\n' });
    const postgresPort = postgres!.port;
    await postgres!.stop();
    postgres = null;
    const down = await eventually(() => httpRequest(port, '/readyz'), (a) => a.status === 503 && a.body.includes('LISTEN'), 20_000);
    expect(down.body).toMatch(/^Postgres is unreachable: /m);
    expect(await httpRequest(port, '/healthz')).toMatchObject({ status: 200, body: 'ok\n' });

    postgres = await startEmbeddedPostgres({ dataDir, logger: pino({ level: 'silent' }), port: postgresPort });
    const up = await eventually(() => httpRequest(port, '/readyz'), (a) => a.status === 200, 60_000);
    expect(up).toMatchObject({ status: 200, body: 'ready\n' });

    // Ready means it: a producer's records are stored and read back after the restart.
    await createTopic(restarted!, 'after-restart', 1);
    const kafka = kafkaClient(`127.0.0.1:${restarted!.port}`);
    const producer = kafka.producer();
    await producer.connect();
    try {
      const [sent] = await producer.send({ topic: 'after-restart', messages: [{ value: 'back' }] });
      expect(sent!.errorCode).toBe(0);
      expect(sent!.baseOffset).toBe('0');
    } finally {
      await producer.disconnect();
    }
  }, 180_000);
});
