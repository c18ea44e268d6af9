/**
 * What every admin test file starts from: a gateway on a fresh database, a raw Kafka connection to it
 * (for versions and fields the real clients do not send) and a SQL connection to look at what was stored.
 */
import pg from 'pg';
import { expect } from 'vitest';
import { ErrorCode } from '../../../src/protocol/error-codes.js';
import { startTestGateway, type TestGateway } from '../../support/gateway.js';
import { RawClient } from '../../support/raw-client.js';

export interface AdminGateway {
  kpg: TestGateway;
  raw: RawClient;
  db: pg.Client;
  stop(): Promise<void>;
}

export async function startAdminGateway(brokerConfigs?: Record<string, string>): Promise<AdminGateway> {
  const kpg = await startTestGateway({ brokerConfigs });
  const raw = await RawClient.connect(kpg.bootstrap);
  const db = new pg.Client({ connectionString: kpg.database.url });
  await db.connect();
  return {
    kpg, raw, db,
    async stop() {
      raw.close();
      await db.end();
      await kpg.stop();
    },
  };
}

/** Creates a topic with a CreateTopics v7 request, expects success and returns the topic id. */
export async function createTopicOverKafka(
  raw: RawClient, name: string, partitions = 1, configs: { name: string; value: string }[] = [],
): Promise<string> {
  const { body } = await raw.request(19, 7, {
    topics: [{ name, numPartitions: partitions, replicationFactor: -1, assignments: [], configs }],
    timeoutMs: 30_000,
    validateOnly: false,
  });
  expect(body.topics[0].errorCode).toBe(ErrorCode.NONE);
  return body.topics[0].topicId as string;
}
