/**
 * The PostgreSQL server the test suite runs against, chosen in this order:
 *
 * 1. `KPG_TEST_DATABASE_URL` or `DATABASE_URL`, if set ('env');
 * 2. a `postgres:17-alpine` container via testcontainers, if a Docker engine answers ('testcontainers');
 * 3. kpg's own embedded PostgreSQL in a fresh temp dir ('embedded').
 *
 * `KPG_TEST_POSTGRES=env|testcontainers|embedded` forces a choice. The server is shared by the whole
 * run (see global-setup.ts); each test file makes its own database on it (see database.ts).
 */
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { startEmbeddedPostgres } from '../../src/embedded/postgres.js';

export type TestPostgresKind = 'env' | 'testcontainers' | 'embedded';

export interface TestPostgres {
  url: string;
  kind: TestPostgresKind;
  stop(): Promise<void>;
}

const DOCKER_PROBE_TIMEOUT_MS = 5_000;
const POSTGRES_IMAGE = 'postgres:17-alpine';

function say(message: string): void {
  process.stderr.write(`[kpg test] ${message}\n`);
}

function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable URL)';
  }
}

/**
 * Cheap check before loading testcontainers at all: is there any sign of a container engine? Without
 * one, testcontainers would try each of its strategies in turn, which is slow and noisy.
 */
function dockerMaybeAvailable(): boolean {
  if (process.env.DOCKER_HOST || process.env.TESTCONTAINERS_HOST_OVERRIDE) return true;
  const home = os.homedir();
  const uid = process.getuid?.();
  const candidates = [
    '/var/run/docker.sock',
    '/run/docker.sock',
    '/run/podman/podman.sock',
    path.join(home, '.testcontainers.properties'),
    path.join(home, '.docker', 'run', 'docker.sock'),
    path.join(home, '.docker', 'desktop', 'docker.sock'),
    path.join(home, '.colima', 'default', 'docker.sock'),
    path.join(home, '.rd', 'docker.sock'),
    ...(process.env.XDG_RUNTIME_DIR ? [path.join(process.env.XDG_RUNTIME_DIR, 'docker.sock')] : []),
    ...(uid !== undefined ? [`/run/user/${uid}/docker.sock`] : []),
  ];
  return candidates.some((candidate) => existsSync(candidate));
}

async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

async function startTestcontainers(): Promise<TestPostgres> {
  const { getContainerRuntimeClient } = await import('testcontainers');
  await withTimeout(getContainerRuntimeClient(), DOCKER_PROBE_TIMEOUT_MS, 'probing the container runtime');
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const container = await new PostgreSqlContainer(POSTGRES_IMAGE)
    .withCommand(['postgres', '-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'])
    .start();
  return {
    url: container.getConnectionUri(),
    kind: 'testcontainers',
    stop: async () => {
      await container.stop();
    },
  };
}

async function startEmbedded(): Promise<TestPostgres> {
  const base = await fs.mkdtemp(path.join(os.tmpdir(), 'kpg-test-'));
  // As root, Postgres runs as an unprivileged user that must be able to enter the data dir.
  await fs.chmod(base, 0o711);
  const logger = pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'warn' }, pino.destination(2));
  try {
    const db = await startEmbeddedPostgres({ dataDir: base, logger, durable: false });
    return {
      url: db.connectionString,
      kind: 'embedded',
      stop: async () => {
        try {
          await db.stop();
        } finally {
          await fs.rm(base, { recursive: true, force: true });
        }
      },
    };
  } catch (err) {
    await fs.rm(base, { recursive: true, force: true });
    throw err;
  }
}

export async function provideTestPostgres(): Promise<TestPostgres> {
  const forced = process.env.KPG_TEST_POSTGRES as TestPostgresKind | undefined;
  if (forced !== undefined && !['env', 'testcontainers', 'embedded'].includes(forced)) {
    throw new Error(`KPG_TEST_POSTGRES must be env, testcontainers or embedded, not ${JSON.stringify(forced)}`);
  }
  const envUrl = process.env.KPG_TEST_DATABASE_URL || process.env.DATABASE_URL;

  if (forced === 'env' || (forced === undefined && envUrl)) {
    if (!envUrl) throw new Error('KPG_TEST_POSTGRES=env but neither KPG_TEST_DATABASE_URL nor DATABASE_URL is set');
    say(`PostgreSQL: env (${redact(envUrl)})`);
    return { url: envUrl, kind: 'env', stop: async () => undefined };
  }

  if (forced === 'testcontainers' || (forced === undefined && dockerMaybeAvailable())) {
    const started = Date.now();
    try {
      const db = await startTestcontainers();
      say(`PostgreSQL: testcontainers ${POSTGRES_IMAGE} (${redact(db.url)}, ${Date.now() - started} ms)`);
      return db;
    } catch (err) {
      if (forced === 'testcontainers') throw err;
      const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
      say(`no usable container runtime (${reason}); falling back to embedded PostgreSQL`);
    }
  }

  const started = Date.now();
  const db = await startEmbedded();
  say(`PostgreSQL: embedded (${redact(db.url)}, ${Date.now() - started} ms)`);
  return db;
}
