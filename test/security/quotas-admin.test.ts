/**
 * DescribeClientQuotas (48) and AlterClientQuotas (49): kafka-configs.sh against kpg, and the raw
 * protocol for Kafka's validation errors and filters.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { handlerRegistry } from '../../src/apis/registry.js';
import { AclOperation, ResourceType } from '../../src/protocol/acl.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { JAVA_LIBS, KAFKA_LIB, javaClientsMissing, kafkaToolsMissing, realClientAvailable } from '../support/real-clients.js';

const run = promisify(execFile);
const toolsAvailable = realClientAvailable('Kafka 4.1.2 command-line tools', await kafkaToolsMissing(), import.meta.url);
const javaAvailable = realClientAvailable('Java kafka-clients 4', await javaClientsMissing('4'), import.meta.url);

let kpg: TestGateway;
let raw: RawClient;

beforeAll(async () => {
  kpg = await startTestGateway();
  raw = await RawClient.connect(kpg.bootstrap);
});

// Each test starts without quotas (they share one gateway and database).
beforeEach(async () => {
  await kpg.gateway.storage.pool.query('DELETE FROM kpg.client_quotas');
  await kpg.gateway.services.quotas.load();
});

afterAll(async () => {
  raw?.close();
  await kpg?.stop();
});

type Entity = { entityType: string; entityName: string | null }[];
type Op = { key: string; value: number; remove: boolean };

const set = (key: string, value: number): Op => ({ key, value, remove: false });
const remove = (key: string): Op => ({ key, value: 0, remove: true });

async function alter(entries: { entity: Entity; ops: Op[] }[], validateOnly = false, version = 1) {
  const { body } = await raw.request(49, version, { entries, validateOnly });
  return body.entries as { errorCode: number; errorMessage: string | null; entity: Entity }[];
}

async function describeQuotas(components: { entityType: string; matchType: number; match: string | null }[], strict = false, version = 1) {
  const { body } = await raw.request(48, version, { components, strict });
  return body as { errorCode: number; errorMessage: string | null; entries: { entity: Entity; values: { key: string; value: number }[] }[] | null };
}

const user = (name: string | null) => ({ entityType: 'user', entityName: name });
const client = (name: string | null) => ({ entityType: 'client-id', entityName: name });

describe('AlterClientQuotas and DescribeClientQuotas over the wire', () => {
  it('stores, describes by filter (exact, default, specified, strict) and removes quotas', async () => {
    const results = await alter([
      { entity: [user('alice')], ops: [set('producer_byte_rate', 1024), set('consumer_byte_rate', 2048)] },
      { entity: [user('alice'), client('app')], ops: [set('request_percentage', 12.5)] },
      { entity: [user(null)], ops: [set('producer_byte_rate', 4096)] },
      { entity: [client(null)], ops: [set('consumer_byte_rate', 8192)] },
      { entity: [{ entityType: 'ip', entityName: '10.0.0.1' }], ops: [set('connection_creation_rate', 5)] },
    ]);
    expect(results.map((r) => r.errorCode)).toEqual([0, 0, 0, 0, 0]);

    const alice = await describeQuotas([{ entityType: 'user', matchType: 0, match: 'alice' }], true);
    expect(alice.errorCode).toBe(0);
    expect(alice.entries).toHaveLength(1);
    expect(Object.fromEntries(alice.entries![0]!.values.map((v) => [v.key, v.value]))).toEqual({ producer_byte_rate: 1024, consumer_byte_rate: 2048 });

    const aliceLoose = await describeQuotas([{ entityType: 'user', matchType: 0, match: 'alice' }], false);
    expect(aliceLoose.entries).toHaveLength(2);

    const defaults = await describeQuotas([{ entityType: 'user', matchType: 1, match: null }], true);
    expect(defaults.entries!.map((e) => e.entity)).toEqual([[user(null)]]);

    const anyUser = await describeQuotas([{ entityType: 'user', matchType: 2, match: null }], false);
    expect(anyUser.entries).toHaveLength(3);

    const all = await describeQuotas([], false);
    expect(all.entries).toHaveLength(5);

    expect(await alter([{ entity: [user('alice')], ops: [remove('consumer_byte_rate'), remove('not_there')] }])).toEqual([
      { errorCode: 0, errorMessage: null, entity: [user('alice')] },
    ]);
    const after = await describeQuotas([{ entityType: 'user', matchType: 0, match: 'alice' }], true);
    expect(after.entries![0]!.values).toEqual([{ key: 'producer_byte_rate', value: 1024 }]);
  });

  it('validate_only checks without storing', async () => {
    expect((await alter([{ entity: [user('val')], ops: [set('producer_byte_rate', 1)] }], true))[0]!.errorCode).toBe(0);
    expect((await describeQuotas([{ entityType: 'user', matchType: 0, match: 'val' }])).entries).toEqual([]);
  });

  it.each([
    [[{ entityType: 'group', entityName: 'g' }], [set('producer_byte_rate', 1)], 'Unhandled client quota entity type: group'],
    [[], [set('producer_byte_rate', 1)], 'Invalid empty client quota entity'],
    [[user('')], [set('producer_byte_rate', 1)], 'Empty user not supported'],
    [[user('a')], [set('bogus_rate', 1)], 'Invalid configuration key bogus_rate'],
    [[user('a')], [set('producer_byte_rate', -5)], 'Quota producer_byte_rate must be greater than 0'],
    [[user('a')], [set('consumer_byte_rate', 0)], 'Quota consumer_byte_rate must be greater than 0'],
    [[user('a')], [set('producer_byte_rate', 2.5)], 'producer_byte_rate cannot be a fractional value.'],
    [[user('a')], [set('producer_byte_rate', 1e20)], 'Proposed value for producer_byte_rate is too large for a LONG.'],
    [[user('a')], [set('connection_creation_rate', 1)], 'Invalid configuration key connection_creation_rate'],
    [[{ entityType: 'ip', entityName: 'not an ip' }], [set('connection_creation_rate', 1)], 'not an ip is not a valid IP or resolvable host.'],
    [[{ entityType: 'ip', entityName: null }, user('a')], [set('connection_creation_rate', 1)], 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId'],
    [[user('a')], [set('producer_byte_rate', 1), set('producer_byte_rate', 2)], 'Ignoring duplicate entity ClientQuotaEntity(entries={user=a})'],
  ])('refuses %j %j with INVALID_REQUEST', async (entity, ops, message) => {
    const [result] = await alter([{ entity, ops }]);
    expect(result).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: message });
  });

  it('keeps the last name of an entity type named twice, as Kafka does', async () => {
    expect(await alter([{ entity: [user('first'), user('last')], ops: [set('producer_byte_rate', 3)] }])).toEqual([
      { errorCode: 0, errorMessage: null, entity: [user('last')] },
    ]);
    expect((await describeQuotas([{ entityType: 'user', matchType: 0, match: 'last' }], true)).entries).toHaveLength(1);
    expect((await describeQuotas([{ entityType: 'user', matchType: 0, match: 'first' }], true)).entries).toEqual([]);
  });

  it('answers a bad entity with its error and still applies the good one, each once per entity', async () => {
    const results = await alter([
      { entity: [user('good')], ops: [set('request_percentage', 50)] },
      { entity: [user('bad')], ops: [set('request_percentage', -1)] },
      { entity: [user('good')], ops: [set('request_percentage', 60)] },
    ]);
    expect(results).toHaveLength(2);
    expect(results[0]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Ignoring duplicate entity ClientQuotaEntity(entries={user=good})' });
    expect(results[1]).toMatchObject({ errorCode: ErrorCode.INVALID_REQUEST });
    const good = await describeQuotas([{ entityType: 'user', matchType: 0, match: 'good' }], true);
    expect(good.entries![0]!.values).toEqual([{ key: 'request_percentage', value: 50 }]);
  });

  it('needs DESCRIBE_CONFIGS / ALTER_CONFIGS on the cluster (CLUSTER_AUTHORIZATION_FAILED, nothing stored)', async () => {
    const services = kpg.gateway.services;
    const allowAll = services.access;
    const asked: string[] = [];
    // An authorizer that allows everything but the cluster config operations (the ACL authorizer is another slice).
    services.access = {
      ...allowAll,
      enabled: true,
      authorize: (who, operation, resourceType, resourceName) => {
        if (resourceType !== ResourceType.CLUSTER) return true;
        asked.push(`${who.principal.name}:${operation}:${resourceName}`);
        return operation !== AclOperation.DESCRIBE_CONFIGS && operation !== AclOperation.ALTER_CONFIGS;
      },
    };
    try {
      const described = await describeQuotas([], false);
      expect(described).toMatchObject({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.', entries: null });
      const altered = await alter([
        { entity: [user('mallory')], ops: [set('producer_byte_rate', 1)] },
        { entity: [client('tool')], ops: [set('producer_byte_rate', -1)] },
      ]);
      expect(altered.map((r) => r.errorCode)).toEqual([ErrorCode.CLUSTER_AUTHORIZATION_FAILED, ErrorCode.CLUSTER_AUTHORIZATION_FAILED]);
      expect(asked).toEqual([`ANONYMOUS:${AclOperation.DESCRIBE_CONFIGS}:kafka-cluster`, `ANONYMOUS:${AclOperation.ALTER_CONFIGS}:kafka-cluster`]);
    } finally {
      services.access = allowAll;
    }
    expect((await describeQuotas([{ entityType: 'user', matchType: 0, match: 'mallory' }])).entries).toEqual([]);
  });

  it.each([
    [[{ entityType: '', matchType: 0, match: 'x' }], ErrorCode.INVALID_REQUEST, 'Invalid empty entity type.'],
    [[{ entityType: 'user', matchType: 2, match: null }, { entityType: 'user', matchType: 0, match: 'a' }], ErrorCode.INVALID_REQUEST, 'Entity type user cannot appear more than once in the filter.'],
    [[{ entityType: 'topic', matchType: 0, match: 'x' }], ErrorCode.UNSUPPORTED_VERSION, 'Unsupported entity type topic'],
    [[{ entityType: 'user', matchType: 0, match: null }], ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_EXACT, but set match string to null.'],
    [[{ entityType: 'user', matchType: 1, match: 'x' }], ErrorCode.INVALID_REQUEST, 'Request specified MATCH_TYPE_DEFAULT, but also specified a match string.'],
    [[{ entityType: 'user', matchType: 7, match: null }], ErrorCode.INVALID_REQUEST, 'Unknown match type 7'],
    [[{ entityType: 'ip', matchType: 2, match: null }, { entityType: 'client-id', matchType: 2, match: null }], ErrorCode.INVALID_REQUEST, 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.'],
  ])('refuses the filter %j', async (components, errorCode, message) => {
    for (const version of [0, 1]) {
      const result = await describeQuotas(components, false, version);
      expect(result).toMatchObject({ errorCode, errorMessage: message, entries: null });
    }
  });
});

describe.skipIf(!toolsAvailable)('kafka-configs.sh (Kafka 4.1.2 ConfigCommand)', () => {
  const configs = async (...args: string[]): Promise<string> => {
    const { stdout } = await run('java', ['-Xmx256m', '-XX:TieredStopAtLevel=1', '-cp', `${KAFKA_LIB}/*`, 'kafka.admin.ConfigCommand', '--bootstrap-server', kpg.bootstrap, ...args], { timeout: 60_000 });
    return stdout;
  };

  it('alters and describes clients, users with clients, and their defaults as Kafka prints them', async () => {
    expect(await configs('--alter', '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048', '--entity-type', 'clients', '--entity-name', 'reporting'))
      .toContain('Completed updating config for client reporting.');
    await configs('--alter', '--add-config', 'producer_byte_rate=512', '--entity-type', 'clients', '--entity-default');
    await configs('--alter', '--add-config', 'request_percentage=40', '--entity-type', 'users', '--entity-name', 'carol', '--entity-type', 'clients', '--entity-name', 'tool');
    await configs('--alter', '--add-config', 'consumer_byte_rate=4096', '--entity-type', 'users', '--entity-default', '--entity-type', 'clients', '--entity-default');
    expect((await configs('--describe', '--entity-type', 'clients', '--entity-name', 'reporting')).trim())
      .toBe("Quota configs for client-id 'reporting' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0");
    expect((await configs('--describe', '--entity-type', 'clients', '--entity-default')).trim())
      .toBe('Quota configs for the default client-id are producer_byte_rate=512.0');
    expect((await configs('--describe', '--entity-type', 'users', '--entity-name', 'carol', '--entity-type', 'clients', '--entity-name', 'tool')).trim())
      .toBe("Quota configs for user-principal 'carol', client-id 'tool' are request_percentage=40.0");
    expect((await configs('--describe', '--entity-type', 'users', '--entity-default', '--entity-type', 'clients', '--entity-default')).trim())
      .toBe('Quota configs for the default user-principal, the default client-id are consumer_byte_rate=4096.0');
    await configs('--alter', '--delete-config', 'consumer_byte_rate', '--entity-type', 'clients', '--entity-name', 'reporting');
    expect((await configs('--describe', '--entity-type', 'clients', '--entity-name', 'reporting')).trim())
      .toBe("Quota configs for client-id 'reporting' are producer_byte_rate=1024.0");
  }, 120_000);

  // kafka-configs --describe --entity-type users also lists SCRAM credentials (DescribeUserScramCredentials,
  // key 50, from the `users` branch): runs once that API is served.
  it.runIf(handlerRegistry().has(50))('alters and describes a user and the default user', async () => {
    expect(await configs('--alter', '--add-config', 'producer_byte_rate=1024,consumer_byte_rate=2048', '--entity-type', 'users', '--entity-name', 'erin'))
      .toContain('Completed updating config for user erin.');
    await configs('--alter', '--add-config', 'request_percentage=25', '--entity-type', 'users', '--entity-default');
    expect((await configs('--describe', '--entity-type', 'users', '--entity-name', 'erin')).trim())
      .toBe("Quota configs for user-principal 'erin' are consumer_byte_rate=2048.0, producer_byte_rate=1024.0");
    expect((await configs('--describe', '--entity-type', 'users', '--entity-default')).trim())
      .toBe('Quota configs for the default user-principal are request_percentage=25.0');
  }, 120_000);

  it('refuses a negative rate with Kafka\'s message', async () => {
    const failed = await configs('--alter', '--add-config', 'producer_byte_rate=-1', '--entity-type', 'users', '--entity-name', 'dave').then(
      () => null,
      (err: { stdout: string; stderr: string }) => err.stdout + err.stderr,
    );
    expect(failed).toContain('Quota producer_byte_rate must be greater than 0');
  }, 60_000);
});

describe.skipIf(!javaAvailable)('Java AdminClient alterClientQuotas / describeClientQuotas', () => {
  it('sets, validates, describes and removes quotas; bad input fails with Kafka\'s exceptions', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kpg-quota-java-'));
    try {
      const source = path.join(path.dirname(fileURLToPath(import.meta.url)), 'java', 'QuotaAdmin.java');
      await run('javac', ['-nowarn', '-cp', `${JAVA_LIBS['4']}/*`, '-d', dir, source], { timeout: 120_000 });
      const { stdout } = await run('java', ['-cp', `${dir}:${JAVA_LIBS['4']}/*`, 'QuotaAdmin', kpg.bootstrap], { timeout: 120_000 });
      const steps = Object.fromEntries(stdout.trim().split('\n').map((line) => [line.slice(0, line.indexOf(' ')), line.slice(line.indexOf(' ') + 1)]));
      expect(steps).toEqual({
        'set-user': 'ok',
        'set-default-client': 'ok',
        'validate-only': 'ok',
        negative: 'InvalidRequestException: Quota producer_byte_rate must be greater than 0',
        fraction: 'InvalidRequestException: consumer_byte_rate cannot be a fractional value.',
        'unknown-key': 'InvalidRequestException: Invalid configuration key fetch_rate',
        'unknown-type': 'InvalidRequestException: Unhandled client quota entity type: group',
        'describe-frank': '{user=frank}={producer_byte_rate=1000.0, request_percentage=12.5}',
        'describe-default-client': '{client-id=null}={consumer_byte_rate=2000.0}',
        'describe-ghost': '',
        'describe-all': expect.stringContaining('{user=frank}={producer_byte_rate=1000.0, request_percentage=12.5}'),
        'describe-bad-type': 'UnsupportedVersionException: Unsupported entity type topic',
        remove: 'ok',
        'describe-after-remove': '{user=frank}={producer_byte_rate=1000.0}',
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

describe('several gateways', () => {
  it('a quota altered through one gateway applies on another at once (NOTIFY kpg_security)', async () => {
    const second = await startTestGateway({ database: kpg.database });
    try {
      const subject = { principal: { type: 'User', name: 'shared' }, clientId: 'c' };
      expect(second.gateway.services.quotas.resolve('producer_byte_rate', subject)).toBeNull();
      await alter([{ entity: [user('shared')], ops: [set('producer_byte_rate', 777)] }]);
      const deadline = Date.now() + 10_000;
      while (second.gateway.services.quotas.resolve('producer_byte_rate', subject) === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
      }
      expect(second.gateway.services.quotas.resolve('producer_byte_rate', subject)?.bound).toBe(777);
    } finally {
      await second.stop();
    }
  }, 60_000);
});
