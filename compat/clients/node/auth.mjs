// The auth scenario's driver for the Node wrappers (kcat, the Kafka CLI tools): the same steps and
// detail as compat/clients/python/common.py run_auth. A client supplies produceConsume(sec, mode, values),
// produceDenied(sec, mode), wrongPassword(sec) and bobRefused(sec); a mode it cannot express throws NA.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Fail, NA } from './common.mjs';

export const AUTH_MODES = ['SCRAM-SHA-512', 'SCRAM-SHA-256', 'PLAIN', 'OAUTHBEARER', 'mTLS'];

export function readSecurity(a) {
  if (!a.security) throw new NA('no --security file (the runner passes one for the auth scenario)');
  return JSON.parse(readFileSync(a.security, 'utf8'));
}

export async function runAuth(a, client) {
  const sec = readSecurity(a);
  const passed = [], skipped = [], failures = [], extra = [];
  for (const mode of AUTH_MODES) {
    try {
      const values = [0, 1, 2].map((i) => `auth-${mode}-${i}-${randomBytes(4).toString('hex')}`);
      await client.produceConsume(sec, mode, values);
      await client.produceDenied(sec, mode);
      passed.push(mode);
      process.stderr.write(`auth mode ${mode}: pass\n`);
    } catch (e) {
      if (e instanceof NA) { skipped.push(`${mode} (${e.message})`); continue; }
      process.stderr.write(`auth mode ${mode}: ${e.stack ?? e}\n`);
      failures.push(`${mode}: ${e.message}`);
    }
  }
  for (const [name, fn] of [['wrong password (SCRAM-SHA-512)', client.wrongPassword], ['bob consuming', client.bobRefused]]) {
    try {
      const got = await fn.call(client, sec);
      extra.push(`${name} -> ${got}`);
      process.stderr.write(`auth ${name}: ${got}\n`);
    } catch (e) {
      process.stderr.write(`auth ${name}: ${e.stack ?? e}\n`);
      failures.push(`${name}: ${e.message}`);
    }
  }
  for (const [name, fn] of Object.entries(client.extraSteps ?? {})) {
    try {
      extra.push(`${name}: ${await fn.call(client, sec)}`);
    } catch (e) {
      process.stderr.write(`auth ${name}: ${e.stack ?? e}\n`);
      failures.push(`${name}: ${e.message}`);
    }
  }
  if (failures.length) throw new Fail(`${failures[0]} (modes passed: ${passed.join(', ') || 'none'})`);
  let detail = `modes ${passed.join(', ')} as alice: produce 3, consume in the group, denied topic -> TOPIC_AUTHORIZATION_FAILED; ${extra.join('; ')}`;
  if (skipped.length) detail += `; not expressible: ${skipped.join('; ')}`;
  return detail;
}
