/**
 * Helpers for the "streams in SQL" tests: SQL sessions on a gateway's database, topics, and a raw
 * long-poll Fetch that shows exactly when a Kafka consumer would see a record.
 */
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import { decodeResponse } from '../../src/protocol/protocol.js';
import { computeBatchCrc, decodeBatchRecords, readBatchHeader, splitBatches } from '../../src/records/batch.js';
import type { TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
import { applyMigrations } from '../../src/storage/pg/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { createTopic as createTopicIn } from '../support/gateway.js';

/** int8 as bigint, as the gateway's own pool reads it. */
const INT8_OID = 20;
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (v: string) => BigInt(v);
    return pg.types.getTypeParser(oid, format);
  },
};

/** A SQL session, as an application would open one. Call end() when done. */
export async function sqlSession(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, types });
  client.on('error', () => undefined);
  await client.connect();
  return client;
}

/**
 * A fresh database with kpg's schema and a SQL session on it, for the enclosing file or describe block:
 * made before its tests, dropped after them.
 */
export function useMigratedDatabase(): { readonly database: TestDatabase; readonly db: pg.Client } {
  const state = {} as { database: TestDatabase; db: pg.Client };
  beforeAll(async () => {
    state.database = await createTestDatabase();
    await applyMigrations(state.database.url);
    state.db = await sqlSession(state.database.url);
  });
  afterAll(async () => {
    await state.db?.end();
    await state.database?.drop();
  });
  return state;
}

/** A URL for the same database under another role. */
export function urlAs(url: string, user: string, password: string): string {
  const u = new URL(url);
  u.username = user;
  u.password = password;
  return u.toString();
}

export async function createTopic(kpg: TestGateway, name: string, partitions = 1, configs: Record<string, string> = {}): Promise<void> {
  await createTopicIn(kpg.gateway, name, partitions, configs);
}

export interface FetchedRecord {
  offset: bigint;
  timestamp: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: { key: string; value: Buffer | null }[];
}

export interface FetchedPartition {
  errorCode: number;
  highWatermark: bigint;
  records: FetchedRecord[];
  /** Whether every fetched batch's CRC-32C matches its bytes (what Java consumers check). */
  crcValid: boolean;
}

/**
 * A consumer's view of one partition: one Fetch (v11, what kafkajs and librdkafka use) from `offset`,
 * waiting up to `maxWaitMs` for at least one byte. `waitForResponseMs` bounds how long this helper waits for
 * the answer; make it shorter than maxWaitMs to prove that the gateway answered because data arrived.
 */
