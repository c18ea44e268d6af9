/**
 * The log facet on Postgres: appending and reading record batches (the SQL behind Produce and Fetch),
 * partition states, timestamp lookups, DeleteRecords, sizes and producer ids.
 *
 * Appends go through a group commit: requests that arrive while a transaction is in flight are
 * gathered into the next one, so many small produce requests share one WAL flush. Several transactions
 * may run at once (up to APPEND_CONCURRENCY), since Postgres flushes concurrent commits together too.
 * Each request learns its own outcome; nothing is answered before its transaction has committed.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type {
  AppendBatch,
  AppendResult,
  DeleteRecordsOutcome,
  LogStorage,
  PartitionState,
  StoredBatch,
  StoredBatches,
  TopicPartition,
} from '../log.js';
import { partitionKey } from '../partition-key.js';
import { IGNORING_OBSERVER, type StorageObserver } from '../storage.js';
import { copyBinaryRows, sqlLiteral } from './binary-copy.js';
import { timed } from './timed.js';
import { inTransaction } from './transaction.js';

interface PendingAppend {
  batches: AppendBatch[];
  /** partitionKey of every batch. */
  partitions: Set<string>;
  resolve: (results: AppendResult[]) => void;
  reject: (err: unknown) => void;
}

const APPEND_SQL = `SELECT idx, base_offset, log_start_offset, error_code
  FROM kpg.append_batches($1::uuid[], $2::int[], $3::bytea, $4::int[], $5::int[], $6::bigint[], $7::int[], $8::bigint[], $9::smallint[], $10::int[], $11::boolean)`;

/** Append transactions in flight at once. */
const APPEND_CONCURRENCY = 4;

/** Upper bound of batches read for one partition in one fetch (the byte limit usually stops sooner). */
const MAX_BATCHES_PER_READ = 500;

