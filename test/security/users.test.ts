/**
 * Users in Postgres: `kpg user` against a real Postgres, and DescribeUserScramCredentials /
 * AlterUserScramCredentials over TCP with Kafka's error codes for every bad input.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kafka, logLevel } from 'kafkajs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayServices } from '../../src/apis/handler.js';
import { AclOperation, ResourceType } from '../../src/protocol/acl.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { hash, clientKey, saltedPassword, serverKeyOf, type ScramMechanism } from '../../src/security/scram-keys.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = ['--import', 'tsx', path.join(ROOT, 'src/cli.ts')];

let kpg: TestGateway;
let db: pg.Pool;

beforeAll(async () => {
  kpg = await startTestGateway();
  db = new pg.Pool({ connectionString: kpg.database.url, max: 2 });
}, 60_000);

afterAll(async () => {
  await db?.end();
  await kpg?.stop();
});

function kpgUser(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...CLI, 'user', ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: kpg.database.url } });
    child.stdin.end(input);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

interface StoredRow {
  mechanism: ScramMechanism;
  iterations: number;
  salt: Buffer;
  stored_key: Buffer;
  server_key: Buffer;
}

async function storedRows(user: string): Promise<StoredRow[]> {
  const { rows } = await db.query<StoredRow>(
    'SELECT mechanism, iterations, salt, stored_key, server_key FROM kpg.scram_credentials WHERE user_name = $1 ORDER BY mechanism',
    [user],
  );
  return rows;
}

/** Whether the stored keys are those of `password` (what a SCRAM login checks). */
function keysMatch(row: StoredRow, password: string): boolean {
  const salted = saltedPassword(row.mechanism, password, row.salt, row.iterations);
  return hash(row.mechanism, clientKey(row.mechanism, salted)).equals(row.stored_key) && serverKeyOf(row.mechanism, salted).equals(row.server_key);
}

describe('kpg user', () => {
  it('adds a user with both mechanisms by default, storing salted keys only', async () => {
    const usersChanged = new Promise<void>((resolve) => kpg.gateway.storage.notifications.on('usersChanged', () => resolve()));
    const added = await kpgUser(['add', 'alice', '--password', 'alice-secret']);
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).not.toContain('alice-secret');
    await usersChanged; // every gateway hears of it
    const rows = await storedRows('alice');
    expect(rows.map((r) => [r.mechanism, r.iterations])).toEqual([['SCRAM-SHA-256', 4096], ['SCRAM-SHA-512', 4096]]);
    for (const row of rows) {
      expect(keysMatch(row, 'alice-secret')).toBe(true);
      expect(keysMatch(row, 'wrong')).toBe(false);
      expect(row.stored_key.toString('latin1')).not.toContain('alice-secret');
    }
    // Two mechanisms, two salts.
    expect(rows[0]!.salt.equals(rows[1]!.salt)).toBe(false);
  });

  it('refuses to add a user that exists, and lists users', async () => {
    const again = await kpgUser(['add', 'alice', '--password', 'x']);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const listed = await kpgUser(['list']);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(/alice\s+SCRAM-SHA-256\s+4096/);
    expect(listed.stdout).toMatch(/alice\s+SCRAM-SHA-512\s+4096/);
    const json = JSON.parse((await kpgUser(['list', '--json'])).stdout) as { user: string; credentials: unknown[] }[];
    expect(json.find((u) => u.user === 'alice')?.credentials).toHaveLength(2);
  });

  it('reads the password from stdin, with one mechanism and chosen iterations', async () => {
    const added = await kpgUser(['add', 'bob', '--password-stdin', '--mechanism', 'SCRAM-SHA-256', '--iterations', '8192'], 'bob pw with spaces\n');
    expect(added.code).toBe(0);
    const rows = await storedRows('bob');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.iterations).toBe(8192);
    expect(keysMatch(rows[0]!, 'bob pw with spaces')).toBe(true);
  });

  it('changes a password for the mechanisms the user has', async () => {
    const changed = await kpgUser(['passwd', 'bob', '--password', 'new-bob']);
    expect(changed.code).toBe(0);
    const rows = await storedRows('bob');
    expect(rows.map((r) => r.mechanism)).toEqual(['SCRAM-SHA-256']);
    expect(keysMatch(rows[0]!, 'new-bob')).toBe(true);
    const missing = await kpgUser(['passwd', 'nobody', '--password', 'x']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no user nobody');
  });

  it('removes one mechanism or all of them', async () => {
    await kpgUser(['add', 'carol', '--password', 'c']);
    expect((await kpgUser(['remove', 'carol', '--mechanism', 'SCRAM-SHA-256'])).code).toBe(0);
    expect((await storedRows('carol')).map((r) => r.mechanism)).toEqual(['SCRAM-SHA-512']);
    expect((await kpgUser(['remove', 'carol'])).code).toBe(0);
    expect(await storedRows('carol')).toEqual([]);
    const gone = await kpgUser(['remove', 'carol']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('has no');
  });

  it('refuses bad input with a one-line message and exit status 1', async () => {
    for (const [args, message] of [
      [['add', 'dave', '--password', 'x', '--iterations', '100'], 'iteration count'],
      [['add', 'dave', '--password', 'x', '--iterations', '20000'], 'iteration count'],
      [['add', 'dave', '--password', 'x', '--mechanism', 'MD5'], 'is not SCRAM-SHA-256'],
      [['add', 'dave'], '--password'],
      [['add', 'dave', '--password', ''], 'must not be empty'],
      [['add', '', '--password', 'x'], 'must not be empty'],
      [['add', 'dave', '--password', 'x', '--password-stdin'], 'not both'],
    ] as const) {
      const r = await kpgUser([...args]);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toContain(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
    }
    expect(await storedRows('dave')).toEqual([]);
  });

  it('says to migrate when the database has no kpg tables', async () => {
    const url = new URL(kpg.database.url);
    url.pathname = '/postgres';
    const child = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const c = spawn(process.execPath, [...CLI, 'user', 'list', '--database-url', url.toString()], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
      let stderr = '';
      c.stderr.on('data', (d) => (stderr += d));
      c.on('close', (code) => resolve({ code, stderr }));
    });
    expect(child.code).toBe(1);
    expect(child.stderr).toContain('kpg migrate');
  });
});

