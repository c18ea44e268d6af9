/**
 * What the benchmark runs against: a Postgres (embedded, or the one of --database-url), kpg as a separate
 * `kpg serve` process (so its CPU and memory are its own), and optionally the reference Apache Kafka.
 */
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { pino } from 'pino';
import { startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/postgres.js';
import { kpgCache, PACKAGE_ROOT } from './loadgen.js';
import { parentPid, processName } from './proc.js';

const execFileAsync = promisify(execFile);

export interface BenchPostgres {
  url: string;
  embedded: boolean;
  /** The postmaster, when Postgres runs on this machine (its tree is Postgres's CPU). */
  postmasterPid: number | null;
  /** Whether pg_stat_statements can be read (preloaded in the embedded Postgres; maybe not elsewhere). */
  statStatements: boolean;
  version: string | null;
  settings: Record<string, string>;
  stop(): Promise<void>;
}

/**
 * Postgres for the run. The embedded one is restarted once with pg_stat_statements preloaded, so the
 * report can say which statements ran; kpg itself never needs it.
 */
export async function startBenchPostgres(options: { databaseUrl?: string; workDir: string }): Promise<BenchPostgres> {
  let embedded: EmbeddedPostgres | undefined;
  let url = options.databaseUrl;
  if (!url) {
    const dataDir = path.join(options.workDir, 'postgres');
    const logger = pino({ level: 'warn' }, pino.destination(2));
    embedded = await startEmbeddedPostgres({ dataDir, logger });
    await withClient(embedded.connectionString, (c) => c.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`));
    await embedded.stop();
    embedded = await startEmbeddedPostgres({ dataDir, logger });
    url = embedded.connectionString;
  }
  const info = await withClient(url, async (c) => {
    // Only where it is preloaded (not on most managed Postgres): otherwise pg_stat_database alone.
    const preload = (await c.query<{ libs: string }>(`SELECT current_setting('shared_preload_libraries') AS libs`)).rows[0]!.libs;
    let statStatements = false;
    if (/\bpg_stat_statements\b/.test(preload)) {
      try {
        await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
        await c.query('SELECT 1 FROM pg_stat_statements LIMIT 1');
        statStatements = true;
      } catch {
        // preloaded but not installable here (no privilege): pg_stat_database alone
      }
    }
    const { rows } = await c.query<{ name: string; setting: string }>(
      `SELECT name, setting FROM pg_settings
        WHERE name IN ('server_version', 'fsync', 'synchronous_commit', 'full_page_writes', 'shared_buffers',
                       'wal_level', 'max_wal_size', 'checkpoint_timeout', 'max_connections')`,
    );
    const settings = Object.fromEntries(rows.map((r) => [r.name, r.setting]));
    const backend = (await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
    // A backend we can see in /proc is a local Postgres: its parent is the postmaster.
    const postmaster = processName(backend) === 'postgres' ? (parentPid(backend) ?? null) : null;
    return { statStatements, settings, postmaster };
  });
  const { server_version: version = null, ...settings } = info.settings;
  return {
    url,
    embedded: Boolean(embedded),
    postmasterPid: embedded?.pid ?? info.postmaster,
    statStatements: info.statStatements,
    version,
    settings,
    stop: async () => {
      await embedded?.stop();
    },
  };
}

export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface GatewayProcess {
  pid: number;
  /** The first listener's address. */
  bootstrap: string;
  /** Every listener's address by name, from the startup line. */
  listeners: Record<string, string>;
  /** Its broker id in the cluster of gateways sharing the database, from the startup line. */
  nodeId: number | null;
  /** Where its /metrics is served (`http://host:port`), when started with a metrics port. */
  metricsUrl: string | null;
  /** Where its web console is served (`http://host:port`), when started with a console port. */
  consoleUrl: string | null;
  /** The last lines kpg printed, for error reports. */
  outputTail(): string;
  /** Settles when the process exits. */
  exited: Promise<number | null>;
  running(): boolean;
  stop(): Promise<void>;
}

/** The command that runs `kpg`: the compiled CLI by default; tests run the sources through tsx. */
export const DEFAULT_KPG_COMMAND: readonly string[] = [process.execPath, path.join(PACKAGE_ROOT, 'dist', 'cli.js')];

/** Creates a SASL user with `kpg user add` (SCRAM-SHA-512), as an operator would before the first login. */
export function addGatewayUser(options: { databaseUrl: string; command?: readonly string[]; name: string; password: string }): void {
  const [cmd, ...prefix] = options.command ?? DEFAULT_KPG_COMMAND;
  const r = spawnSync(cmd!, [...prefix, 'user', 'add', options.name, '--password-stdin', '--mechanism', 'SCRAM-SHA-512', '--database-url', options.databaseUrl], {
    cwd: PACKAGE_ROOT, input: `${options.password}\n`, encoding: 'utf8', env: { ...process.env, DATABASE_URL: '' },
  });
  if (r.status !== 0) throw new Error(`kpg user add failed: ${(r.stderr || r.stdout || String(r.error)).trim()}`);
}

export async function startGatewayProcess(options: {
  databaseUrl: string;
  command?: readonly string[];
  brokerConfigs?: Record<string, string>;
  /** Serve /metrics on this port (0: a free one, read back from the start-up log). */
  metricsPort?: number;
  /** Serve the web console on this port (0: a free one, read back from the start-up log). */
  consolePort?: number;
}): Promise<GatewayProcess> {
  const [cmd, ...prefix] = options.command ?? DEFAULT_KPG_COMMAND;
  if (!options.command && !existsSync(DEFAULT_KPG_COMMAND[1]!)) throw new Error('dist/cli.js is missing: run npm run build');
  const args = [
    ...prefix, 'serve', '--host', '127.0.0.1', '--port', '0', '--database-url', options.databaseUrl, '--log-level', 'info',
    ...Object.entries(options.brokerConfigs ?? {}).flatMap(([k, v]) => ['--broker-config', `${k}=${v}`]),
    ...(options.metricsPort === undefined ? [] : ['--metrics-port', String(options.metricsPort), '--metrics-host', '127.0.0.1']),
    ...(options.consolePort === undefined ? [] : ['--console-port', String(options.consolePort), '--console-host', '127.0.0.1']),
  ];
  const child: ChildProcess = spawn(cmd!, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, DATABASE_URL: '' } });
  const tail: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const listeners: Record<string, string> = {};
  let nodeId: number | null = null;
  let metricsUrl: string | null = null;
  let consoleUrl: string | null = null;
  const wantsMetrics = options.metricsPort !== undefined;
  const wantsConsole = options.consolePort !== undefined;
  const bootstrap = await new Promise<string>((resolve, reject) => {
    let kafka: string | null = null;
    const timer = setTimeout(() => reject(new Error(
      kafka === null ? `kpg did not start within 60 s:\n${tail.join('\n')}` : `kpg serves Kafka but logged no ${metricsUrl === null && wantsMetrics ? 'metrics' : 'console'} URL within 60 s:\n${tail.join('\n')}`,
    )), 60_000);
    const onData = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        tail.push(line.length > 500 ? `${line.slice(0, 500)}...` : line);
        if (tail.length > 30) tail.shift();
        const m = /serving Kafka on ([\d.]+:\d+)/.exec(line);
        if (m) {
          kafka = m[1]!;
          for (const l of line.matchAll(/([\d.]+:\d+) \((\w+)\)/g)) listeners[l[2]!] = l[1]!;
          const id = /"nodeId":(\d+)/.exec(line);
          if (id) nodeId = Number(id[1]);
        }
        // The metrics server logs its URL at start, before or after the Kafka listeners (the bound port
        // is only known from it when started with port 0).
        const metrics = wantsMetrics && metricsUrl === null && /metrics/i.test(line) ? /http:\/\/([\d.]+:\d+)/.exec(line) : null;
        if (metrics) metricsUrl = `http://${metrics[1]!}`;
        // The console's start-up line carries its URL in the "console" field.
        const consoleLine = wantsConsole && consoleUrl === null ? /"console":"http:\/\/([\d.]+:\d+)\/?"/.exec(line) : null;
        if (consoleLine) consoleUrl = `http://${consoleLine[1]!}`;
        if (kafka !== null && (!wantsMetrics || metricsUrl !== null) && (!wantsConsole || consoleUrl !== null)) {
          clearTimeout(timer);
          resolve(kafka);
        }
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kpg exited with ${code} before serving:\n${tail.join('\n')}`));
    });
  });
  return {
    pid: child.pid!,
    bootstrap,
    listeners,
    nodeId,
    metricsUrl,
    consoleUrl,
    outputTail: () => tail.join('\n'),
    exited,
    running: () => child.exitCode === null && child.signalCode === null,
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface ReferenceKafka {
  pid: number | null;
  bootstrap: string;
  /** The SASL_SSL listener, when started with one. */
  saslSslBootstrap: string | null;
  version: string;
  stop(): Promise<void>;
}

/** Whether compat/install.sh has cached the Kafka jars that compat/reference-kafka.sh runs. */
export function referenceKafkaInstalled(): boolean {
  return existsSync(path.join(kpgCache(), 'kafka', 'lib'));
}

/** A SASL_SSL listener (SCRAM-SHA-512, a PEM keystore) beside PLAINTEXT, for the TLS row. */
export interface ReferenceKafkaSaslSsl {
  port: number;
  /** Key and certificate chain, PEM (src/bench/certificate.ts). */
  keystore: string;
  user: { name: string; password: string };
  /** Where the extra server.properties and the SCRAM credentials are written. */
  dir: string;
}

/**
 * The environment of compat/reference-kafka.sh for a SASL_SSL listener: properties appended to
 * server.properties (later lines win) and the SCRAM user, passed to kafka-storage format.
 */
async function saslSslEnvironment(port: number, saslSsl: ReferenceKafkaSaslSsl): Promise<Record<string, string>> {
  const properties = path.join(saslSsl.dir, 'kafka-sasl-ssl.properties');
  const scram = path.join(saslSsl.dir, 'kafka-scram.txt');
  const h = '127.0.0.1';
  await fs.writeFile(properties, [
    `listeners=PLAINTEXT://${h}:${port},CONTROLLER://${h}:${port + 1},SASL_SSL://${h}:${saslSsl.port}`,
    `advertised.listeners=PLAINTEXT://${h}:${port},SASL_SSL://${h}:${saslSsl.port}`,
    'listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT,SASL_SSL:SASL_SSL',
    'ssl.keystore.type=PEM',
    `ssl.keystore.location=${saslSsl.keystore}`,
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required;',
    '',
  ].join('\n'));
  await fs.writeFile(scram, `SCRAM-SHA-512=[name=${saslSsl.user.name},password=${saslSsl.user.password}]\n`);
  return { KPG_KAFKA_EXTRA_PROPERTIES: properties, KPG_KAFKA_SCRAM: scram };
}

/**
 * Starts the compatibility suite's single-node Apache Kafka (KRaft) on 127.0.0.1:port (its controller on
 * port + 1), with a SASL_SSL listener too when `saslSsl` is given.
 */
export async function startReferenceKafka(port: number, saslSsl?: ReferenceKafkaSaslSsl): Promise<ReferenceKafka> {
  const script = path.join(PACKAGE_ROOT, 'compat', 'reference-kafka.sh');
  if (!referenceKafkaInstalled()) throw new Error(`no cached Kafka jars in ${kpgCache()}/kafka: run bench/install.sh --kafka`);
  const env = saslSsl ? { ...process.env, ...(await saslSslEnvironment(port, saslSsl)) } : process.env;
  try {
    await execFileAsync('bash', [script, 'start', String(port)], { timeout: 180_000, env });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`compat/reference-kafka.sh start failed: ${(e.stderr || e.message).trim()}`);
  }
  let pid: number | null = null;
  try {
    pid = Number(readFileSync(path.join(kpgCache(), 'run', `kafka-${port}.pid`), 'utf8').trim()) || null;
  } catch {
    // pid unknown: the broker's CPU is then reported as null
  }
  let version = 'unknown';
  try {
    version = readFileSync(path.join(kpgCache(), 'versions', 'kafka'), 'utf8').trim();
  } catch {
    // version unknown
  }
  return {
    pid,
    bootstrap: `127.0.0.1:${port}`,
    saslSslBootstrap: saslSsl ? `127.0.0.1:${saslSsl.port}` : null,
    version,
    stop: async () => {
      await execFileAsync('bash', [script, 'stop', String(port)], { timeout: 60_000 }).catch(() => undefined);
    },
  };
}