export class PgLogStorage implements LogStorage {
  private readonly logStartListeners: (() => void)[] = [];
  private readonly queue: PendingAppend[] = [];
  private inFlight = 0;
  /** Partitions written by transactions in flight: later appends to them wait, so order is kept. */
  private readonly busyPartitions = new Map<string, number>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly observer: StorageObserver = IGNORING_OBSERVER,
  ) {}

  /** Appends one request's batches; resolves with a result per batch, in order, once committed. */
  append(batches: AppendBatch[]): Promise<AppendResult[]> {
    if (batches.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      const partitions = new Set(batches.map((b) => partitionKey(b.topicId, b.partition)));
      this.queue.push({ batches, partitions, resolve, reject });
      this.flush();
    });
  }

  /**
   * Starts transactions for queued appends, up to APPEND_CONCURRENCY at once. An append whose partition
   * is written by a transaction in flight waits for it (and so does every later append to that
   * partition): appends to one partition commit in the order they were made, which idempotent producers
   * with several requests in flight rely on. Waiting costs nothing, since the partition's row lock would
   * serialise them anyway, and the waiters then share the next transaction.
   */
  private flush(): void {
    while (this.queue.length > 0 && this.inFlight < APPEND_CONCURRENCY) {
      const blocked = new Set<string>();
      const group: PendingAppend[] = [];
      for (let i = 0; i < this.queue.length; ) {
        const pending = this.queue[i]!;
        const waits = [...pending.partitions].some((p) => this.busyPartitions.has(p) || blocked.has(p));
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
      void this.commitGroup(group).finally(() => {
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

  private async commitGroup(group: PendingAppend[]): Promise<void> {
    try {
      const batches = group.flatMap((p) => p.batches);
      const results = await this.appendInOneTransaction(batches);
      let records = 0;
      for (const b of batches) records += b.recordCount;
      this.observer.groupCommitted(group.length, records);
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
        await this.appendInOneTransaction(pending.batches).then((results) => {
          let records = 0;
          for (const b of pending.batches) records += b.recordCount;
          this.observer.groupCommitted(1, records);
          pending.resolve(results);
        }, pending.reject);
      }
    }
  }

  private async appendInOneTransaction(batches: AppendBatch[]): Promise<AppendResult[]> {
    // A single statement runs as its own transaction: one round trip, one commit.
    const started = performance.now();
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
        // from_sql: appends through the Kafka protocol (kpg.produce appends in SQL itself)
        false,
      ],
    ).finally(() => this.observer.queryTimed('append', (performance.now() - started) / 1000));
    const results = new Array<AppendResult>(batches.length);
    for (const r of rows) {
      results[r.idx - 1] = { errorCode: r.error_code, baseOffset: r.base_offset, logStartOffset: BigInt(r.log_start_offset) };
    }
    return results;
  }

  async read(topicId: string, partition: number, fetchOffset: bigint, maxBytes: number): Promise<StoredBatches | null> {
    // Binary COPY (see binary-copy.ts): the batches arrive as raw bytes instead of hex text.
    const rows = await timed(this.observer, 'read', () => copyBinaryRows(
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
           WHERE w.bytes_before = 0 OR w.bytes_before + w.size_bytes <= ${sqlLiteral(maxBytes)}
         ) b ON true
        WHERE p.topic_id = ${sqlLiteral(topicId)} AND p.partition = ${sqlLiteral(partition)}
        ORDER BY b.last_offset`,
    ));
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

  async newProducerId(): Promise<{ producerId: bigint; producerEpoch: number }> {
    const { rows } = await this.pool.query<{ producer_id: bigint }>(
      `INSERT INTO kpg.producers (producer_id, producer_epoch) VALUES (nextval('kpg.producer_ids'), 0) RETURNING producer_id`,
    );
    return { producerId: rows[0]!.producer_id, producerEpoch: 0 };
  }

  async partitionStates(partitions: readonly TopicPartition[]): Promise<Map<string, PartitionState>> {
    if (partitions.length === 0) return new Map();
    const started = performance.now();
    const { rows } = await this.pool.query<{
      topic_id: string;
      partition: number;
      next_offset: bigint;
      log_start_offset: bigint;
      max_timestamp: bigint;
      max_timestamp_offset: bigint;
      leader_epoch: number;
    }>(
      `SELECT p.topic_id, p.partition, p.next_offset, p.log_start_offset, p.max_timestamp, p.max_timestamp_offset, p.leader_epoch
         FROM kpg.partitions p
         JOIN unnest($1::uuid[], $2::int[]) AS r(topic_id, partition)
           ON p.topic_id = r.topic_id AND p.partition = r.partition`,
      [partitions.map((p) => p.topicId), partitions.map((p) => p.partition)],
    ).finally(() => this.observer.queryTimed('partition_states', (performance.now() - started) / 1000));
    return new Map(
      rows.map((r) => [
        partitionKey(r.topic_id, r.partition),
        {
          topicId: r.topic_id,
          partition: r.partition,
          nextOffset: BigInt(r.next_offset),
          logStartOffset: r.log_start_offset,
          maxTimestamp: BigInt(r.max_timestamp),
          maxTimestampOffset: BigInt(r.max_timestamp_offset),
          leaderEpoch: r.leader_epoch,
        },
      ]),
    );
  }

  /** The running-maximum time index finds where the partition first reached `timestamp`; every batch before that point is older. */
  async firstBatchReaching(topicId: string, partition: number, timestamp: bigint, fromOffset: bigint): Promise<StoredBatch | null> {
    const crossing = await this.pool.query<{ base_offset: bigint }>(
      `SELECT base_offset FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND time_index >= $3
        ORDER BY time_index, last_offset LIMIT 1`,
      [topicId, partition, timestamp.toString()],
    );
    if (crossing.rows.length === 0) return null;
    const crossed = BigInt(crossing.rows[0]!.base_offset);
    const start = crossed > fromOffset ? crossed : fromOffset;
    const { rows } = await this.pool.query<StoredBatchRow>(
      `SELECT base_offset, last_offset, max_timestamp, batch FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3 AND max_timestamp >= $4
        ORDER BY last_offset LIMIT 1`,
      [topicId, partition, start.toString(), timestamp.toString()],
    );
    return rows[0] ? toStoredBatch(rows[0]) : null;
  }

  async batchWithMaxTimestamp(topicId: string, partition: number, fromOffset: bigint): Promise<StoredBatch | null> {
    const { rows } = await this.pool.query<StoredBatchRow>(
      `SELECT base_offset, last_offset, max_timestamp, batch FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3
        ORDER BY max_timestamp DESC, last_offset LIMIT 1`,
      [topicId, partition, fromOffset.toString()],
    );
    return rows[0] ? toStoredBatch(rows[0]) : null;
  }

  async deleteRecords(topicId: string, partition: number, offset: bigint): Promise<DeleteRecordsOutcome> {
    const outcome = await inTransaction(this.pool, async (client): Promise<DeleteRecordsOutcome & { moved?: true }> => {
      const { rows } = await client.query<{ next_offset: bigint; log_start_offset: bigint }>(
        'SELECT next_offset, log_start_offset FROM kpg.partitions WHERE topic_id = $1 AND partition = $2 FOR UPDATE',
        [topicId, partition],
      );
      if (rows.length === 0) return { unknownPartition: true } as const;
      const highWatermark = BigInt(rows[0]!.next_offset);
      const current = BigInt(rows[0]!.log_start_offset);
      const target = offset === -1n ? highWatermark : offset;
      if (target < 0n || target > highWatermark) return { outOfRange: { highWatermark } };
      if (target <= current) return { lowWatermark: current };
      await client.query('UPDATE kpg.partitions SET log_start_offset = $3 WHERE topic_id = $1 AND partition = $2', [
        topicId,
        partition,
        target.toString(),
      ]);
      return { lowWatermark: target, moved: true };
    });
    if ('moved' in outcome && 'lowWatermark' in outcome) {
      for (const listener of this.logStartListeners) listener();
      return { lowWatermark: outcome.lowWatermark };
    }
    return outcome;
  }

  onLogStartMoved(listener: () => void): void {
    this.logStartListeners.push(listener);
  }

  async partitionSizes(topicIds: readonly string[] | null): Promise<Map<string, bigint>> {
    const { rows } = await this.pool.query<{ topic_id: string; partition: number; bytes: string }>(
      `SELECT rb.topic_id, rb.partition, sum(rb.size_bytes)::text AS bytes
         FROM kpg.record_batches rb
         JOIN kpg.partitions p ON p.topic_id = rb.topic_id AND p.partition = rb.partition
        WHERE $1::uuid[] IS NULL OR rb.topic_id = ANY($1::uuid[])
        GROUP BY rb.topic_id, rb.partition`,
      [topicIds === null ? null : [...topicIds]],
    );
    return new Map(rows.map((r) => [partitionKey(r.topic_id, r.partition), BigInt(r.bytes)]));
  }
}

interface StoredBatchRow {
  base_offset: bigint;
  last_offset: bigint;
  max_timestamp: bigint;
  batch: Buffer;
}

function toStoredBatch(r: StoredBatchRow): StoredBatch {
  return { baseOffset: BigInt(r.base_offset), lastOffset: BigInt(r.last_offset), maxTimestamp: BigInt(r.max_timestamp), batch: r.batch };
}
