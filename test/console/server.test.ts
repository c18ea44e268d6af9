/**
 * The console server itself: cluster and topic endpoints (configs patched through the API are what a
 * kafkajs admin describes), static pages without directory traversal, 404/405/400/413 answers, and
 * authentication and authorization on a SASL gateway with an authorizer (401 without or with wrong
 * credentials, 200 with a SCRAM user's password, 403 where ACLs deny).
 */
import { mkdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import net from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Gateway } from '../../src/gateway.js';
import { deriveScramKeys } from '../../src/security/scram-keys.js';
import type { TestDatabase } from '../support/database.js';
import { createTopic, startTestGateway, type TestGateway } from '../support/gateway.js';
import { SECURED_CONSOLE_USERS, startSecuredConsoleGateway } from './secured-console.js';
import { kafkaClient } from '../support/kafkajs.js';
import { call, consoleUrl } from './console-client.js';

const UI = fileURLToPath(new URL('../../src/console/ui/', import.meta.url));
const PAGE = 'kpg-test-page.html';

/** A raw HTTP request, for paths fetch() would normalize (../). */
function rawGet(gateway: Gateway, path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(gateway.consoleAddress!.port, gateway.consoleAddress!.host);
    let data = '';
    socket.on('data', (d) => (data += d.toString('utf8')));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
  });
}

