import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { duplicateKeys } from '../support/log-lines.js';
import { RawClient } from '../support/raw-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}, input?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env } });
    child.stdin.end(input ?? '');
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface Served {
  child: ChildProcess;
  port: number;
  output: () => string;
  exit: Promise<number | null>;
}

/** Starts `kpg serve`, resolving once its startup line names the port. */
function serve(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Served> {
  const child = spawn(process.execPath, [...CLI, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: '', ...env },
  });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kpg did not start:\n${output}`)), 60_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /serving Kafka on 127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => output, exit });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exit.then((code) => {
      clearTimeout(timer);
      reject(new Error(`kpg exited with ${code} before serving:\n${output}`));
    });
  });
}

async function topicNames(port: number): Promise<string[]> {
  const c = await RawClient.connect(`127.0.0.1:${port}`);
  const { body } = await c.request(3, 1, { topics: null });
  c.close();
  return body.topics.map((t: { name: string }) => t.name);
}

async function autoCreate(port: number, name: string): Promise<void> {
  const c = await RawClient.connect(`127.0.0.1:${port}`);
  const { body } = await c.request(3, 4, { topics: [{ name }], allowAutoTopicCreation: true });
  c.close();
  expect(body.topics[0].errorCode).toBe(0);
}

describe('kpg command line', () => {
  it('prints its version and help for every command', async () => {
    const version = await run(['--version']);
    expect(version.code).toBe(0);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
    const help = await run(['serve', '--help']);
    expect(help.code).toBe(0);
    for (const flag of ['--host', '--port', '--advertised-host', '--advertised-port', '--database-url', '--data-dir', '--postgres-port', '--log-level', '--metrics-port', '--metrics-host']) {
      expect(help.stdout).toContain(flag);
    }
    const migrateHelp = await run(['migrate', '--help']);
    expect(migrateHelp.code).toBe(0);
    expect(migrateHelp.stdout).toContain('--database-url');
  });

  it('rejects unknown flags and bad values with a one-line reason and a non-zero exit', async () => {
    for (const args of [['serve', '--bogus'], ['serve', '--port', 'abc'], ['serve', '--port', '70000'], ['serve', '--log-level', 'loud'], ['serve', '--database-url', 'mysql://x'], ['serve', '--metrics-port', '99999']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).not.toBe(0);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
  });
});

describe('kpg serve and migrate against Postgres', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('kpg migrate applies the schema and exits 0, twice', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await run(['migrate', '--database-url', db.url]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
    }
  });

  it('treats a doubled Ctrl-C (terminal plus npm forwarding it) as one graceful stop', async () => {
    const served = await serve([], { DATABASE_URL: db.url });
    served.child.kill('SIGINT');
    served.child.kill('SIGINT');
    expect(await served.exit).toBe(0);
    expect(served.output()).toContain('"msg":"stopped"');
  });

  it('serves with DATABASE_URL and exits 0 on SIGTERM', async () => {
    const served = await serve([], { DATABASE_URL: db.url });
    await autoCreate(served.port, 'via-env');
    expect(await topicNames(served.port)).toContain('via-env');
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    expect(served.output()).toContain('"msg":"stopped"');
  });

  it('serves /metrics, /healthz and /readyz on --metrics-port, logs the URL, and closes it on SIGTERM', async () => {
    const served = await serve(['--metrics-port', '0'], { DATABASE_URL: db.url });
    const url = /"metrics":"(http:\/\/127\.0\.0\.1:\d+)\/metrics"/.exec(served.output())?.[1];
    expect(url, served.output()).toBeDefined();
    expect(await (await fetch(`${url}/healthz`)).text()).toBe('ok\n');
    const ready = await fetch(`${url}/readyz`);
    expect([ready.status, await ready.text()]).toEqual([200, 'ready\n']);
    const metrics = await fetch(`${url}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^kpg_process_cpu_user_seconds_total \d/m);
    served.child.kill('SIGTERM');
    expect(await served.exit).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});

describe('kpg serve with the embedded Postgres', () => {
  let tempDir: string;
  let dataDir: string;
  beforeAll(() => {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'kpg-cli-'));
    // Run as root, kpg hands the cluster to an unprivileged user, who must be able to enter the directory.
    chmodSync(tempDir, 0o711);
    dataDir = path.join(tempDir, 'data');
  });
  afterAll(() => {
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('keeps topics across a restart, refuses a second kpg on the same data dir, exits 0 on SIGINT', async () => {
    const first = await serve(['--data-dir', dataDir]);
    await autoCreate(first.port, 'survives-restart');

    const second = await run(['serve', '--port', '0', '--data-dir', dataDir]);
    expect(second.code).not.toBe(0);
    expect(second.stdout + second.stderr).toMatch(/in use by kpg process \d+/);

    first.child.kill('SIGINT');
    expect(await first.exit).toBe(0);

    const again = await serve(['--data-dir', dataDir]);
    expect(await topicNames(again.port)).toContain('survives-restart');
    again.child.kill('SIGTERM');
    expect(await again.exit).toBe(0);
  });
});

const psqlInstalled = spawnSync('psql', ['--version'], { stdio: 'ignore' }).status === 0;

