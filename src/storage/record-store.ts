/**
 * Appending and reading record batches: the SQL behind Produce and Fetch.
 *
 * Appends go through a group commit: requests that arrive while a transaction is in flight are
 * gathered into the next one, so many small produce requests share one WAL flush. Several transactions
 * may run at once (up to `appendConcurrency`), since Postgres flushes concurrent commits together too.
 * Each request learns its own outcome; nothing is answered before its transaction has committed.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import { copyBinaryRows, sqlLiteral } from './binary-copy.js';

export interface AppendBatch {
  topicId: string;
  partition: number;
  /** The batch to store: whole v2 batch, records uncompressed, CRC valid. */
  batch: Buffer;
  recordCount: number;
  maxTimestamp: bigint;
  /** Offset delta of the record carrying maxTimestamp. */
  maxTimestampDelta: number;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
}

export interface AppendResult {
  errorCode: number;
  baseOffset: bigint;
  logStartOffset: bigint;
}

interface PendingAppend {
  batches: AppendBatch[];
  /** `topicId:partition` of every batch. */
  partitions: Set<string>;
  fromSql: boolean;
  resolve: (results: AppendResult[]) => void;
  reject: (err: unknown) => void;
}

export interface StoredBatches {
  highWatermark: bigint;
  logStartOffset: bigint;
  /** Whole batches in offset order, the first one containing the requested offset. */
  batches: Buffer[];
  bytes: number;
}

export interface PartitionOffsets {
  highWatermark: bigint;
  logStartOffset: bigint;
}

const APPEND_SQL = `SELECT idx, base_offset, log_start_offset, error_code
  FROM kpg.append_batches($1::uuid[], $2::int[], $3::bytea, $4::int[], $5::int[], $6::bigint[], $7::int[], $8::bigint[], $9::smallint[], $10::int[], $11::boolean)`;

/** Upper bound of batches read for one partition in one fetch (the byte limit usually stops sooner). */
const MAX_BATCHES_PER_READ = 500;

