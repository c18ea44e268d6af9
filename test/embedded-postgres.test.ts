import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import pg from 'pg';
import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DataDirInUseError,
  isProcessAlive,
  startEmbeddedPostgres,
  type EmbeddedPostgres,
} from '../src/embedded/postgres.js';
import { createTestDatabase } from './support/database.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const modulePath = path.join(repoRoot, 'src', 'embedded', 'postgres.ts');
const logger = pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'silent' });
const isRoot = process.getuid?.() === 0;

const started: EmbeddedPostgres[] = [];
const tempDirs: string[] = [];
const children: Array<ReturnType<typeof spawn>> = [];
const orphans: number[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  // A postgres orphaned by a test that failed before the takeover stopped it.
  for (const pid of orphans.splice(0)) {
    if (!isProcessAlive(pid)) continue;
    process.kill(pid, 'SIGINT');
    for (let i = 0; i < 100 && isProcessAlive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  }
  await Promise.all(started.splice(0).map((db) => db.stop()));
  await Promise.all(tempDirs.splice(0).map((dir) => fs.rm(dir, { recursive: true, force: true })));
});

/** A data dir path (not yet created) inside a fresh temp dir the postgres user can enter. */
async function freshDataDir(): Promise<string> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'kpg-embedded-test-'));
  tempDirs.push(base);
  await fs.chmod(base, 0o711);
  return path.join(base, 'data');
}

async function start(dataDir: string, durable = false): Promise<EmbeddedPostgres> {
  const db = await startEmbeddedPostgres({ dataDir, logger, durable });
  started.push(db);
  return db;
}

async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

function listenOn(port: number): Promise<net.Server> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