describe('kpg sql on the embedded Postgres', () => {
  let tempDir: string;
  let dataDir: string;
  beforeAll(() => {
    tempDir = mkdtempSync(path.join(os.tmpdir(), 'kpg-sql-'));
    chmodSync(tempDir, 0o711);
    dataDir = path.join(tempDir, 'data');
  });
  afterAll(() => {
    rmSync(tempDir, { recursive: true, force: true });
  });

  it('serve prints the connection string without the password; kpg sql -c runs SQL on the running kpg\'s database', async () => {
    const served = await serve(['--data-dir', dataDir]);
    try {
      const ready = /embedded PostgreSQL ready: postgres:\/\/postgres@127\.0\.0\.1:(\d+)\/kpg \(socket in ([^)]+)\), password in (\S+)/.exec(served.output());
      expect(ready, served.output()).not.toBeNull();
      const password = readFileSync(path.join(dataDir, 'pg-password'), 'utf8').trim();
      expect(served.output()).not.toContain(password);
      expect(ready![2]).toMatch(/\/data\/pg$/);
      expect(ready![3]).toMatch(/\/data\/pg-password;?$/);
      // Each key once on every line, the embedded Postgres' lines included.
      const lines = served.output().split('\n').filter((l) => l.startsWith('{'));
      expect(lines.filter((l) => duplicateKeys(l).length > 0)).toEqual([]);
      await autoCreate(served.port, 'seen-from-sql');

      const one = await run(['sql', '--data-dir', dataDir, '-c', 'select 1']);
      expect(one.stderr).toBe('');
      expect(one.stdout).toBe('?column?\n1\n(1 row)\n');
      expect(one.code).toBe(0);

      const topics = await run(['sql', '--data-dir', dataDir, '-c', "select name, partition_count from kpg.topics where name = 'seen-from-sql'; select 'x' as a, null as b"]);
      expect(topics.stdout).toMatch(/^name\s+partition_count\nseen-from-sql\s+1\n\(1 row\)\na\s+b\nx\n\(1 row\)\n$/);
      expect(topics.code).toBe(0);

      const bad = await run(['sql', '--data-dir', dataDir, '-c', 'selec 1']);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toBe('ERROR:  syntax error at or near "selec"\n');

      const piped = await run(['sql', '--data-dir', dataDir, '--no-psql'], {}, 'select 6 * 7 as answer;\n');
      expect(piped.stdout).toBe('answer\n42\n(1 row)\n');
      expect(piped.code).toBe(0);
    } finally {
      served.child.kill('SIGTERM');
      expect(await served.exit).toBe(0);
    }

    // No kpg on the data dir: kpg sql starts its Postgres for the session, says so, and stops it.
    const offline = await run(['sql', '--data-dir', dataDir, '-c', "select count(*) from kpg.topics where name = 'seen-from-sql'"]);
    expect(offline.stderr).toContain(`no kpg is running on ${dataDir}; started its embedded Postgres for this session`);
    expect(offline.stdout).toBe('count\n1\n(1 row)\n');
    expect(offline.code).toBe(0);
    expect(existsSync(path.join(dataDir, 'kpg.lock'))).toBe(false);

    // A second start reuses the port (and so the socket's name).
    const port = Number(readFileSync(path.join(dataDir, 'pg-port'), 'utf8'));
    const again = await serve(['--data-dir', dataDir]);
    try {
      expect(again.output()).toContain(`embedded PostgreSQL ready: postgres://postgres@127.0.0.1:${port}/kpg`);
      expect(existsSync(path.join(dataDir, 'pg', `.s.PGSQL.${port}`))).toBe(true);
    } finally {
      again.child.kill('SIGTERM');
      expect(await again.exit).toBe(0);
    }

    // --postgres-port chooses the port, which is kept from then on.
    const chosen = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, '127.0.0.1', () => {
        const { port: free } = probe.address() as net.AddressInfo;
        probe.close(() => resolve(free));
      });
    });
    const migrated = await run(['migrate', '--data-dir', dataDir, '--postgres-port', String(chosen)]);
    expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
    expect(migrated.stdout).toContain(`embedded PostgreSQL ready: postgres://postgres@127.0.0.1:${chosen}/kpg`);
    expect(readFileSync(path.join(dataDir, 'pg-port'), 'utf8').trim()).toBe(String(chosen));
  });

  it.skipIf(!psqlInstalled)('without -c, opens psql on the database', async () => {
    const migrated = await run(['migrate', '--data-dir', dataDir]); // the cluster, also when run alone
    expect(migrated.code, migrated.stdout + migrated.stderr).toBe(0);
    const session = await run(['sql', '--data-dir', dataDir], {}, 'select current_database();\n');
    expect(session.stdout).toMatch(/current_database\s*\n-+\s*\n\s*kpg\s*\n\(1 row\)/);
    expect(session.code).toBe(0);
  });

  it('bad input: no such data dir, a dir without kpg data, a bad --database-url: a clear line and exit 1, nothing created', async () => {
    const missing = await run(['sql', '--data-dir', path.join(tempDir, 'nowhere'), '-c', 'select 1']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`kpg sql: no data dir ${path.join(tempDir, 'nowhere')} (${path.join(tempDir, 'nowhere')} does not exist); give the --data-dir kpg serve uses, or --database-url\n`);
    expect(existsSync(path.join(tempDir, 'nowhere'))).toBe(false);

    const empty = path.join(tempDir, 'empty');
    mkdirSync(empty);
    const notKpg = await run(['sql', '--data-dir', empty, '-c', 'select 1']);
    expect(notKpg.code).toBe(1);
    expect(notKpg.stderr).toMatch(/^kpg sql: \S+ holds no embedded Postgres \(\S+ is not a PostgreSQL cluster\); start kpg with --data-dir \S+ first, or give --database-url\n$/);
    expect(existsSync(path.join(empty, 'pg'))).toBe(false);

    const unreachable = await run(['sql', '--database-url', 'postgres://nobody@127.0.0.1:1/x', '-c', 'select 1']);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/^kpg sql: could not connect to Postgres: .*ECONNREFUSED.*\n$/);
  });
});