export class RecordStore {
  private readonly queue: PendingAppend[] = [];
  private inFlight = 0;
  /** Partitions written by transactions in flight: later appends to them wait, so order is kept. */
  private readonly busyPartitions = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly appendConcurrency = 4,
  ) {}

  /** Appends one request's batches; resolves with a result per batch, in order, once committed. */
  append(batches: AppendBatch[], fromSql = false): Promise<AppendResult[]> {
    if (batches.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const partitions = new Set(batches.map((b) => `${b.topicId}:${b.partition}`));
      this.queue.push({ batches, partitions, fromSql, resolve, reject });
      this.flush();
    });
  }

  /**
   * Starts transactions for queued appends, up to `appendConcurrency` at once. An append whose partition
   * is written by a transaction in flight waits for it (and so does every later append to that
   * partition): appends to one partition commit in the order they were made, which idempotent producers
   * with several requests in flight rely on. Waiting costs nothing, since the partition's row lock would
   * serialise them anyway, and the waiters then share the next transaction.
   */
  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < this.appendConcurrency) {
      const fromSql = this.queue[0]!.fromSql;
      const blocked = new Set<string>();
      const group: PendingAppend[] = [];
      for (let i = 0; i < this.queue.length; ) {
        const pending = this.queue[i]!;
        const waits =
          pending.fromSql !== fromSql || [...pending.partitions].some((p) => this.busyPartitions.has(p) || blocked.has(p));
        if (waits) {
          for (const p of pending.partitions) blocked.add(p);
          i++;
          continue;
        }
        group.push(pending);
        this.queue.splice(i, 1);
      }
      if (group.length === 0) return;
      const partitions = new Set(group.flatMap((p) => [...p.partitions]));
      for (const p of partitions) this.busyPartitions.set(p, (this.busyPartitions.get(p) ?? 0) + 1);
      this.inFlight++;
      void this.commitGroup(group, fromSql).finally(() => {
        for (const p of partitions) {
          const n = this.busyPartitions.get(p)! - 1;
          if (n === 0) this.busyPartitions.delete(p);
          else this.busyPartitions.set(p, n);
        }
        this.inFlight--;
        this.flush();
      });
    }
  }

  private async commitGroup(group: PendingAppend[], fromSql: boolean): Promise<void> {
    try {
      const results = await this.appendInOneTransaction(group.flatMap((p) => p.batches), fromSql);
      let i = 0;
      for (const pending of group) {
        pending.resolve(results.slice(i, i + pending.batches.length));
        i += pending.batches.length;
      }
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(err);
        return;
      }
      // One bad request must not fail its neighbours: retry each on its own.
      this.log.warn({ err, requests: group.length }, 'group append failed; retrying requests one by one');
      // In order, and before the partitions count as free again, so ordering still holds.
      for (const pending of group) {
        await this.appendInOneTransaction(pending.batches, fromSql).then(pending.resolve, pending.reject);
      }
    }
  }

  private async appendInOneTransaction(batches: AppendBatch[], fromSql: boolean): Promise<AppendResult[]> {
    // A single statement runs as its own transaction: one round trip, one commit.
    const { rows } = await this.pool.query<{ idx: number; base_offset: bigint; log_start_offset: bigint; error_code: number }>(
      APPEND_SQL,
      [
        batches.map((b) => b.topicId),
        batches.map((b) => b.partition),
        batches.length === 1 ? batches[0]!.batch : Buffer.concat(batches.map((b) => b.batch)),
        batches.map((b) => b.batch.length),
        batches.map((b) => b.recordCount),
        batches.map((b) => b.maxTimestamp.toString()),
        batches.map((b) => b.maxTimestampDelta),
        batches.map((b) => b.producerId.toString()),
        batches.map((b) => b.producerEpoch),
        batches.map((b) => b.baseSequence),
        fromSql,
      ],
    );
    const results = new Array<AppendResult>(batches.length);
    for (const r of rows) {
      results[r.idx - 1] = { errorCode: r.error_code, baseOffset: r.base_offset, logStartOffset: r.log_start_offset };
    }
    return results;
  }

  /**
   * Reads whole batches of one partition from `fetchOffset`, up to `maxBytes` (the first batch always,
   * when `allowOversized`, so a consumer can make progress past a batch larger than its limit).
   * Returns null when the partition does not exist.
   */
  async read(topicId: string, partition: number, fetchOffset: bigint, maxBytes: number, allowOversized: boolean): Promise<StoredBatches | null> {
    // Binary COPY (see binary-copy.ts): the batches arrive as raw bytes instead of hex text.
    const rows = await copyBinaryRows(
      this.pool,
      `SELECT p.next_offset, p.log_start_offset, b.batch
         FROM kpg.partitions p
         LEFT JOIN LATERAL (
           SELECT w.batch, w.last_offset FROM (
             SELECT rb.batch, rb.last_offset, rb.size_bytes,
                    sum(rb.size_bytes) OVER (ORDER BY rb.last_offset) - rb.size_bytes AS bytes_before
               FROM kpg.record_batches rb
              WHERE rb.topic_id = p.topic_id AND rb.partition = p.partition
                AND rb.last_offset >= ${sqlLiteral(fetchOffset)} AND rb.base_offset < p.next_offset
              ORDER BY rb.last_offset
              LIMIT ${MAX_BATCHES_PER_READ}
           ) w
           WHERE (w.bytes_before = 0 AND ${sqlLiteral(allowOversized)}) OR w.bytes_before + w.size_bytes <= ${sqlLiteral(maxBytes)}
         ) b ON true
        WHERE p.topic_id = ${sqlLiteral(topicId)} AND p.partition = ${sqlLiteral(partition)}
        ORDER BY b.last_offset`,
    );
    if (rows.length === 0) return null;
    const batches: Buffer[] = [];
    let bytes = 0;
    for (const [, , batch] of rows) {
      if (batch) {
        batches.push(batch);
        bytes += batch.length;
      }
    }
    const [nextOffset, logStartOffset] = rows[0]!;
    return { highWatermark: nextOffset!.readBigInt64BE(0), logStartOffset: logStartOffset!.readBigInt64BE(0), batches, bytes };
  }

  /** A new producer id, unique across gateways (a sequence), with epoch 0. */
  async newProducerId(transactionTimeoutMs: number | null): Promise<{ producerId: bigint; producerEpoch: number }> {
    const { rows } = await this.pool.query<{ producer_id: bigint }>(
      `INSERT INTO kpg.producers (producer_id, producer_epoch, transaction_timeout_ms)
       VALUES (nextval('kpg.producer_ids'), 0, $1) RETURNING producer_id`,
      [transactionTimeoutMs],
    );
    return { producerId: rows[0]!.producer_id, producerEpoch: 0 };
  }

  /** High watermark and log start offset of partitions, keyed `topicId:partition`. */
  async offsets(partitions: readonly { topicId: string; partition: number }[]): Promise<Map<string, PartitionOffsets>> {
    const { rows } = await this.pool.query<{ topic_id: string; partition: number; next_offset: bigint; log_start_offset: bigint }>(
      `SELECT p.topic_id, p.partition, p.next_offset, p.log_start_offset
         FROM kpg.partitions p
         JOIN unnest($1::uuid[], $2::int[]) AS r(topic_id, partition)
           ON p.topic_id = r.topic_id AND p.partition = r.partition`,
      [partitions.map((p) => p.topicId), partitions.map((p) => p.partition)],
    );
    return new Map(rows.map((r) => [`${r.topic_id}:${r.partition}`, { highWatermark: r.next_offset, logStartOffset: r.log_start_offset }]));
  }
}