export async function fetchOnce(
  bootstrap: string,
  topic: string,
  partition: number,
  offset: bigint,
  maxWaitMs: number,
  waitForResponseMs = maxWaitMs + 10_000,
): Promise<FetchedPartition> {
  const client = await RawClient.connect(bootstrap);
  try {
    const version = 11;
    const id = client.send(1, version, {
      replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 50 * 1024 * 1024, isolationLevel: 1, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 10 * 1024 * 1024 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const frame = await client.nextFrame(waitForResponseMs);
    if (!frame) throw new Error('the gateway closed the connection');
    const { correlationId, body } = decodeResponse(frame, 1, version);
    if (correlationId !== id) throw new Error('unexpected correlation id');
    const p = body.responses[0].partitions[0];
    const records: FetchedRecord[] = [];
    let crcValid = true;
    for (const batch of splitBatches(p.records ?? Buffer.alloc(0))) {
      const header = readBatchHeader(batch);
      if (computeBatchCrc(batch) !== header.crc) crcValid = false;
      const logAppend = (header.attributes & 0x08) !== 0;
      for (const r of await decodeBatchRecords(batch)) {
        const recordOffset = header.baseOffset + BigInt(r.offsetDelta);
        if (recordOffset < offset) continue;
        records.push({
          offset: recordOffset,
          timestamp: logAppend ? header.maxTimestamp : header.baseTimestamp + r.timestampDelta,
          key: r.key,
          value: r.value,
          headers: r.headers,
        });
      }
    }
    return { errorCode: p.errorCode, highWatermark: p.highWatermark, records, crcValid };
  } finally {
    client.close();
  }
}

/** Every record of a partition as consumers see it, reading until the high watermark. */
export async function consumeAll(bootstrap: string, topic: string, partition: number): Promise<FetchedPartition> {
  const all: FetchedRecord[] = [];
  let offset = 0n;
  let crcValid = true;
  for (;;) {
    const page = await fetchOnce(bootstrap, topic, partition, offset, 0);
    if (page.errorCode !== 0) return { ...page, records: all };
    crcValid &&= page.crcValid;
    all.push(...page.records);
    if (page.records.length > 0) offset = page.records[page.records.length - 1]!.offset + 1n;
    if (page.records.length === 0 || offset >= page.highWatermark) {
      return { errorCode: 0, highWatermark: page.highWatermark, records: all, crcValid };
    }
  }
}

export const text = (b: Buffer | null | undefined): string | null => (b === null || b === undefined ? null : b.toString('utf8'));

/** A batch in its stored form (records uncompressed), with what kpg.append_batches is told about it. */
export interface BatchToAppend {
  topicId: string;
  partition: number;
  batch: Buffer;
  recordCount: number;
  maxTimestamp: bigint;
  maxTimestampDelta: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
}

/**
 * Calls kpg.append_batches exactly as the gateway's record store does (one transaction per call here).
 * Returns one result per batch, in order.
 */
export async function appendBatches(
  db: pg.Client,
  batches: readonly BatchToAppend[],
): Promise<{ baseOffset: bigint; errorCode: number }[]> {
  const { rows } = await db.query<{ idx: number; base_offset: bigint; error_code: number }>(
    `SELECT idx, base_offset, error_code
       FROM kpg.append_batches($1::uuid[], $2::int[], $3::bytea, $4::int[], $5::int[], $6::bigint[], $7::int[],
                               $8::bigint[], $9::smallint[], $10::int[], false)`,
    [
      batches.map((b) => b.topicId),
      batches.map((b) => b.partition),
      Buffer.concat(batches.map((b) => b.batch)),
      batches.map((b) => b.batch.length),
      batches.map((b) => b.recordCount),
      batches.map((b) => b.maxTimestamp.toString()),
      batches.map((b) => b.maxTimestampDelta),
      batches.map((b) => (b.producerId ?? -1n).toString()),
      batches.map((b) => b.producerEpoch ?? -1),
      batches.map((b) => b.baseSequence ?? -1),
    ],
  );
  return rows.sort((a, b) => a.idx - b.idx).map((r) => ({ baseOffset: BigInt(r.base_offset), errorCode: r.error_code }));
}

/** A topic written straight into kpg's tables (no gateway needed); returns its id. */
export async function insertTopic(db: pg.Client, name: string, partitions = 1, configs: Record<string, string> = {}): Promise<string> {
  const { rows } = await db.query<{ topic_id: string }>(
    `INSERT INTO kpg.topics (topic_id, name, partition_count) VALUES (gen_random_uuid(), $1, $2) RETURNING topic_id`,
    [name, partitions],
  );
  const topicId = rows[0]!.topic_id;
  await db.query(
    `INSERT INTO kpg.partitions (topic_id, partition, replicas) SELECT $1, p, '{0}' FROM generate_series(0, $2 - 1) AS p`,
    [topicId, partitions],
  );
  for (const [config, value] of Object.entries(configs)) {
    await db.query('INSERT INTO kpg.topic_configs (topic_id, name, value) VALUES ($1, $2, $3)', [topicId, config, value]);
  }
  return topicId;
}

/** A header as kpg.records shows it. */
export interface SqlHeader {
  key: string;
  value: string | null;
  key_encoding?: string;
  value_encoding?: string;
}

/** The bytes of a header shown by kpg.records, however it is encoded there. */
export function headerBytes(h: SqlHeader): { key: Buffer; value: Buffer | null } {
  return {
    key: Buffer.from(h.key, h.key_encoding === 'base64' ? 'base64' : 'utf8'),
    value: h.value === null ? null : Buffer.from(h.value, h.value_encoding === 'base64' ? 'base64' : 'utf8'),
  };
}