/** The first of `count` adjacent free loopback ports (the reference Kafka's controller takes port + 1). */
export async function freeAdjacentPorts(count: number): Promise<number> {
  const listen = (port: number): Promise<net.Server | null> =>
    new Promise((resolve) => {
      const server = net.createServer();
      server.once('error', () => resolve(null));
      server.listen(port, '127.0.0.1', () => resolve(server));
    });
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = await listen(0);
    if (!first) continue;
    const port = (first.address() as net.AddressInfo).port;
    const held = [first];
    while (held.length < count && port + held.length <= 65535) {
      const next = await listen(port + held.length);
      if (!next) break;
      held.push(next);
    }
    await Promise.all(held.map((server) => new Promise((r) => server.close(r))));
    if (held.length === count) return port;
  }
  throw new Error(`no ${count} adjacent free ports on 127.0.0.1`);
}

/** A free loopback port whose successor is free too (the reference Kafka's controller takes port + 1). */
export function freePortPair(): Promise<number> {
  return freeAdjacentPorts(2);
}

/** A fresh working directory for the run (the embedded Postgres lives here), open to the Postgres user. */
export async function makeWorkDir(): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'kpg-bench-'));
  // As root, Postgres runs as an unprivileged user that must be able to enter it.
  await fs.chmod(dir, 0o711);
  return dir;
}
