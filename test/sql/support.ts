/**
 * Helpers for the "streams in SQL" tests: SQL sessions on a gateway's database, topics, and a raw
 * long-poll Fetch that shows exactly when a Kafka consumer would see a record.
 */
import pg from 'pg';
import { decodeResponse } from '../../src/protocol/protocol.js';
import { computeBatchCrc, decodeBatchRecords, readBatchHeader, splitBatches } from '../../src/records/batch.js';
import type { TestGateway } from '../support/gateway.js';
import { RawClient } from '../support/raw-client.js';
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
