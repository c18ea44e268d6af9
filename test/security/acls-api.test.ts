/**
 * CreateAcls, DescribeAcls and DeleteAcls with the ACL authorizer on, through kafkajs and raw requests,
 * on two gateways sharing one Postgres: the CLUSTER checks, Kafka's validation, idempotent creation,
 * MATCH filters, and an ACL change made through one gateway deciding at the other without a restart.
 * Connections are PLAINTEXT, so the requester is User:ANONYMOUS (ACLs for it work as on Kafka).
 */
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGateway } from '../../src/gateway.js';
import { AclOperation as Op, AclPermission, PatternType, ResourceType } from '../../src/protocol/acl.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { ANONYMOUS } from '../../src/security/principal.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { RawClient } from '../support/raw-client.js';

const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };

let database: TestDatabase;
/** ANONYMOUS is a super user here: it manages the ACLs. */
let admin: TestGateway;
/** The same cluster without super users: ANONYMOUS gets only what ACLs give it. */
let plain: TestGateway;
let adminRaw: RawClient;
let plainRaw: RawClient;

beforeAll(async () => {
  database = await createTestDatabase();
  admin = await startTestGateway({ database, brokerConfigs: { ...AUTHORIZER, 'super.users': 'User:admin;User:ANONYMOUS' } });
  plain = await startTestGateway({ database, brokerConfigs: AUTHORIZER });
  adminRaw = await RawClient.connect(admin.bootstrap);
  plainRaw = await RawClient.connect(plain.bootstrap);
});

afterAll(async () => {
  adminRaw?.close();
  plainRaw?.close();
  await plain?.stop();
  await admin?.stop();
  await database?.drop();
});

const ANY_FILTER = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };

function creation(over: Record<string, unknown> = {}) {
  return { resourceType: ResourceType.TOPIC, resourceName: 'orders', resourcePatternType: PatternType.LITERAL, principal: 'User:alice', host: '*', operation: Op.READ, permissionType: AclPermission.ALLOW, ...over };
}

async function clearAcls(): Promise<void> {
  const { body } = await adminRaw.request(31, 3, { filters: [ANY_FILTER] });
  expect(body.filterResults[0].errorCode).toBe(0);
}

