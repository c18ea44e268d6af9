/**
 * Users through Kafka's own tools: the Java AdminClient (alterUserScramCredentials /
 * describeUserScramCredentials) and kafka-configs (ConfigCommand) --alter --add-config 'SCRAM-SHA-512=[...]'.
 * The stored keys are checked against the password, so a SCRAM login with it would succeed.
 *
 * kafka-configs --describe --entity-type users also sends DescribeClientQuotas (key 48): that test runs
 * once a handler for it is registered, and describing is covered through the AdminClient regardless.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientKey, hash, saltedPassword, serverKeyOf, type ScramMechanism } from '../../src/security/scram-keys.js';
import { handlerRegistry } from '../../src/apis/registry.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { JAVA_LIBS, KAFKA_LIB, javaClientsMissing, kafkaToolsMissing, realClientAvailable } from '../support/real-clients.js';

const run = promisify(execFile);
const HERE = path.dirname(fileURLToPath(import.meta.url));

const javaUsable = realClientAvailable('Java kafka-clients 4.x', await javaClientsMissing('4'), import.meta.url);
const toolsUsable = realClientAvailable('Kafka 4.1.2 command-line tools', await kafkaToolsMissing(), import.meta.url);

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

async function stored(user: string): Promise<{ mechanism: ScramMechanism; iterations: number; matches: (password: string) => boolean }[]> {
  const { rows } = await db.query<{ mechanism: ScramMechanism; iterations: number; salt: Buffer; stored_key: Buffer; server_key: Buffer }>(
    'SELECT mechanism, iterations, salt, stored_key, server_key FROM kpg.scram_credentials WHERE user_name = $1 ORDER BY mechanism',
    [user],
  );
  return rows.map((r) => ({
    mechanism: r.mechanism,
    iterations: r.iterations,
    matches: (password: string) => {
      const salted = saltedPassword(r.mechanism, password, r.salt, r.iterations);
      return hash(r.mechanism, clientKey(r.mechanism, salted)).equals(r.stored_key) && serverKeyOf(r.mechanism, salted).equals(r.server_key);
    },
  }));
}

describe.skipIf(!javaUsable)('Java AdminClient', () => {
  let classes: string;
  beforeAll(async () => {
    classes = mkdtempSync(path.join(os.tmpdir(), 'kpg-users-java-'));
    await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS['4']}/*`, '-d', classes, path.join(HERE, 'java', 'ScramAdmin.java')], { timeout: 120_000 });
  }, 150_000);
  afterAll(() => {
    if (classes) rmSync(classes, { recursive: true, force: true });
  });

  it('alters and describes SCRAM credentials with the errors Kafka gives', async () => {
    const { stdout } = await run('java', ['-cp', `${classes}:${JAVA_LIBS['4']}/*`, 'ScramAdmin', kpg.bootstrap], { timeout: 120_000 });
    const steps = new Map(stdout.trim().split('\n').filter((l) => l.startsWith('{')).map((l) => {
      const parsed = JSON.parse(l) as { step: string };
      return [parsed.step, parsed] as const;
    }));
    expect(steps.get('upsert')).toEqual({ step: 'upsert', jalice: 'ok', jbob: 'ok' });
    expect(steps.get('describe-all')).toEqual({
      step: 'describe-all',
      users: [
        { user: 'jalice', credentials: [['SCRAM-SHA-256', 8192]] },
        { user: 'jbob', credentials: [['SCRAM-SHA-512', 4096]] },
      ],
    });
    expect(steps.get('describe-ghost')).toEqual({ step: 'describe-ghost', outcome: 'ResourceNotFoundException' });
    expect(steps.get('bad')).toEqual({ step: 'bad', ghost: 'ResourceNotFoundException', jfew: 'UnacceptableCredentialException', jmany: 'UnacceptableCredentialException' });
    expect(steps.get('delete')).toEqual({ step: 'delete', jbob: 'ok' });
    // The salted password Java computed became keys that verify jalice's password.
    const [alice] = await stored('jalice');
    expect(alice).toMatchObject({ mechanism: 'SCRAM-SHA-256', iterations: 8192 });
    expect(alice!.matches('jalice-pw')).toBe(true);
    expect(alice!.matches('jalice-PW')).toBe(false);
    expect(await stored('jbob')).toEqual([]);
  }, 150_000);
});

describe.skipIf(!toolsUsable)('kafka-configs (ConfigCommand)', () => {
  const configs = (args: string[]) =>
    run('java', ['-cp', `${KAFKA_LIB}/*`, 'kafka.admin.ConfigCommand', '--bootstrap-server', kpg.bootstrap, ...args], { timeout: 120_000 });

  it("--alter --add-config 'SCRAM-SHA-512=[iterations=8192,password=...]' --entity-type users", async () => {
    for (const config of ['SCRAM-SHA-512=[iterations=8192,password=carol-pw]', 'SCRAM-SHA-256=[password=carol-pw]']) {
      const { stdout } = await configs(['--alter', '--add-config', config, '--entity-type', 'users', '--entity-name', 'carol']);
      expect(stdout).toContain('Completed updating config for user carol.');
    }
    const rows = await stored('carol');
    expect(rows.map((r) => [r.mechanism, r.iterations])).toEqual([['SCRAM-SHA-256', 4096], ['SCRAM-SHA-512', 8192]]);
    expect(rows.every((r) => r.matches('carol-pw'))).toBe(true);
  }, 150_000);

  it('refuses two mechanisms of one user in one command, as Kafka does (one change per user per request)', async () => {
    const refused = await configs(['--alter', '--add-config', 'SCRAM-SHA-512=[password=erin-pw],SCRAM-SHA-256=[password=erin-pw]', '--entity-type', 'users', '--entity-name', 'erin']).then(
      (r) => r.stdout + r.stderr,
      (err: { stdout: string; stderr: string }) => err.stdout + err.stderr,
    );
    expect(refused).toContain('DuplicateResourceException: A user credential cannot be altered twice in the same request');
    expect(await stored('erin')).toEqual([]);
  }, 150_000);

  it('--alter --delete-config SCRAM-SHA-256, and a refused iteration count', async () => {
    await configs(['--alter', '--delete-config', 'SCRAM-SHA-256', '--entity-type', 'users', '--entity-name', 'carol']);
    expect((await stored('carol')).map((r) => r.mechanism)).toEqual(['SCRAM-SHA-512']);
    const refused = await configs(['--alter', '--add-config', 'SCRAM-SHA-256=[iterations=100,password=x]', '--entity-type', 'users', '--entity-name', 'dave']).then(
      (r) => r.stdout + r.stderr,
      (err: { stdout: string; stderr: string }) => err.stdout + err.stderr,
    );
    // ConfigCommand checks the bound itself before sending (the AdminClient test above covers kpg's answer).
    expect(refused).toContain('Iterations 100 is less than the minimum');
    expect(await stored('dave')).toEqual([]);
  }, 150_000);

  it.skipIf(!handlerRegistry().has(48))('--describe --entity-type users [--entity-name]', async () => {
    const named = await configs(['--describe', '--entity-type', 'users', '--entity-name', 'carol']);
    expect(named.stdout).toContain("SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=8192");
    const all = await configs(['--describe', '--entity-type', 'users']);
    expect(all.stdout).toContain("SCRAM credential configs for user-principal 'carol' are SCRAM-SHA-512=iterations=8192");
  }, 150_000);
});