describe('without SASL listeners', () => {
  let tg: TestGateway;
  beforeAll(async () => {
    tg = await startTestGateway({ consolePort: 0 });
    await createTopic(tg.gateway, 'alpha', 2);
    await createTopic(tg.gateway, 'beta', 1);
    const producer = kafkaClient(tg.bootstrap).producer();
    await producer.connect();
    await producer.send({ topic: 'alpha', messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }, { value: 'c', partition: 1 }] });
    await producer.disconnect();
    if (!existsSync(`${UI}${PAGE}`)) writeFileSync(`${UI}${PAGE}`, '<!doctype html><title>kpg test</title>');
  }, 60_000);
  afterAll(async () => {
    rmSync(`${UI}${PAGE}`, { force: true });
    await tg?.stop();
  });

  it('describes the cluster: this gateway alive with its listener, Postgres, counts', async () => {
    const { status, body } = await call(tg.gateway, 'GET', '/api/cluster');
    expect(status).toBe(200);
    expect(body.clusterId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.controllerId).toBe(tg.gateway.nodeId);
    expect(body.gateways).toEqual([
      {
        nodeId: tg.gateway.nodeId,
        endpoints: [{ listener: 'PLAINTEXT', host: '127.0.0.1', port: tg.gateway.port, securityProtocol: 'PLAINTEXT' }],
        lastHeartbeat: expect.any(String),
        alive: true,
      },
    ]);
    expect(body.postgres.version).toMatch(/^\d+/);
    expect(body.postgres.databaseBytes).toBeGreaterThan(body.postgres.kpgBytes);
    expect(body.topics).toBe(2);
  });

  it('lists topics with partitions, records and bytes, and describes one with its partitions and configs', async () => {
    const { body } = await call(tg.gateway, 'GET', '/api/topics');
    expect(body.topics.map((t: any) => [t.name, t.partitions, t.records, t.internal])).toEqual([
      ['alpha', 2, 3, false],
      ['beta', 1, 0, false],
    ]);
    expect(body.topics[0].bytes).toBeGreaterThan(0);
    const alpha = (await call(tg.gateway, 'GET', '/api/topics/alpha')).body;
    expect(alpha.partitions.map((p: any) => [p.partition, p.startOffset, p.endOffset, p.records])).toEqual([
      [0, '0', '2', 2],
      [1, '0', '1', 1],
    ]);
    expect(alpha.configs).toContainEqual({ name: 'cleanup.policy', value: 'delete', source: 'DEFAULT_CONFIG', readOnly: false, sensitive: false, isDefault: true });
    const missing = await call(tg.gateway, 'GET', '/api/topics/nope');
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('patches configs as IncrementalAlterConfigs does: a kafkajs admin sees the change; bad values get INVALID_CONFIG', async () => {
    const patched = await call(tg.gateway, 'PATCH', '/api/topics/beta/configs', { body: { set: { 'retention.ms': '1000', 'cleanup.policy': 'compact' } } });
    expect(patched.status).toBe(200);
    expect(patched.body.configs).toContainEqual(expect.objectContaining({ name: 'retention.ms', value: '1000', source: 'DYNAMIC_TOPIC_CONFIG', isDefault: false }));
    const admin = kafkaClient(tg.bootstrap).admin();
    await admin.connect();
    const describe = async () => {
      const r = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'beta', configNames: ['retention.ms', 'cleanup.policy'] }] });
      return Object.fromEntries(r.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
    };
    expect(await describe()).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'compact' });
    const deleted = await call(tg.gateway, 'PATCH', '/api/topics/beta/configs', { body: { delete: ['cleanup.policy'] } });
    expect(deleted.status).toBe(200);
    expect(await describe()).toEqual({ 'retention.ms': '1000', 'cleanup.policy': 'delete' });
    await admin.disconnect();

    const invalid = await call(tg.gateway, 'PATCH', '/api/topics/beta/configs', { body: { set: { 'retention.ms': 'soon' } } });
    expect(invalid.status).toBe(400);
    expect(invalid.body.error.code).toBe('INVALID_CONFIG');
    const unknown = await call(tg.gateway, 'PATCH', '/api/topics/nope/configs', { body: { set: { 'retention.ms': '1' } } });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it('serves pages from the ui directory with their content type, and nothing outside it', async () => {
    const page = await fetch(consoleUrl(tg.gateway, `/${PAGE}`));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await page.text()).toContain('kpg test');
    for (const path of ['/../package.json', '/%2e%2e/package.json', '/..%2f..%2fpackage.json', '/%2e%2e%2f%2e%2e%2fsrc%2fgateway.ts', '/../../../../etc/passwd']) {
      const raw = await rawGet(tg.gateway, path);
      expect(raw, path).toMatch(/^HTTP\/1\.1 (404|400)/);
      expect(raw, path).not.toContain('"name": "kpg"');
      expect(raw, path).not.toContain('root:');
    }
    expect((await fetch(consoleUrl(tg.gateway, '/no-such-page.js'))).status).toBe(404);
  });

  it('answers unknown routes 404, wrong methods 405, malformed JSON 400, huge bodies 413, all as JSON errors', async () => {
    const unknown = await call(tg.gateway, 'GET', '/api/nothing');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toMatchObject({ code: 'NOT_FOUND' });
    const method = await call(tg.gateway, 'DELETE', '/api/topics/alpha');
    expect(method.status).toBe(405);
    expect(method.headers.get('allow')).toBe('GET');
    const postPage = await call(tg.gateway, 'POST', '/index.html', { body: {} });
    expect(postPage.status).toBe(405);
    const badJson = await call(tg.gateway, 'PATCH', '/api/topics/alpha/configs', { rawBody: '{nope' });
    expect(badJson.status).toBe(400);
    const notObject = await call(tg.gateway, 'PATCH', '/api/topics/alpha/configs', { rawBody: '[1]' });
    expect(notObject.status).toBe(400);
    // A body a cross-site form could send (text/plain) is refused before anything happens.
    const formLike = await fetch(consoleUrl(tg.gateway, '/api/topics/alpha/messages'), { method: 'POST', headers: { 'Content-Type': 'text/plain' }, body: '{"value":"csrf"}' });
    expect(formLike.status).toBe(415);
    expect((await call(tg.gateway, 'GET', '/api/topics/alpha')).body.partitions.map((p: any) => p.endOffset)).toEqual(['2', '1']);
    const huge = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(tg.gateway.consoleAddress!.port, tg.gateway.consoleAddress!.host);
      let data = '';
      socket.on('data', (d) => (data += d.toString('utf8')));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
      socket.write(`PATCH /api/topics/alpha/configs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${2 * 1024 * 1024}\r\n\r\n{"set":`);
    });
    expect(huge).toMatch(/^HTTP\/1\.1 413/);
    expect(huge).toContain('PAYLOAD_TOO_LARGE');
    // Still serving.
    expect((await call(tg.gateway, 'GET', '/api/cluster')).status).toBe(200);
  });
});