describe('kpg user on the embedded Postgres of a data dir', () => {
  function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [...CLI, ...args], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
      child.stdin.end();
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  it('adds a user beside a running kpg, and lists it with no kpg running', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kpg-users-'));
    try {
      const served = spawn(process.execPath, [...CLI, 'serve', '--port', '0', '--data-dir', dataDir], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
      const closed = new Promise((resolve) => served.on('close', resolve));
      try {
        await new Promise<void>((resolve, reject) => {
          let output = '';
          const timer = setTimeout(() => reject(new Error(`kpg did not start:\n${output}`)), 60_000);
          const onData = (d: Buffer): void => {
            output += d.toString();
            if (/serving Kafka on/.test(output)) {
              clearTimeout(timer);
              resolve();
            }
          };
          served.stdout.on('data', onData);
          served.stderr.on('data', onData);
        });
        const added = await run(['user', 'add', 'admin', '--password', 'first-admin', '--data-dir', dataDir]);
        expect(added.stderr).toBe('');
        expect(added.code).toBe(0);
      } finally {
        served.kill('SIGTERM');
        await closed;
      }
      const listed = await run(['user', 'list', '--data-dir', dataDir]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/admin\s+SCRAM-SHA-512\s+4096/);
      expect(listed.stderr).toContain('kpg user: no kpg is running on');
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);
  it('creates the first administrator on a fresh data dir, whom kpg then accepts over SASL', async () => {
    const dataDir = path.join(mkdtempSync(path.join(os.tmpdir(), 'kpg-users-')), 'data');
    try {
      const added = await run(['user', 'add', 'admin', '--password', 'first-admin', '--mechanism', 'SCRAM-SHA-512', '--data-dir', dataDir]);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toContain('created user admin (SCRAM-SHA-512');
      const served = spawn(process.execPath, [
        ...CLI, 'serve', '--data-dir', dataDir, '--listeners', 'SASL_PLAINTEXT://127.0.0.1:0',
        '--broker-config', 'sasl.enabled.mechanisms=SCRAM-SHA-512',
      ], { cwd: ROOT, env: { ...process.env, DATABASE_URL: '' } });
      const closed = new Promise((resolve) => served.on('close', resolve));
      try {
        const bootstrap = await new Promise<string>((resolve, reject) => {
          let output = '';
          const timer = setTimeout(() => reject(new Error(`kpg did not start:\n${output}`)), 60_000);
          const onData = (d: Buffer): void => {
            output += d.toString();
            const m = /serving Kafka on (\S+) \(SASL_PLAINTEXT\)/.exec(output);
            if (m) {
              clearTimeout(timer);
              resolve(m[1]!);
            }
          };
          served.stdout.on('data', onData);
          served.stderr.on('data', onData);
        });
        const admin = new Kafka({ clientId: 'first-admin', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 },
          sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'first-admin' } }).admin();
        await admin.connect();
        try {
          expect((await admin.describeCluster()).brokers).toHaveLength(1);
        } finally {
          await admin.disconnect();
        }
        const stranger = new Kafka({ clientId: 'stranger', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 },
          sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 'wrong' } }).admin();
        await expect(stranger.connect()).rejects.toThrow(/SASL SCRAM SHA512 authentication failed|authentication failed/i);
      } finally {
        served.kill('SIGTERM');
        await closed;
      }
    } finally {
      rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
  }, 180_000);
});

