/**
 * A gateway on a fresh test database, listening on a free loopback port, for one test file.
 */
import { pino } from 'pino';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface TestGateway {
  gateway: Gateway;
  database: TestDatabase;
  bootstrap: string;
  stop(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Reuse a database (several gateways on one Postgres); a fresh one by default. */
  database?: TestDatabase;
  brokerConfigs?: Record<string, string>;
  /** Serve the web console (0: on a free port). */
  consolePort?: number;
  consoleLagSampleIntervalMs?: number;
}

export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const database = options.database ?? (await createTestDatabase());
  const ownsDatabase = !options.database;
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    dataDir: '',
    brokerConfigs: new Map(Object.entries(options.brokerConfigs ?? {})),
    consolePort: options.consolePort,
    consoleLagSampleIntervalMs: options.consoleLagSampleIntervalMs,
    logger: pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'silent' }),
  });
  return {
    gateway,
    database,
    bootstrap: `127.0.0.1:${gateway.port}`,
    async stop() {
      await gateway.stop();
      if (ownsDatabase) await database.drop();
    },
  };
}

/** Creates a topic directly in a gateway's storage (every partition on that gateway), failing if it exists. */
export async function createTopic(gateway: Gateway, name: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> {
  const result = await gateway.services.topics.create({
    name,
    replicationFactor: 1,
    assignment: Array.from({ length: partitions }, () => [gateway.nodeId]),
    configs: new Map(Object.entries(configs)),
  });
  if (!('created' in result)) throw new Error(`topic ${name} could not be created: ${JSON.stringify(result)}`);
}
