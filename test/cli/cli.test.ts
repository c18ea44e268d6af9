import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { RawClient } from '../support/raw-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '', ...env } });
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
    for (const flag of ['--host', '--port', '--advertised-host', '--advertised-port', '--database-url', '--data-dir', '--log-level']) {
      expect(help.stdout).toContain(flag);
    }
    const migrateHelp = await run(['migrate', '--help']);
    expect(migrateHelp.code).toBe(0);
    expect(migrateHelp.stdout).toContain('--database-url');
  });

  it('rejects unknown flags and bad values with a one-line reason and a non-zero exit', async () => {
    for (const args of [['serve', '--bogus'], ['serve', '--port', 'abc'], ['serve', '--port', '70000'], ['serve', '--log-level', 'loud'], ['serve', '--database-url', 'mysql://x']]) {
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