describe('DescribeUserScramCredentials and AlterUserScramCredentials over TCP', () => {
  let client: RawClient;
  beforeAll(async () => {
    client = await RawClient.connect(kpg.bootstrap);
  });
  afterAll(() => client?.close());

  const describeUsers = async (users: string[] | null) => (await client.request(50, 0, { users: users && users.map((name) => ({ name })) })).body;
  const alter = async (deletions: { name: string; mechanism: number }[], upsertions: Record<string, unknown>[]) =>
    (await client.request(51, 0, { deletions, upsertions })).body;
  const upsertion = (name: string, mechanism: number, password: string, iterations = 4096, salt = Buffer.from(`salt-of-${name}`)) => ({
    name, mechanism, iterations, salt,
    saltedPassword: saltedPassword(mechanism === 1 ? 'SCRAM-SHA-256' : 'SCRAM-SHA-512', password, salt, iterations),
  });

  it('upserts from a salted password and stores the keys a SCRAM login checks', async () => {
    const body = await alter([], [upsertion('erin', 2, 'erin-pw', 8192), upsertion('frank', 1, 'frank-pw')]);
    expect(body.results).toEqual([
      { user: 'erin', errorCode: 0, errorMessage: null },
      { user: 'frank', errorCode: 0, errorMessage: null },
    ]);
    const [erin] = await storedRows('erin');
    expect(erin!.iterations).toBe(8192);
    expect(erin!.salt.toString()).toBe('salt-of-erin');
    expect(keysMatch(erin!, 'erin-pw')).toBe(true);
  });

  it('describes named users, unknown ones with RESOURCE_NOT_FOUND and duplicates with DUPLICATE_RESOURCE', async () => {
    const body = await describeUsers(['erin', 'ghost', 'frank', 'frank']);
    // As Kafka 4.1 answers it (checked against the reference broker), "" where there is no error.
    expect(body).toMatchObject({ errorCode: 0, errorMessage: '' });
    expect(body.results).toEqual([
      { user: 'erin', errorCode: 0, errorMessage: '', credentialInfos: [{ mechanism: 2, iterations: 8192 }] },
      { user: 'ghost', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to describe a user credential that does not exist: ghost', credentialInfos: [] },
      { user: 'frank', errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'Cannot describe SCRAM credentials for the same user twice in a single request: frank', credentialInfos: [] },
    ]);
  });

  it('describes every user when the list is null or empty, mechanisms in code order', async () => {
    for (const users of [null, []]) {
      const body = await describeUsers(users);
      const alice = body.results.find((r: { user: string }) => r.user === 'alice');
      expect(body).toMatchObject({ errorCode: 0, errorMessage: '' });
      expect(alice).toEqual({ user: 'alice', errorCode: 0, errorMessage: '', credentialInfos: [{ mechanism: 1, iterations: 4096 }, { mechanism: 2, iterations: 4096 }] });
      expect(body.results.map((r: { user: string }) => r.user)).toEqual(expect.arrayContaining(['alice', 'bob', 'erin', 'frank']));
    }
  });

  it("refuses each bad credential with Kafka's code and message, applying the good ones", async () => {
    const body = await alter(
      [{ name: 'frank', mechanism: 2 }, { name: 'erin', mechanism: 2 }, { name: '', mechanism: 1 }, { name: 'gina', mechanism: 0 }],
      [
        upsertion('few', 1, 'x', 4095),
        upsertion('many', 2, 'x', 16385),
        upsertion('unknown-mech', 3, 'x'),
        upsertion('', 1, 'x'),
        upsertion('twice', 1, 'x'),
        upsertion('twice', 2, 'x'),
        upsertion('erin', 1, 'x'), // erin is also deleted above: one user, one change per request
        upsertion('hank', 2, 'hank-pw'),
      ],
    );
    const byUser = new Map(body.results.map((r: { user: string; errorCode: number; errorMessage: string | null }) => [r.user, r]));
    expect(byUser.get('frank')).toEqual({ user: 'frank', errorCode: ErrorCode.RESOURCE_NOT_FOUND, errorMessage: 'Attempt to delete a user credential that does not exist' });
    expect(byUser.get('')).toEqual({ user: '', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Username must not be empty' });
    expect(byUser.get('gina')).toEqual({ user: 'gina', errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' });
    expect(byUser.get('few')).toEqual({ user: 'few', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too few iterations' });
    expect(byUser.get('many')).toEqual({ user: 'many', errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, errorMessage: 'Too many iterations' });
    expect(byUser.get('unknown-mech')).toEqual({ user: 'unknown-mech', errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, errorMessage: 'Unknown SCRAM mechanism' });
    const duplicate = { errorCode: ErrorCode.DUPLICATE_RESOURCE, errorMessage: 'A user credential cannot be altered twice in the same request' };
    expect(byUser.get('twice')).toEqual({ user: 'twice', ...duplicate });
    expect(byUser.get('erin')).toEqual({ user: 'erin', ...duplicate });
    expect(byUser.get('hank')).toEqual({ user: 'hank', errorCode: 0, errorMessage: null });
    expect(body.results).toHaveLength(9);
    // Only hank changed; erin (refused deletion) keeps her credential.
    expect(await storedRows('twice')).toEqual([]);
    expect((await storedRows('erin')).map((r) => r.mechanism)).toEqual(['SCRAM-SHA-512']);
    expect(keysMatch((await storedRows('hank'))[0]!, 'hank-pw')).toBe(true);
  });

  it('deletes an existing credential', async () => {
    const body = await alter([{ name: 'hank', mechanism: 2 }], []);
    expect(body.results).toEqual([{ user: 'hank', errorCode: 0, errorMessage: null }]);
    expect(await storedRows('hank')).toEqual([]);
    const described = await describeUsers(['hank']);
    expect(described.results[0].errorCode).toBe(ErrorCode.RESOURCE_NOT_FOUND);
  });
});

describe('without ALTER / DESCRIBE on the cluster', () => {
  it('answers CLUSTER_AUTHORIZATION_FAILED as Kafka getErrorResponse does, changing nothing', async () => {
    const services = kpg.gateway.services as { access: GatewayServices['access'] };
    const allowed = services.access;
    const asked: [string, number, number, string][] = [];
    services.access = {
      enabled: true,
      authorize: (who, operation, resourceType, name) => {
        asked.push([`${who.principal.type}:${who.principal.name}`, operation, resourceType, name]);
        return false;
      },
      authorizedOperations: () => 0,
      authorizeAny: () => false,
    };
    const client = await RawClient.connect(kpg.bootstrap);
    try {
      const described = (await client.request(50, 0, { users: [{ name: 'alice' }, { name: 'bob' }] })).body;
      expect(described).toMatchObject({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null });
      expect(described.results).toEqual([
        { user: '', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, credentialInfos: [] },
        { user: '', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null, credentialInfos: [] },
      ]);
      const altered = (await client.request(51, 0, {
        deletions: [{ name: 'zed', mechanism: 1 }, { name: 'alice', mechanism: 1 }],
        upsertions: [{ name: 'alice', mechanism: 2, iterations: 4096, salt: Buffer.from('s'), saltedPassword: Buffer.alloc(64) }],
      })).body;
      expect(altered.results).toEqual([
        { user: 'alice', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null },
        { user: 'zed', errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null },
      ]);
      expect(asked).toEqual([
        ['User:ANONYMOUS', AclOperation.DESCRIBE, ResourceType.CLUSTER, 'kafka-cluster'],
        ['User:ANONYMOUS', AclOperation.ALTER, ResourceType.CLUSTER, 'kafka-cluster'],
      ]);
      expect((await storedRows('alice')).map((r) => r.mechanism)).toEqual(['SCRAM-SHA-256', 'SCRAM-SHA-512']);
    } finally {
      client.close();
      services.access = allowed;
    }
  });
});