async function freeTcpPort(): Promise<number> {
  const server = await listenOn(0);
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The pid of a process that has certainly exited. */
function deadPid(): number {
  const result = spawnSync(process.execPath, ['-e', '']);
  expect(result.pid).toBeGreaterThan(0);
  expect(isProcessAlive(result.pid)).toBe(false);
  return result.pid;
}

describe('embedded PostgreSQL', () => {
  it('keeps data across a stop and a restart on the same data dir', async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir, true);
    expect(first.connectionString).toMatch(/^postgres:\/\/postgres:[^@]+@127\.0\.0\.1:\d+\/kpg$/);
    await query(first.connectionString, 'CREATE TABLE kept (id int PRIMARY KEY, note text)');
    await query(first.connectionString, "INSERT INTO kept VALUES (1, 'survives restarts')");

    const password = await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8');
    expect((await fs.stat(path.join(dataDir, 'pg-password'))).mode & 0o777).toBe(0o600);
    expect(first.connectionString).toContain(encodeURIComponent(password.trim()));
    expect((await fs.readFile(path.join(dataDir, 'kpg.lock'), 'utf8')).split('\n')[0]).toBe(String(process.pid));
    if (isRoot) expect((await fs.stat(path.join(dataDir, 'pg'))).uid).not.toBe(0);

    await first.stop();
    expect(isProcessAlive(first.pid)).toBe(false);
    await expect(fs.access(path.join(dataDir, 'kpg.lock'))).rejects.toThrow();

    const second = await start(dataDir, true);
    expect(second.pid).not.toBe(first.pid);
    expect(await query(second.connectionString, 'SELECT id, note FROM kept')).toEqual([
      { id: 1, note: 'survives restarts' },
    ]);
    const [settings] = await query<{ encoding: string; collate: string; socket: string; listen: string }>(
      second.connectionString,
      `SELECT pg_encoding_to_char(encoding) AS encoding, datcollate AS collate,
              current_setting('unix_socket_directories') AS socket, current_setting('listen_addresses') AS listen
         FROM pg_database WHERE datname = current_database()`,
    );
    expect(settings).toEqual({ encoding: 'UTF8', collate: 'C', socket: await fs.realpath(path.join(dataDir, 'pg')), listen: '127.0.0.1' });
  });

  it('refuses a second start on a data dir in use, naming the owning pid', async () => {
    const dataDir = await freshDataDir();
    const db = await start(dataDir);

    const second = startEmbeddedPostgres({ dataDir, logger });
    await expect(second).rejects.toBeInstanceOf(DataDirInUseError);
    await expect(second).rejects.toThrow(`data dir ${dataDir} is in use by kpg process ${process.pid}`);

    // The refused start left the running one alone.
    expect(await query(db.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect((await fs.readFile(path.join(dataDir, 'kpg.lock'), 'utf8')).split('\n')[0]).toBe(String(process.pid));
  });

  it('takes over from a kpg killed with -9, stopping its orphaned postgres', async () => {
    const dataDir = await freshDataDir();
    const script = `
      import pino from 'pino';
      import pg from 'pg';
      import { startEmbeddedPostgres } from ${JSON.stringify(pathToFileURL(modulePath).href)};
      const db = await startEmbeddedPostgres({ dataDir: process.env.KPG_DATA_DIR, logger: pino({ level: 'silent' }), durable: false });
      const client = new pg.Client(db.connectionString);
      await client.connect();
      await client.query('CREATE TABLE orphan_marker (x int); INSERT INTO orphan_marker VALUES (42)');
      await client.end();
      process.stdout.write(JSON.stringify({ pid: db.pid }) + '\\n');
      setInterval(() => {}, 1 << 30);
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: repoRoot,
      env: { ...process.env, KPG_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const childExited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const firstLine = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout! }).once('line', resolve);
      void childExited.then(() => reject(new Error(`child exited before starting postgres:\n${stderr}`)));
    });
    const orphanPid = (JSON.parse(firstLine) as { pid: number }).pid;
    orphans.push(orphanPid);
    const childPid = child.pid!;

    // While that kpg lives, the data dir is its.
    await expect(startEmbeddedPostgres({ dataDir, logger })).rejects.toThrow(
      new DataDirInUseError(dataDir, childPid).message,
    );

    child.kill('SIGKILL');
    await childExited;
    // The scene: a lock naming a dead kpg, and its postgres still running (it was detached).
    expect((await fs.readFile(path.join(dataDir, 'kpg.lock'), 'utf8')).split('\n')[0]).toBe(String(childPid));
    expect(isProcessAlive(childPid)).toBe(false);
    expect(isProcessAlive(orphanPid)).toBe(true);

    const db = await start(dataDir);
    expect(db.pid).not.toBe(orphanPid);
    expect(isProcessAlive(orphanPid)).toBe(false);
    expect(await query(db.connectionString, 'SELECT x FROM orphan_marker')).toEqual([{ x: 42 }]);
    expect((await fs.readFile(path.join(dataDir, 'kpg.lock'), 'utf8')).split('\n')[0]).toBe(String(process.pid));
  });

  it('treats a kpg.lock naming a dead or reused pid as stale', async () => {
    const dataDir = await freshDataDir();
    await (await start(dataDir)).stop();
    started.length = 0;
    await fs.writeFile(path.join(dataDir, 'kpg.lock'), `${deadPid()}\n`);

    const db = await start(dataDir);
    expect(await query(db.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const lock = await fs.readFile(path.join(dataDir, 'kpg.lock'), 'utf8');
    expect(lock.split('\n')[0]).toBe(String(process.pid));
    await db.stop();
    started.length = 0;

    // Our own pid, left by an earlier process that had it (a container restart): stale as well.
    await fs.writeFile(path.join(dataDir, 'kpg.lock'), `${process.pid}\nsome-earlier-boot/1\n`);
    const again = await start(dataDir);
    expect(await query(again.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(await fs.readFile(path.join(dataDir, 'kpg.lock'), 'utf8')).toBe(lock);
  });

  it('stop() is idempotent and releases the data dir', async () => {
    const dataDir = await freshDataDir();
    const db = await start(dataDir);
    await Promise.all([db.stop(), db.stop()]);
    await db.stop();
    expect(isProcessAlive(db.pid)).toBe(false);
    await expect(db.exited).resolves.toMatchObject({ code: 0 });
    await expect(fs.access(path.join(dataDir, 'kpg.lock'))).rejects.toThrow();
    await expect(query(db.connectionString, 'SELECT 1')).rejects.toThrow();

    const again = await start(dataDir);
    expect(await query(again.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('keeps its TCP port and Unix socket across restarts; an explicit port is used, kept, and refused when taken', async () => {
    const dataDir = await freshDataDir();
    const first = await start(dataDir);
    const password = (await fs.readFile(path.join(dataDir, 'pg-password'), 'utf8')).trim();
    expect(first.displayUrl).toBe(`postgres://postgres@127.0.0.1:${first.port}/kpg`);
    expect(first.passwordFile).toBe(path.join(await fs.realpath(dataDir), 'pg-password'));
    expect(first.socketDir).toBe(path.join(await fs.realpath(dataDir), 'pg'));
    expect((await fs.readFile(path.join(dataDir, 'pg-port'), 'utf8')).trim()).toBe(String(first.port));
    // The socket works, as psql -h <data-dir>/pg would use it.
    const viaSocket = new pg.Client({ host: first.socketDir, port: first.port, user: 'postgres', password, database: 'kpg' });
    await viaSocket.connect();
    expect((await viaSocket.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    await viaSocket.end();
    await first.stop();

    const second = await start(dataDir);
    expect(second.port).toBe(first.port);
    await expect(fs.stat(path.join(dataDir, 'pg', `.s.PGSQL.${second.port}`))).resolves.toMatchObject({});
    await second.stop();

    // Someone else took the port meanwhile: another one, kept from now on.
    const blocker = await listenOn(first.port);
    try {
      const third = await start(dataDir);
      expect(third.port).not.toBe(first.port);
      expect((await fs.readFile(path.join(dataDir, 'pg-port'), 'utf8')).trim()).toBe(String(third.port));
      await third.stop();
    } finally {
      blocker.close();
    }

    // An explicit port is used and kept; taken, it fails the start with a clear reason.
    const chosen = await freeTcpPort();
    const explicit = await startEmbeddedPostgres({ dataDir, logger, durable: false, port: chosen });
    started.push(explicit);
    expect(explicit.port).toBe(chosen);
    await explicit.stop();
    const kept = await start(dataDir);
    expect(kept.port).toBe(chosen);
    await kept.stop();
    const taken = await listenOn(await freeTcpPort());
    try {
      const port = (taken.address() as net.AddressInfo).port;
      await expect(startEmbeddedPostgres({ dataDir, logger, port })).rejects.toThrow(
        `embedded PostgreSQL cannot listen on 127.0.0.1:${port}: the port is in use (choose another --postgres-port)`,
      );
      await expect(fs.access(path.join(dataDir, 'kpg.lock'))).rejects.toThrow();
    } finally {
      taken.close();
    }
  });

  it('two data dirs get two ports and two sockets', async () => {
    const [a, b] = await Promise.all([freshDataDir().then((d) => start(d)), freshDataDir().then((d) => start(d))]);
    expect(a.port).not.toBe(b.port);
    expect(a.socketDir).not.toBe(b.socketDir);
    expect(await query(a.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(await query(b.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it.skipIf(!isRoot)('as root, opens a closed parent directory for traversal only, and starts', async () => {
    const closed = await fs.mkdtemp(path.join(os.tmpdir(), 'kpg-embedded-test-'));
    tempDirs.push(closed);
    await fs.chmod(closed, 0o700);
    const db = await startEmbeddedPostgres({ dataDir: path.join(closed, 'data'), logger });
    try {
      expect(await query(db.connectionString, 'SELECT 1 AS one')).toEqual([{ one: 1 }]);
      // Search permission for others was added; read permission was not.
      expect((await fs.stat(closed)).mode & 0o777).toBe(0o701);
    } finally {
      await db.stop();
    }
  });
});

describe('test database support', () => {
  it('creates a fresh database on the shared server and drops it', async () => {
    const db = await createTestDatabase();
    expect(db.name).toMatch(/^kpg_test_[0-9a-f]{12}$/);
    expect(await query(db.url, 'SELECT current_database() AS name')).toEqual([{ name: db.name }]);
    const client = new pg.Client({ connectionString: db.url });
    client.on('error', () => undefined);
    await client.connect(); // still connected: drop() must force it out
    await db.drop();
    await db.drop();
    await client.end().catch(() => undefined);
    await expect(query(db.url, 'SELECT 1')).rejects.toThrow(/does not exist/);
  });
});
