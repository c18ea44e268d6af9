/**
 * Reads a partition with plain Fetch requests (no consumer group), decoding batches with kpg's record
 * code, for tests that check what was stored. Consumption by real clients is tested elsewhere.
 */
import { decodeBatchRecords, readBatchHeader, splitBatches } from '../../src/records/batch.js';
import { RawClient } from './raw-client.js';

export interface ReadRecord {
  offset: bigint;
  timestamp: bigint;
  key: string | null;
  value: string | null;
  /** The key and value as stored (binary records, e.g. __consumer_offsets). */
  keyBytes: Buffer | null;
  valueBytes: Buffer | null;
  headers: { key: string; value: string | null }[];
}

export async function readPartition(bootstrap: string, topic: string, partition: number, fromOffset = 0n, maxWaitMs = 0): Promise<{ records: ReadRecord[]; highWatermark: bigint; errorCode: number }> {
  const client = await RawClient.connect(bootstrap);
  const out: ReadRecord[] = [];
  let offset = fromOffset;
  let highWatermark = -1n;
  try {
    for (;;) {
      const { body } = await client.request(1, 11, {
        replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 50 * 1024 * 1024, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
        topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1n, partitionMaxBytes: 10 * 1024 * 1024 }] }],
        forgottenTopicsData: [], rackId: '',
      });
      const p = body.responses[0].partitions[0];
      if (p.errorCode !== 0) return { records: out, highWatermark: p.highWatermark, errorCode: p.errorCode };
      highWatermark = p.highWatermark;
      const batches = splitBatches(p.records ?? Buffer.alloc(0));
      if (batches.length === 0) break;
      for (const batch of batches) {
        const header = readBatchHeader(batch);
        const logAppend = (header.attributes & 0x08) !== 0;
        for (const rec of await decodeBatchRecords(batch)) {
          const recordOffset = header.baseOffset + BigInt(rec.offsetDelta);
          if (recordOffset < offset) continue;
          out.push({
            offset: recordOffset,
            timestamp: logAppend ? header.maxTimestamp : header.baseTimestamp + rec.timestampDelta,
            key: rec.key?.toString('utf8') ?? null,
            value: rec.value?.toString('utf8') ?? null,
            keyBytes: rec.key ?? null,
            valueBytes: rec.value ?? null,
            headers: rec.headers.map((h) => ({ key: h.key, value: h.value?.toString('utf8') ?? null })),
          });
        }
        offset = header.baseOffset + BigInt(header.lastOffsetDelta) + 1n;
      }
      if (offset >= highWatermark) break;
    }
  } finally {
    client.close();
  }
  return { records: out, highWatermark, errorCode: 0 };
}
