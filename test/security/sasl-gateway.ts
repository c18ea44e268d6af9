/**
 * A gateway with a PLAINTEXT listener (first: gateway.port) and a SASL_PLAINTEXT one (`bootstrap`) for the SASL tests, its
 * authenticator made from the test's broker configs. Users live in Postgres (PgUserStorage); `addUser` stores keys made with deriveScramKeys.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { deriveScramKeys, type ScramMechanism } from '../../src/security/scram-keys.js';
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
  const configs = new Map(Object.entries({ listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', ...brokerConfigs }));
  const gateway = await startGateway({ host: '127.0.0.1', port: 0, databaseUrl: database.url, dataDir: '', brokerConfigs: configs, logger: log });
  const listener = gateway.listeners.find((l) => l.securityProtocol === 'SASL_PLAINTEXT')!;
  return {
    gateway,
    database,
    bootstrap: `${listener.advertisedHost}:${listener.advertisedPort}`,
    logs,
    async addUser(name, password, mechanisms = ['SCRAM-SHA-256', 'SCRAM-SHA-512'], iterations = 4096) {
      await gateway.storage.users.alterScramCredentials(
        mechanisms.map((m) => ({ userName: name, ...deriveScramKeys(m, password, iterations) })),
        [],
      );
    },
    async stop() {
      await gateway.stop();
      await database.drop();
    },
  };
}