describe('on a SASL gateway with an authorizer', () => {
  let database: TestDatabase;
  let gateway: Gateway;
  const { admin, alice } = SECURED_CONSOLE_USERS;

  beforeAll(async () => {
    ({ gateway, database } = await startSecuredConsoleGateway());
  }, 60_000);
  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
  });

  it('asks for Basic credentials (401) without them, or with a wrong password or unknown user', async () => {
    for (const auth of [undefined, { user: 'admin', password: 'wrong' }, { user: 'mallory', password: 'x' }]) {
      const r = await call(gateway, 'GET', '/api/cluster', { auth });
      expect(r.status).toBe(401);
      expect(r.headers.get('www-authenticate')).toMatch(/^Basic realm="kpg"/);
      expect(r.body.error.code).toBe('SASL_AUTHENTICATION_FAILED');
    }
    expect((await fetch(consoleUrl(gateway, '/'))).status).toBe(401);
  });

  it('lets a SCRAM user in with the password (SHA-512 and SHA-256 credentials)', async () => {
    expect((await call(gateway, 'GET', '/api/cluster', { auth: admin })).status).toBe(200);
    const topics = await call(gateway, 'GET', '/api/topics', { auth: alice });
    expect(topics.status).toBe(200);
    // Only what alice may describe is listed.
    expect(topics.body.topics.map((t: any) => t.name)).toEqual(['shared']);
  });

  it('refuses an old password at once after the user\'s password changes', async () => {
    const bob = { user: 'bob', password: 'first' };
    await gateway.storage.users.alterScramCredentials([{ userName: 'bob', ...deriveScramKeys('SCRAM-SHA-512', 'first', 4096) }], []);
    expect((await call(gateway, 'GET', '/api/topics', { auth: bob })).status).toBe(200);
    await gateway.storage.users.alterScramCredentials([{ userName: 'bob', ...deriveScramKeys('SCRAM-SHA-512', 'second', 4096) }], []);
    expect((await call(gateway, 'GET', '/api/topics', { auth: bob })).status).toBe(401);
    expect((await call(gateway, 'GET', '/api/topics', { auth: { user: 'bob', password: 'second' } })).status).toBe(200);
  });

  it('refuses with 403 what the ACLs deny', async () => {
    const describe = await call(gateway, 'GET', '/api/topics/secret', { auth: alice });
    expect(describe.status).toBe(403);
    expect(describe.body.error.code).toBe('TOPIC_AUTHORIZATION_FAILED');
    const browse = await call(gateway, 'GET', '/api/topics/shared/messages', { auth: alice });
    expect(browse.status).toBe(200);
    const produce = await call(gateway, 'POST', '/api/topics/shared/messages', { auth: alice, body: { value: 'x' } });
    expect(produce.status).toBe(403);
    const patch = await call(gateway, 'PATCH', '/api/topics/shared/configs', { auth: alice, body: { set: { 'retention.ms': '1' } } });
    expect(patch.status).toBe(403);
    const cluster = await call(gateway, 'GET', '/api/cluster', { auth: alice });
    expect(cluster.status).toBe(403);
    const reset = await call(gateway, 'POST', '/api/groups/g/reset-offsets', { auth: alice, body: { topic: 'shared', to: 'earliest' } });
    expect(reset.status).toBe(403);
    expect(reset.body.error.code).toBe('GROUP_AUTHORIZATION_FAILED');
    // The super user may.
    expect((await call(gateway, 'POST', '/api/topics/shared/messages', { auth: admin, body: { value: 'x' } })).status).toBe(200);
  });
});
