/**
 * A gateway with a SASL_PLAINTEXT listener for the SASL tests: the listener is a KafkaServer of its own,
 * advertised in Metadata, with an authenticator made by createSaslAuthenticator from the test's broker
 * configs. Users live in Postgres (PgUserStorage); `addUser` stores keys made with deriveScramKeys.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { handlerRegistry } from '../../src/apis/registry.js';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { deriveScramKeys, type ScramMechanism } from '../../src/security/scram-keys.js';
import { createSaslAuthenticator } from '../../src/security/sasl/authenticator.js';
import type { ListenerSecurity } from '../../src/server/listener-security.js';
import { KafkaServer } from '../../src/server/server.js';
import type { UserStorage } from '../../src/storage/users.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

/** The gateway's log lines, parsed, for asserting what a failed login logs (and what it must never log). */
export class LogLines {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  readonly stream = new Writable({
    write: (chunk: Buffer, _encoding, done) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        this.raw.push(line);
        this.lines.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });

  matching(msg: string | RegExp): Record<string, unknown>[] {
    return this.lines.filter((l) => (typeof msg === 'string' ? String(l.msg).includes(msg) : msg.test(String(l.msg))));
  }
}

export interface SaslTestGateway {
  gateway: Gateway;
  database: TestDatabase;
  /** The SASL_PLAINTEXT listener, also the advertised address. */
  bootstrap: string;
  logs: LogLines;
  addUser(name: string, password: string, mechanisms?: ScramMechanism[], iterations?: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startSaslGateway(brokerConfigs: Record<string, string>): Promise<SaslTestGateway> {
  const database = await createTestDatabase();
  const logs = new LogLines();
  const log = pino({ level: 'debug' }, logs.stream);
  const configs = new Map(Object.entries(brokerConfigs));
  let users: UserStorage | undefined;
  const lazyUsers: UserStorage = {
    scramKeys: (u, m) => users!.scramKeys(u, m),
    describeUsers: (n) => users!.describeUsers(n),
    alterScramCredentials: (a, b) => users!.alterScramCredentials(a, b),
  };
  const listener: ListenerSecurity = {
    name: 'SASL_PLAINTEXT',
    securityProtocol: 'SASL_PLAINTEXT',
    sasl: createSaslAuthenticator({ listener: 'SASL_PLAINTEXT', config: new BrokerConfig(() => 0, configs), users: lazyUsers, log }),
  };
  const server = new KafkaServer({ handlers: handlerRegistry(), log, maxFrameBytes: 100 * 1024 * 1024, listener });
  const bound = await server.listen('127.0.0.1', 0);
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    advertisedHost: '127.0.0.1',
    advertisedPort: bound.port,
    databaseUrl: database.url,
    dataDir: '',
    brokerConfigs: configs,
    logger: log,
  });
  users = gateway.storage.users;
  server.serve(gateway.services);
  return {
    gateway,
    database,
    bootstrap: `127.0.0.1:${bound.port}`,
    logs,
    async addUser(name, password, mechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512'], iterations = 4096) {
      await gateway.storage.users.alterScramCredentials(
        mechanisms.map((m) => ({ userName: name, ...deriveScramKeys(m, password, iterations) })),
        [],
      );
    },
    async stop() {
      await server.close(1000);
      await gateway.stop();
      await database.drop();
    },
  };
}