async function eventually(check: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('ACL APIs with the authorizer', () => {
  it('kafkajs: createAcls, describeAcls with filters, deleteAcls', async () => {
    await clearAcls();
    const client = kafkaClient(admin.bootstrap).admin();
    await client.connect();
    try {
      const acl = [
        { resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
        { resourceType: 2, resourceName: 'orders', resourcePatternType: 3, principal: 'User:bob', host: '10.0.0.2', operation: 4, permissionType: 2 },
        { resourceType: 2, resourceName: 'logs-', resourcePatternType: 4, principal: 'User:alice', host: '*', operation: 4, permissionType: 3 },
        { resourceType: 3, resourceName: 'app', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
      ] as any[];
      await client.createAcls({ acl });
      const all = await client.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 } as any);
      expect(all.resources).toEqual([
        {
          resourceType: 2, resourceName: 'orders', resourcePatternType: 3,
          acls: [
            { principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
            { principal: 'User:bob', host: '10.0.0.2', operation: 4, permissionType: 2 },
          ],
        },
        { resourceType: 2, resourceName: 'logs-', resourcePatternType: 4, acls: [{ principal: 'User:alice', host: '*', operation: 4, permissionType: 3 }] },
        { resourceType: 3, resourceName: 'app', resourcePatternType: 3, acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] },
      ]);
      const topicsOfAlice = await client.describeAcls({ resourceType: 2, resourcePatternType: 1, principal: 'User:alice', operation: 1, permissionType: 1 } as any);
      expect(topicsOfAlice.resources.map((r: any) => r.resourceName)).toEqual(['orders', 'logs-']);
      // MATCH: the bindings that apply to topic logs-2024.
      const applying = await client.describeAcls({ resourceType: 2, resourceName: 'logs-2024', resourcePatternType: 2, operation: 1, permissionType: 1 } as any);
      expect(applying.resources.map((r: any) => [r.resourceName, r.resourcePatternType])).toEqual([['logs-', 4]]);

      const deleted = await client.deleteAcls({ filters: [{ resourceType: 2, resourceName: 'orders', resourcePatternType: 3, operation: 1, permissionType: 1 }] as any });
      expect(deleted.filterResponses[0].errorCode).toBe(0);
      expect(deleted.filterResponses[0].matchingAcls.map((a: any) => a.principal)).toEqual(['User:alice', 'User:bob']);
      const left = await client.describeAcls({ resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 } as any);
      expect(left.resources.map((r: any) => r.resourceName)).toEqual(['logs-', 'app']);
    } finally {
      await client.disconnect();
    }
  });

  // Every answer below was compared with Kafka 4.1.2 (StandardAuthorizer) given the same requests.
  it('CreateAcls: an identical binding is no error and is stored once; Kafka\'s INVALID_REQUEST messages per creation', async () => {
    await clearAcls();
    const ok = { errorCode: 0, errorMessage: '' };
    const invalid = (errorMessage: string) => ({ errorCode: ErrorCode.INVALID_REQUEST, errorMessage });
    for (const v of [1, 2, 3]) {
      const { body } = await adminRaw.request(30, v, {
        creations: [
          creation(),
          creation(),
          creation({ resourceType: ResourceType.CLUSTER, resourceName: 'other' }),
          creation({ resourceType: ResourceType.CLUSTER, resourceName: '' }),
          creation({ resourceName: '' }),
          creation({ resourceType: 99 }),
          creation({ resourcePatternType: 9 }),
          creation({ operation: 99 }),
          creation({ permissionType: 7 }),
          creation({ principal: 'alice' }),
          creation({ principal: '' }),
          creation({ resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.ALTER }),
          creation({ principal: 'User:' }),
        ],
      });
      expect(body.results).toEqual([
        ok,
        ok,
        invalid('The only valid name for the CLUSTER resource is kafka-cluster'),
        invalid('The only valid name for the CLUSTER resource is kafka-cluster'),
        invalid('Invalid empty resource name'),
        invalid('Invalid resourceType UNKNOWN'),
        invalid('Invalid patternType UNKNOWN'),
        invalid('Invalid operation UNKNOWN'),
        invalid('Invalid permissionType UNKNOWN'),
        invalid('Could not parse principal from `alice` (no colon is present separating the principal type from the principal name)'),
        invalid('Could not parse principal from `` (no colon is present separating the principal type from the principal name)'),
        ok,
        ok,
      ]);
    }
    const { body } = await adminRaw.request(29, 3, ANY_FILTER);
    expect(body).toMatchObject({ errorCode: 0, errorMessage: '' });
    expect(body.resources).toEqual([
      {
        resourceType: 2, resourceName: 'orders', patternType: 3,
        acls: [{ principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }, { principal: 'User:', host: '*', operation: 3, permissionType: 3 }],
      },
      { resourceType: 4, resourceName: 'kafka-cluster', patternType: 3, acls: [{ principal: 'User:alice', host: '*', operation: 7, permissionType: 3 }] },
    ]);
  });

  it('CreateAcls: ANY or MATCH in any creation fails the whole request with UNKNOWN_SERVER_ERROR, storing nothing', async () => {
    await clearAcls();
    const failed = { errorCode: ErrorCode.UNKNOWN_SERVER_ERROR, errorMessage: null };
    for (const over of [
      { resourceType: ResourceType.ANY }, { resourcePatternType: PatternType.MATCH }, { resourcePatternType: PatternType.ANY },
      { operation: Op.ANY }, { permissionType: AclPermission.ANY },
    ]) {
      const { body } = await adminRaw.request(30, 3, { creations: [creation({ resourceName: 'fine' }), creation(over)] });
      expect([over, body.results]).toEqual([over, [failed, failed]]);
    }
    expect((await adminRaw.request(29, 3, ANY_FILTER)).body.resources).toEqual([]);
  });

  it('UNKNOWN (0) codes close the connection; codes Kafka has no value for match nothing or fail their filter', async () => {
    const cases: [number, Record<string, unknown>][] = [
      [30, { creations: [creation({ operation: 0 })] }],
      [30, { creations: [creation({ resourceType: 0 })] }],
      [29, { ...ANY_FILTER, patternTypeFilter: 0 }],
      [29, { ...ANY_FILTER, operation: 0 }],
      [31, { filters: [{ ...ANY_FILTER, permissionType: 0 }] }],
      [31, { filters: [{ ...ANY_FILTER, resourceTypeFilter: 0 }] }],
    ];
    for (const [apiKey, body] of cases) {
      const raw = await RawClient.connect(admin.bootstrap);
      raw.send(apiKey, 2, body);
      expect([apiKey, body, await raw.nextFrame()]).toEqual([apiKey, body, null]);
      raw.close();
    }
    await clearAcls();
    await adminRaw.request(30, 3, { creations: [creation()] });
    expect((await adminRaw.request(29, 3, { ...ANY_FILTER, permissionType: 7 })).body).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: '', resources: [] });
    const { body } = await adminRaw.request(31, 3, {
      filters: [{ ...ANY_FILTER, permissionType: 7 }, { ...ANY_FILTER, resourceTypeFilter: 99 }, { ...ANY_FILTER, patternTypeFilter: 9 }, { ...ANY_FILTER, operation: 99 }],
    });
    expect(body.filterResults).toEqual([
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown entryFilter.', matchingAcls: [] },
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown patternFilter.', matchingAcls: [] },
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown patternFilter.', matchingAcls: [] },
      { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Unknown entryFilter.', matchingAcls: [] },
    ]);
    expect((await adminRaw.request(29, 3, ANY_FILTER)).body.resources).toHaveLength(1);
  });

  it('DeleteAcls: per filter the bindings it matched (under each matching filter), MATCH filters, nothing matched', async () => {
    await clearAcls();
    await adminRaw.request(30, 3, {
      creations: [
        creation({ resourceName: 'orders' }),
        creation({ resourceName: '*' }),
        creation({ resourceName: 'ord', resourcePatternType: PatternType.PREFIXED }),
        creation({ resourceName: 'other' }),
      ],
    });
    const { body } = await adminRaw.request(31, 3, {
      filters: [
        { ...ANY_FILTER, resourceTypeFilter: 2, resourceNameFilter: 'orders', patternTypeFilter: PatternType.MATCH },
        { ...ANY_FILTER, resourceNameFilter: 'orders' },
        { ...ANY_FILTER, principalFilter: 'User:nobody' },
      ],
    });
    const names = body.filterResults.map((r: any) => r.matchingAcls.map((a: any) => `${a.resourceName}/${a.patternType}`));
    expect(names).toEqual([['orders/3', '*/3', 'ord/4'], ['orders/3'], []]);
    expect(body.filterResults.every((r: any) => r.errorCode === 0 && r.errorMessage === null)).toBe(true);
    expect(body.filterResults[0].matchingAcls[0]).toEqual({
      errorCode: 0, errorMessage: null, resourceType: 2, resourceName: 'orders', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3,
    });
    const left = await adminRaw.request(29, 3, ANY_FILTER);
    expect(left.body.resources.map((r: any) => r.resourceName)).toEqual(['other']);
  });

  it('without the CLUSTER permissions: CLUSTER_AUTHORIZATION_FAILED; an ACL added at one gateway decides at the other', async () => {
    await clearAcls();
    const denied = { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Request CreateAcls needs ALTER permission.' };
    expect((await plainRaw.request(29, 3, ANY_FILTER)).body).toEqual({
      throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Request DescribeAcls needs DESCRIBE permission.', resources: [],
    });
    expect((await plainRaw.request(30, 3, { creations: [creation(), creation()] })).body.results).toEqual([denied, denied]);
    expect((await plainRaw.request(31, 3, { filters: [ANY_FILTER] })).body.filterResults).toEqual([
      { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Request DeleteAcls needs ALTER permission.', matchingAcls: [] },
    ]);

    const anonymous = { principal: ANONYMOUS, address: '127.0.0.1' };
    const access = plain.gateway.services.access;
    expect(access.authorize(anonymous, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    // Granted through the admin gateway: the other gateway decides with it without a restart.
    await adminRaw.request(30, 3, {
      creations: [
        creation({ principal: 'User:ANONYMOUS', resourceType: ResourceType.CLUSTER, resourceName: 'kafka-cluster', operation: Op.DESCRIBE }),
        creation({ principal: 'User:ANONYMOUS', resourceName: 'ord', resourcePatternType: PatternType.PREFIXED }),
      ],
    });
    await eventually(() => access.authorize(anonymous, Op.READ, ResourceType.TOPIC, 'orders'));
    expect(access.authorize(anonymous, Op.WRITE, ResourceType.TOPIC, 'orders')).toBe(false);
    const listed = await plainRaw.request(29, 3, ANY_FILTER);
    expect(listed.body).toMatchObject({ errorCode: 0, errorMessage: '' });
    expect(listed.body.resources).toHaveLength(2);
    // DESCRIBE on the cluster does not allow ALTER.
    expect((await plainRaw.request(30, 3, { creations: [creation()] })).body.results).toEqual([denied]);
    // Revoked at the admin gateway: gone at the other.
    await adminRaw.request(31, 3, { filters: [{ ...ANY_FILTER, resourceTypeFilter: ResourceType.TOPIC }] });
    await eventually(() => !access.authorize(anonymous, Op.READ, ResourceType.TOPIC, 'orders'));
  });
});

describe('ACL cache', () => {
  it('is reloaded when the LISTEN connection reconnects (a change announced by nobody is seen then)', async () => {
    await clearAcls();
    const anonymous = { principal: ANONYMOUS, address: '127.0.0.1' };
    const access = plain.gateway.services.access;
    // A row written behind kpg's back (no NOTIFY): the cache does not know it...
    await plain.gateway.storage.pool.query(
      `INSERT INTO kpg.acls (resource_type, resource_name, pattern_type, principal, host, operation, permission_type)
       VALUES (2, 'unannounced', 3, 'User:ANONYMOUS', '*', 3, 3)`,
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(access.authorize(anonymous, Op.READ, ResourceType.TOPIC, 'unannounced')).toBe(false);
    // ...until the change feed drops and comes back, after which the bindings are loaded again.
    const pid = await plain.gateway.storage.notifications.backendPid();
    await plain.gateway.storage.pool.query('SELECT pg_terminate_backend($1)', [pid]);
    await eventually(() => access.authorize(anonymous, Op.READ, ResourceType.TOPIC, 'unannounced'), 15_000);
  });
});

describe('authorizer.class.name', () => {
  const start = (className: string) => startGateway({
    host: '127.0.0.1', port: 0, databaseUrl: database.url, dataDir: '',
    brokerConfigs: new Map([['authorizer.class.name', className]]), logger: pino({ level: 'silent' }),
  });

  it('refuses Kafka\'s removed AclAuthorizer and unknown classes at start, naming the supported one', async () => {
    await expect(start('kafka.security.authorizer.AclAuthorizer')).rejects.toThrow(
      /Kafka 4 removed the ZooKeeper AclAuthorizer; use org\.apache\.kafka\.metadata\.authorizer\.StandardAuthorizer/,
    );
    await expect(start('com.example.MyAuthorizer')).rejects.toThrow(
      'authorizer.class.name=com.example.MyAuthorizer is not supported: kpg\'s ACL authorizer answers to org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    );
  });

  it('allow.everyone.if.no.acl.found=true lets ANONYMOUS use resources no ACL names', async () => {
    const open = await startTestGateway({ brokerConfigs: { ...AUTHORIZER, 'allow.everyone.if.no.acl.found': 'true' } });
    try {
      const raw = await RawClient.connect(open.bootstrap);
      // No ACL on the cluster: describing ACLs is allowed, and there are none.
      expect((await raw.request(29, 3, ANY_FILTER)).body).toEqual({ throttleTimeMs: 0, errorCode: 0, errorMessage: '', resources: [] });
      raw.close();
    } finally {
      await open.stop();
    }
  });
});
