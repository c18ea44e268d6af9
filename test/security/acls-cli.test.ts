/**
 * `kpg acl add|list|remove` against the Postgres of a running gateway: the bindings kafka-acls.sh's
 * options describe, the listing in kafka-acls.sh's form, and the gateway deciding with them at once.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AclOperation as Op, ResourceType } from '../../src/protocol/acl.js';
import { userPrincipal } from '../../src/security/principal.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway({ brokerConfigs: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' } });
});

afterAll(async () => {
  await kpg?.stop();
});

function acl(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'acl', ...args, '--database-url', kpg.database.url], {
      cwd: ROOT,
      env: { ...process.env, DATABASE_URL: '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function eventually(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

const alice = { principal: userPrincipal('alice'), address: '10.0.0.1' };
const bob = { principal: userPrincipal('bob'), address: '10.0.0.2' };

describe('kpg acl', () => {
  it('add: every resource x principal x host x operation; the running gateway decides with them at once', async () => {
    const access = kpg.gateway.services.access;
    expect(access.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    const added = await acl('add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'describe-configs', '--topic', 'orders', '--group', 'app');
    expect(added.stderr).toBe('');
    expect(added.code).toBe(0);
    expect(added.stdout).toContain('Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:');
    expect(added.stdout).toContain('(principal=User:alice, host=*, operation=DESCRIBE_CONFIGS, permissionType=ALLOW)');
    await eventually(() => access.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders'));
    expect(access.authorize(alice, Op.READ, ResourceType.GROUP, 'app')).toBe(true);

    const denied = await acl('add', '--deny-principal', 'User:bob', '--deny-host', '10.0.0.2', '--topic', 'logs-', '--resource-pattern-type', 'prefixed', '--allow-principal', 'User:bob', '--operation', 'Write');
    expect(denied.code).toBe(0);
    // At his address bob may not WRITE (DENY wins), but the ALLOW WRITE still implies DESCRIBE.
    await eventually(() => access.authorizedOperations(bob, ResourceType.TOPIC, 'logs-x') === 1 << Op.DESCRIBE);
    const listed = await acl('list', '--json');
    expect(JSON.parse(listed.stdout)).toEqual([
      { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'orders', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'DESCRIBE_CONFIGS', permissionType: 'ALLOW' },
      { resourceType: 'GROUP', resourceName: 'app', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'READ', permissionType: 'ALLOW' },
      { resourceType: 'GROUP', resourceName: 'app', patternType: 'LITERAL', principal: 'User:alice', host: '*', operation: 'DESCRIBE_CONFIGS', permissionType: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'logs-', patternType: 'PREFIXED', principal: 'User:bob', host: '*', operation: 'WRITE', permissionType: 'ALLOW' },
      { resourceType: 'TOPIC', resourceName: 'logs-', patternType: 'PREFIXED', principal: 'User:bob', host: '10.0.0.2', operation: 'WRITE', permissionType: 'DENY' },
    ]);
    // Bob's DENY is for his own address only.
    expect(access.authorize(bob, Op.WRITE, ResourceType.TOPIC, 'logs-1')).toBe(false);
    expect(access.authorize({ ...bob, address: '10.0.0.3' }, Op.WRITE, ResourceType.TOPIC, 'logs-1')).toBe(true);
  });

  it('list filters by resource, pattern type and principal', async () => {
    const matched = await acl('list', '--topic', 'logs-2024', '--resource-pattern-type', 'match', '--json');
    expect(JSON.parse(matched.stdout).map((b: any) => b.host)).toEqual(['*', '10.0.0.2']);
    const ofAlice = await acl('list', '--principal', 'User:alice', '--group', 'app', '--json');
    expect(JSON.parse(ofAlice.stdout).map((b: any) => b.operation)).toEqual(['READ', 'DESCRIBE_CONFIGS']);
    expect((await acl('list', '--topic', 'nothing', '--json')).stdout.trim()).toBe('[]');
  });

  it('remove: named entries, or every ACL of a resource pattern', async () => {
    const access = kpg.gateway.services.access;
    const one = await acl('remove', '--allow-principal', 'User:alice', '--operation', 'read', '--topic', 'orders');
    expect(one.code).toBe(0);
    expect(one.stdout).toMatch(/^Removed 1 ACL:/);
    await eventually(() => !access.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders'));
    expect(access.authorize(alice, Op.DESCRIBE_CONFIGS, ResourceType.TOPIC, 'orders')).toBe(true);
    const all = await acl('remove', '--topic', 'logs-', '--resource-pattern-type', 'prefixed', '--json');
    expect(JSON.parse(all.stdout)).toHaveLength(2);
    const left = JSON.parse((await acl('list', '--json')).stdout);
    expect(left.map((b: any) => `${b.resourceType}:${b.resourceName}:${b.operation}`)).toEqual(['TOPIC:orders:DESCRIBE_CONFIGS', 'GROUP:app:READ', 'GROUP:app:DESCRIBE_CONFIGS']);
  });

  it('usage mistakes: one line on stderr, exit status 1, nothing stored', async () => {
    const cases: [string[], RegExp][] = [
      [['add', '--allow-principal', 'alice', '--topic', 't'], /principal "alice" is not Type:name/],
      [['add', '--allow-principal', 'User:a', '--operation', 'Fly', '--topic', 't'], /unknown operation "Fly"/],
      [['add', '--allow-principal', 'User:a', '--operation', 'any', '--topic', 't'], /unknown operation "any"/],
      [['add', '--allow-principal', 'User:a'], /name a resource/],
      [['add', '--topic', 't'], /name a principal/],
      [['add', '--allow-principal', 'User:a', '--topic', 't', '--resource-pattern-type', 'match'], /unknown resource pattern type "match"/],
      [['remove', '--allow-principal', 'User:a'], /name a resource/],
    ];
    for (const [args, message] of cases) {
      const r = await acl(...args);
      expect([args, r.code, r.stderr.trim().split('\n').length]).toEqual([args, 1, 1]);
      expect(r.stderr).toMatch(message);
    }
    expect(JSON.parse((await acl('list', '--json')).stdout)).toHaveLength(3);
  }, 180_000); // eight CLI processes, each starting tsx
});
