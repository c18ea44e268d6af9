/**
 * `kpg serve --console-port`: the console's URL is logged at start, it answers, and SIGTERM closes it
 * (an open tail included) with exit code 0.
 */
import { spawn } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { kafkaClient } from '../support/kafkajs.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

it('serves the console on --console-port, logs its URL, and closes it (and open tails) on SIGTERM', async () => {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'serve', '--port', '0', '--console-port', '0'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url },
  });
  let output = '';
  const exit = new Promise<number | null>((resolve) => child.on('close', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no console URL logged:\n${output}`)), 60_000);
    const onData = (d: Buffer): void => {
      output += d.toString();
      const m = /"console":"(http:\/\/127\.0\.0\.1:\d+)\/"/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
  });
  const cluster = await fetch(`${url}/api/cluster`);
  expect(cluster.status).toBe(200);
  expect(((await cluster.json()) as { gateways: unknown[] }).gateways).toHaveLength(1);
  expect((await fetch(`${url}/api/topics/none/tail`)).status).toBe(404);
  const kafkaPort = /serving Kafka on 127\.0\.0\.1:(\d+)/.exec(output)![1];
  const admin = kafkaClient(`127.0.0.1:${kafkaPort}`).admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'tailed', numPartitions: 1 }] });
  await admin.disconnect();
  const tail = await new Promise<http.IncomingMessage>((resolve, reject) => http.get(`${url}/api/topics/tailed/tail`, resolve).on('error', reject));
  expect(tail.statusCode).toBe(200);
  const tailEnded = new Promise<void>((resolve) => {
    tail.on('end', resolve);
    tail.on('close', resolve);
    tail.resume();
  });
  child.kill('SIGTERM');
  await tailEnded;
  expect(await exit).toBe(0);
  await expect(fetch(`${url}/api/cluster`)).rejects.toThrow();
}, 90_000);
