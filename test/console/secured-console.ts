/**
 * A gateway whose console needs credentials: a SASL_PLAINTEXT listener, the StandardAuthorizer with
 * super user admin, users admin (SCRAM-SHA-512) and alice (SCRAM-SHA-256), topics "secret" and
 * "shared", and ACLs letting alice describe and read "shared" only. The console API and browser tests share it.
 */
import { pino } from 'pino';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { deriveScramKeys } from '../../src/security/scram-keys.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTopic } from '../support/gateway.js';

export const SECURED_CONSOLE_USERS = {
  admin: { user: 'admin', password: 'admin-secret' },
  alice: { user: 'alice', password: 'alice-secret' },
} as const;

export async function startSecuredConsoleGateway(): Promise<{ gateway: Gateway; database: TestDatabase }> {
  const database = await createTestDatabase();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    dataDir: '',
    brokerConfigs: new Map(Object.entries({
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512,SCRAM-SHA-256',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:admin',
    })),
    consolePort: 0,
    logger: pino({ level: 'silent' }),
  });
  const { admin, alice } = SECURED_CONSOLE_USERS;
  await gateway.storage.users.alterScramCredentials([
    { userName: admin.user, ...deriveScramKeys('SCRAM-SHA-512', admin.password, 4096) },
    { userName: alice.user, ...deriveScramKeys('SCRAM-SHA-256', alice.password, 4096) },
  ], []);
  await createTopic(gateway, 'secret', 1);
  await createTopic(gateway, 'shared', 1);
  // alice may describe (8) and read (3) "shared" (a literal pattern, 3), nothing else.
  await gateway.services.access.bindings!.create([
    { resourceType: 2, resourceName: 'shared', patternType: 3, principal: 'User:alice', host: '*', operation: 8, permissionType: 3 },
    { resourceType: 2, resourceName: 'shared', patternType: 3, principal: 'User:alice', host: '*', operation: 3, permissionType: 3 },
  ]);
  return { gateway, database };
}
