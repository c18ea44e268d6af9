// `kpg serve --listeners/--advertised-listeners/--listener-security-protocol-map`: served and advertised
// per listener, and a bad listener list refused at start with Kafka's message.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { RawClient } from '../support/raw-client.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function serve(args: string[], until: RegExp): Promise<{ code: Promise<number | null>; output: () => string; match: RegExpExecArray | null; kill: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve', ...args], { cwd: ROOT, env: { ...process.env } });
  let output = '';
  const code = new Promise<number | null>((resolve) => child.on('close', resolve));
  return new Promise((resolve) => {
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = until.exec(output);
      if (m) resolve({ code, output: () => output, match: m, kill: () => child.kill('SIGTERM') });
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void code.then(() => resolve({ code, output: () => output, match: null, kill: () => undefined }));
  });
}

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

describe('kpg serve listener flags', () => {
  it('serves custom listeners and advertises each with its own address', async () => {
    const served = await serve(
      [
        '--database-url', db.url,
        '--listeners', 'INTERNAL://127.0.0.1:0,EXTERNAL://127.0.0.1:0',
        '--listener-security-protocol-map', 'INTERNAL:PLAINTEXT,EXTERNAL:PLAINTEXT',
        '--advertised-listeners', 'EXTERNAL://localhost:0',
      ],
      /serving Kafka on 127\.0\.0\.1:(\d+) \(INTERNAL\), 127\.0\.0\.1:(\d+) \(EXTERNAL\)/,
    );
    expect(served.match, served.output()).not.toBeNull();
    const [internal, external] = [Number(served.match![1]), Number(served.match![2])];
    try {
      const viaExternal = await RawClient.connect(`127.0.0.1:${external}`);
      const { body } = await viaExternal.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      expect(body.brokers.map((b: { host: string; port: number }) => `${b.host}:${b.port}`)).toEqual([`localhost:${external}`]);
      viaExternal.close();
      const viaInternal = await RawClient.connect(`127.0.0.1:${internal}`);
      const internalMetadata = await viaInternal.request(3, 12, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
      expect(internalMetadata.body.brokers.map((b: { host: string; port: number }) => `${b.host}:${b.port}`)).toEqual([`127.0.0.1:${internal}`]);
      viaInternal.close();
    } finally {
      served.kill();
      expect(await served.code).toBe(0);
    }
  }, 60_000);

  it('refuses duplicate ports and unmapped listener names at start', async () => {
    const duplicate = await serve(['--database-url', db.url, '--listeners', 'PLAINTEXT://127.0.0.1:19092,SSL://127.0.0.1:19092'], /$^/);
    expect(await duplicate.code).toBe(1);
    expect(duplicate.output()).toContain('Each listener must have a different port');
    const unmapped = await serve(['--database-url', db.url, '--listeners', 'EXTERNAL://127.0.0.1:0'], /$^/);
    expect(await unmapped.code).toBe(1);
    expect(unmapped.output()).toContain('No security protocol defined for listener EXTERNAL');
  }, 60_000);
});
