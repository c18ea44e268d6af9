/**
 * ACLs for authenticated principals, end to end: kafkajs logs in with SCRAM on the gateway's
 * SASL_PLAINTEXT listener as User:admin (a super user) or User:alice, and the ACL APIs decide by that principal:
 * alice is refused until admin grants her DESCRIBE on the cluster, and the denial is logged with her name.
 */
import { createRequire } from 'node:module';
import type { SASLOptions } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deriveScramKeys } from '../../src/security/scram-keys.js';
import { startListenerGateway, type ListenerGateway } from './tls-support.js';

const require = createRequire(import.meta.url);
const { Kafka, logLevel } = require('kafkajs') as typeof import('kafkajs');

let kpg: ListenerGateway;

beforeAll(async () => {
  kpg = await startListenerGateway({
    listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
    'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
    'super.users': 'User:admin',
  });
  await kpg.gateway.storage.users.alterScramCredentials([
    { userName: 'admin', ...deriveScramKeys('SCRAM-SHA-512', 'admin-secret', 4096) },
    { userName: 'alice', ...deriveScramKeys('SCRAM-SHA-512', 'alice-secret', 4096) },
  ], []);
});

afterAll(async () => {
  await kpg?.stop();
});

function adminClient(username: string, password: string) {
  const sasl: SASLOptions = { mechanism: 'scram-sha-512', username, password };
  return new Kafka({ brokers: [kpg.address('SASL_PLAINTEXT')], clientId: 'acls-sasl', sasl, logLevel: logLevel.NOTHING, retry: { retries: 0 } }).admin();
}

const ANY = { resourceType: 1, resourcePatternType: 1, operation: 1, permissionType: 1 } as any;

describe('ACLs for SASL principals', () => {
  it('decide by the authenticated principal: super user, refused user, then granted user', async () => {
    const admin = adminClient('admin', 'admin-secret');
    const alice = adminClient('alice', 'alice-secret');
    await admin.connect();
    await alice.connect();
    try {
      await expect(alice.describeAcls(ANY)).rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
      const denial = 'Principal = User:alice is Denied operation = DESCRIBE from host = 127.0.0.1 on resource = Cluster:LITERAL:kafka-cluster';
      expect(kpg.logs.filter((l) => String(l.msg).startsWith(denial))).toHaveLength(1);
      await admin.createAcls({
        acl: [{ resourceType: 4, resourceName: 'kafka-cluster', resourcePatternType: 3, principal: 'User:alice', host: '127.0.0.1', operation: 8, permissionType: 3 }] as any,
      });
      const described = await alice.describeAcls(ANY);
      expect(described.resources).toEqual([
        { resourceType: 4, resourceName: 'kafka-cluster', resourcePatternType: 3, acls: [{ principal: 'User:alice', host: '127.0.0.1', operation: 8, permissionType: 3 }] },
      ]);
      // DESCRIBE does not let her change ACLs.
      await expect(alice.createAcls({ acl: [{ ...ANY, resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 }] }))
        .rejects.toMatchObject({ type: 'CLUSTER_AUTHORIZATION_FAILED' });
    } finally {
      await alice.disconnect();
      await admin.disconnect();
    }
  });
});
