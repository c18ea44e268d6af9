/** A gateway with configured listeners for the TLS tests, its log lines kept for assertions. */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export interface ListenerGateway {
  gateway: Gateway;
  database: TestDatabase;
  /** Parsed log lines so far. */
  logs: Record<string, unknown>[];
  /** host:port of the named listener. */
  address(listener: string): string;
  /** Resolves with the first log line matching, waiting up to `ms`. */
  waitForLog(match: (line: Record<string, unknown>) => boolean, ms?: number): Promise<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startListenerGateway(brokerConfigs: Record<string, string>, database?: TestDatabase): Promise<ListenerGateway> {
  const db = database ?? (await createTestDatabase());
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim()) logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: db.url,
    dataDir: '',
    brokerConfigs: new Map(Object.entries(brokerConfigs)),
    logger: pino({ level: 'debug' }, sink),
  });
  return {
    gateway,
    database: db,
    logs,
    address(listener) {
      const l = gateway.listeners.find((x) => x.name === listener);
      if (!l) throw new Error(`no listener ${listener}`);
      return `127.0.0.1:${l.port}`;
    },
    async waitForLog(match, ms = 5000) {
      const deadline = Date.now() + ms;
      for (;;) {
        const found = logs.find(match);
        if (found) return found;
        if (Date.now() > deadline) throw new Error(`no matching log line; last lines:\n${logs.slice(-10).map((l) => JSON.stringify(l)).join('\n')}`);
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      await gateway.stop();
      if (!database) await db.drop();
    },
  };
}
