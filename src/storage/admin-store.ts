/**
 * The SQL behind topic and configuration administration: creating, deleting and growing topics, topic
 * and broker configs, log start offsets (DeleteRecords, retention), offset lookups (ListOffsets), sizes
 * (DescribeLogDirs), and the chunked reclaiming of record batches nobody can read any more.
 *
 * Every change that touches more than one row runs in one transaction and announces itself with NOTIFY
 * in that transaction (kpg_topics '<topic_id>' for topic shape, kpg_config '<topic_id>' or 'broker' for
 * configs), so other gateways drop their caches exactly when the change becomes visible. All statements
 * are parameterised.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { Logger } from 'pino';
import { collisionKey } from '../topics/names.js';
import { Channel } from './notifications.js';
import type { TopicRecord } from './store.js';
import { inTransaction } from './transaction.js';

/** Advisory lock namespaces (first key of the two-key form): "kpg" + a digit. */
const TOPIC_NAME_LOCK = 0x6b706702;
const BROKER_CONFIG_LOCK = 0x6b706703;
/** Session lock one gateway holds while it reclaims storage, so gateways do not compete for the same rows. */
const REAPER_LOCK = 0x6b706704;

export interface RegisteredBroker {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
  live: boolean;
}

export interface NewTopicSpec {
  name: string;
  replicationFactor: number;
  /** Replica node ids per partition, partition 0 first. */
  assignment: number[][];
  /** The topic's own configs, already validated. */
  configs: ReadonlyMap<string, string>;
}

export type CreateTopicOutcome =
  | { created: TopicRecord }
  | { alreadyExists: true }
  | { collidesWith: string };

export interface PartitionState {
  topicId: string;
  partition: number;
  nextOffset: bigint;
  logStartOffset: bigint;
  maxTimestamp: bigint;
  maxTimestampOffset: bigint;
  leaderEpoch: number;
}

export interface StoredBatch {
  baseOffset: bigint;
  lastOffset: bigint;
  maxTimestamp: bigint;
  batch: Buffer;
}

export type DeleteRecordsOutcome =
  | { lowWatermark: bigint }
  | { unknownPartition: true }
  | { outOfRange: { highWatermark: bigint } };

/** Thrown from an alter callback to refuse the change; the transaction rolls back. */
export class AlterRefused extends Error {
  constructor(readonly errorCode: number, message: string) {
    super(message);
  }
}

export class AdminStore {
  private readonly logStartListeners: (() => void)[] = [];

  constructor(
    readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** Called after DeleteRecords moved a log start on this gateway (the reaper reclaims below it). */
  onLogStartMoved(listener: () => void): void {
    this.logStartListeners.push(listener);
  }

  /** Every gateway that ever registered, with whether it heartbeat within the session timeout. */
  async registeredBrokers(sessionTimeoutMs: number): Promise<RegisteredBroker[]> {
    const { rows } = await this.pool.query<{ node_id: number; host: string; port: number; rack: string | null; live: boolean }>(
      `SELECT node_id, host, port, rack,
              last_heartbeat > now() - make_interval(secs => $1::double precision / 1000) AS live
         FROM kpg.brokers ORDER BY node_id`,
      [sessionTimeoutMs],
    );
    return rows.map((r) => ({ nodeId: r.node_id, host: r.host, port: r.port, rack: r.rack, live: r.live }));
  }

  /** An existing topic whose name equals `name` once "." and "_" are treated alike, if any. */
  async collidingTopic(name: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ name: string }>(
      `SELECT name FROM kpg.topics WHERE replace(name, '.', '_') = $1 AND name <> $2 ORDER BY name LIMIT 1`,
      [collisionKey(name), name],
    );
    return rows[0]?.name ?? null;
  }

  async topicNameExists(name: string): Promise<boolean> {
    const { rowCount } = await this.pool.query('SELECT 1 FROM kpg.topics WHERE name = $1', [name]);
    return (rowCount ?? 0) > 0;
  }

  /**
   * Creates one topic, its partitions and its configs in one transaction. Creations of names that
   * collide take the same advisory lock, so two of them can never both succeed.
   */
  async createTopic(spec: NewTopicSpec): Promise<CreateTopicOutcome> {
    return this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TOPIC_NAME_LOCK, collisionKey(spec.name)]);
      const colliding = await client.query<{ name: string }>(
        `SELECT name FROM kpg.topics WHERE replace(name, '.', '_') = $1 AND name <> $2 ORDER BY name LIMIT 1`,
        [collisionKey(spec.name), spec.name],
      );
      if (colliding.rows.length > 0) return { collidesWith: colliding.rows[0]!.name };
      const topicId = randomUUID();
      const inserted = await client.query(
        `INSERT INTO kpg.topics (topic_id, name, partition_count, replication_factor)
         VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
        [topicId, spec.name, spec.assignment.length, spec.replicationFactor],
      );
      if (inserted.rowCount === 0) return { alreadyExists: true } as const;
      await insertPartitions(client, topicId, 0, spec.assignment);
      if (spec.configs.size > 0) {
        await client.query(
          `INSERT INTO kpg.topic_configs (topic_id, name, value)
           SELECT $1, c.name, c.value FROM unnest($2::text[], $3::text[]) AS c(name, value)`,
          [topicId, [...spec.configs.keys()], [...spec.configs.values()]],
        );
      }
      await client.query('SELECT pg_notify($1, $2)', [Channel.topics, topicId]);
      return {
        created: {
          topicId,
          name: spec.name,
          isInternal: false,
          replicationFactor: spec.replicationFactor,
          partitions: spec.assignment.map((replicas, partition) => ({ partition, leaderEpoch: 0, replicas })),
        },
      };
    });
  }

  /**
   * Deletes a topic: its row, and with it (cascading) its partitions, configs, producer states and
   * committed offsets. Its record batches have no foreign key: the reaper reclaims them in bounded
   * chunks afterwards, so a topic of any size goes in one short transaction. Returns false when the
   * topic was already gone.
   */
  async deleteTopic(topicId: string): Promise<boolean> {
    return this.transaction(async (client) => {
      const deleted = await client.query('DELETE FROM kpg.topics WHERE topic_id = $1', [topicId]);
      if (deleted.rowCount === 0) return false;
      await client.query('SELECT pg_notify($1, $2)', [Channel.topics, topicId]);
      await client.query('SELECT pg_notify($1, $2)', [Channel.config, topicId]);
      return true;
    });
  }

  /** A topic's own configs (source TOPIC_CONFIG); empty when it has none or does not exist. */
  async topicOverrides(topicId: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ name: string; value: string | null }>(
      'SELECT name, value FROM kpg.topic_configs WHERE topic_id = $1 ORDER BY name',
      [topicId],
    );
    return new Map(rows.filter((r) => r.value !== null).map((r) => [r.name, r.value!]));
  }

  /**
   * Replaces a topic's own configs with what `compute` makes of the current ones, in one transaction
   * that holds the topic row, so concurrent alters apply one after the other. `compute` throws
   * AlterRefused to refuse. Returns false when the topic does not exist.
   */
  async alterTopicConfigs(
    topicId: string,
    compute: (current: ReadonlyMap<string, string>) => ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<boolean> {
    return this.transaction(async (client) => {
      const topic = await client.query('SELECT 1 FROM kpg.topics WHERE topic_id = $1 FOR NO KEY UPDATE', [topicId]);
      if (topic.rowCount === 0) return false;
      const { rows } = await client.query<{ name: string; value: string | null }>(
        'SELECT name, value FROM kpg.topic_configs WHERE topic_id = $1',
        [topicId],
      );
      const current = new Map(rows.filter((r) => r.value !== null).map((r) => [r.name, r.value!]));
      const next = compute(current);
      if (validateOnly) return true;
      await client.query('DELETE FROM kpg.topic_configs WHERE topic_id = $1', [topicId]);
      if (next.size > 0) {
        await client.query(
          `INSERT INTO kpg.topic_configs (topic_id, name, value)
           SELECT $1, c.name, c.value FROM unnest($2::text[], $3::text[]) AS c(name, value)`,
          [topicId, [...next.keys()], [...next.values()]],
        );
      }
      await client.query('SELECT pg_notify($1, $2)', [Channel.config, topicId]);
      return true;
    });
  }

  /**
   * Replaces the dynamic configs of one broker (-1: the cluster-wide default) with what `compute` makes
   * of the current ones; every gateway reloads on NOTIFY kpg_config 'broker'.
   */
  async alterBrokerConfigs(
    brokerId: number,
    compute: (current: ReadonlyMap<string, string>) => ReadonlyMap<string, string>,
    validateOnly: boolean,
  ): Promise<void> {
    await this.transaction(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, $2)', [BROKER_CONFIG_LOCK, brokerId]);
      const { rows } = await client.query<{ name: string; value: string | null }>(
        'SELECT name, value FROM kpg.broker_configs WHERE broker_id = $1',
        [brokerId],
      );
      const current = new Map(rows.filter((r) => r.value !== null).map((r) => [r.name, r.value!]));
      const next = compute(current);
      if (validateOnly) return;
      await client.query('DELETE FROM kpg.broker_configs WHERE broker_id = $1', [brokerId]);
      if (next.size > 0) {
        await client.query(
          `INSERT INTO kpg.broker_configs (broker_id, name, value)
           SELECT $1, c.name, c.value FROM unnest($2::text[], $3::text[]) AS c(name, value)`,
          [brokerId, [...next.keys()], [...next.values()]],
        );
      }
      await client.query('SELECT pg_notify($1, $2)', [Channel.config, 'broker']);
    });
  }

  /**
   * Adds partitions to a topic: `plan` gets the current partition count and the replicas of partition
   * 0, and returns the replicas of each new partition (or throws AlterRefused). Returns false when the
   * topic does not exist.
   */
  async addPartitions(
    topicId: string,
    plan: (currentCount: number, firstReplicas: readonly number[]) => number[][],
    validateOnly: boolean,
  ): Promise<boolean> {
    return this.transaction(async (client) => {
      const topic = await client.query<{ partition_count: number }>(
        'SELECT partition_count FROM kpg.topics WHERE topic_id = $1 FOR NO KEY UPDATE',
        [topicId],
      );
      if (topic.rowCount === 0) return false;
      const { rows } = await client.query<{ n: number; replicas: number[] | null }>(
        `SELECT count(*)::int AS n, (SELECT replicas FROM kpg.partitions WHERE topic_id = $1 AND partition = 0) AS replicas
           FROM kpg.partitions WHERE topic_id = $1`,
        [topicId],
      );
      const current = rows[0]!.n;
      const added = plan(current, rows[0]!.replicas ?? []);
      if (validateOnly || added.length === 0) return true;
      await insertPartitions(client, topicId, current, added);
      await client.query('UPDATE kpg.topics SET partition_count = $2 WHERE topic_id = $1', [topicId, current + added.length]);
      await client.query('SELECT pg_notify($1, $2)', [Channel.topics, topicId]);
      return true;
    });
  }

  /** Offsets and max-timestamp facts of partitions, keyed `topicId:partition`. */
  async partitionStates(partitions: readonly { topicId: string; partition: number }[]): Promise<Map<string, PartitionState>> {
    if (partitions.length === 0) return new Map();
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
    );
    return new Map(
      rows.map((r) => [
        `${r.topic_id}:${r.partition}`,
        {
          topicId: r.topic_id,
          partition: r.partition,
          nextOffset: BigInt(r.next_offset),
          logStartOffset: BigInt(r.log_start_offset),
          maxTimestamp: BigInt(r.max_timestamp),
          maxTimestampOffset: BigInt(r.max_timestamp_offset),
          leaderEpoch: r.leader_epoch,
        },
      ]),
    );
  }

  /**
   * The first batch, in offset order and ending at or after `fromOffset`, whose newest record has a
   * timestamp of at least `timestamp`. The running-maximum time index finds where the partition first
   * reached `timestamp`; every batch before that point is older.
   */
  async firstBatchReaching(topicId: string, partition: number, timestamp: bigint, fromOffset: bigint): Promise<StoredBatch | null> {
    const crossing = await this.pool.query<{ base_offset: bigint }>(
      `SELECT base_offset FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND time_index >= $3
        ORDER BY time_index, last_offset LIMIT 1`,
      [topicId, partition, timestamp.toString()],
    );
    if (crossing.rows.length === 0) return null;
    const start = maxBig(BigInt(crossing.rows[0]!.base_offset), fromOffset);
    const { rows } = await this.pool.query<{ base_offset: bigint; last_offset: bigint; max_timestamp: bigint; batch: Buffer }>(
      `SELECT base_offset, last_offset, max_timestamp, batch FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3 AND max_timestamp >= $4
        ORDER BY last_offset LIMIT 1`,
      [topicId, partition, start.toString(), timestamp.toString()],
    );
    return rows[0] ? toStoredBatch(rows[0]) : null;
  }

  /** The batch holding the partition's largest timestamp among batches ending at or after `fromOffset`. */
  async batchWithMaxTimestamp(topicId: string, partition: number, fromOffset: bigint): Promise<StoredBatch | null> {
    const { rows } = await this.pool.query<{ base_offset: bigint; last_offset: bigint; max_timestamp: bigint; batch: Buffer }>(
      `SELECT base_offset, last_offset, max_timestamp, batch FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3
        ORDER BY max_timestamp DESC, last_offset LIMIT 1`,
      [topicId, partition, fromOffset.toString()],
    );
    return rows[0] ? toStoredBatch(rows[0]) : null;
  }

  /** The batch containing `offset`, if stored. */
  async batchContaining(topicId: string, partition: number, offset: bigint): Promise<StoredBatch | null> {
    const { rows } = await this.pool.query<{ base_offset: bigint; last_offset: bigint; max_timestamp: bigint; batch: Buffer }>(
      `SELECT base_offset, last_offset, max_timestamp, batch FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3 AND base_offset <= $3
        ORDER BY last_offset LIMIT 1`,
      [topicId, partition, offset.toString()],
    );
    return rows[0] ? toStoredBatch(rows[0]) : null;
  }

  /**
   * Moves a partition's log start offset up to `offset` (-1: the high watermark). Never beyond the
   * high watermark, never down. The batches below it are reclaimed by the reaper.
   */
  async deleteRecords(topicId: string, partition: number, offset: bigint): Promise<DeleteRecordsOutcome> {
    const outcome = await this.transaction(async (client): Promise<DeleteRecordsOutcome & { moved?: true }> => {
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

  /** Bytes each partition's stored batches take, keyed `topicId:partition` (partitions without data absent). */
  async partitionSizes(topicIds: readonly string[] | null): Promise<Map<string, bigint>> {
    const { rows } = await this.pool.query<{ topic_id: string; partition: number; bytes: string }>(
      `SELECT rb.topic_id, rb.partition, sum(rb.size_bytes)::text AS bytes
         FROM kpg.record_batches rb
         JOIN kpg.partitions p ON p.topic_id = rb.topic_id AND p.partition = rb.partition
        WHERE $1::uuid[] IS NULL OR rb.topic_id = ANY($1::uuid[])
        GROUP BY rb.topic_id, rb.partition`,
      [topicIds === null ? null : [...topicIds]],
    );
    return new Map(rows.map((r) => [`${r.topic_id}:${r.partition}`, BigInt(r.bytes)]));
  }

  /** The database this gateway stores into, for naming the one log dir. */
  async databaseName(): Promise<string> {
    const { rows } = await this.pool.query<{ db: string }>('SELECT current_database() AS db');
    return rows[0]!.db;
  }

  /**
   * Runs `work` on one connection while holding the reaper's session lock; returns false without
   * running it when another gateway holds the lock.
   */
  async asReaper(work: (client: pg.PoolClient) => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect();
    // A connection that failed (or could not unlock) is destroyed rather than pooled, so the session
    // lock can never stay behind on an idle pooled connection.
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [REAPER_LOCK]);
      if (!rows[0]!.locked) return false;
      try {
        await work(client);
      } finally {
        await client.query('SELECT pg_advisory_unlock($1)', [REAPER_LOCK]).catch((err: Error) => {
          broken = err;
        });
      }
      return true;
    } catch (err) {
      broken = err as Error;
      throw err;
    } finally {
      client.release(broken);
    }
  }

  /** Runs `work` in one transaction on one pooled connection; rolls back on any error. */
  transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, work);
  }

  get logger(): Logger {
    return this.log;
  }
}

/** Reaper queries, run on the connection that holds the reaper lock (autocommit: each statement is short). */
export const ReaperSql = {
  /**
   * Topic ids that still have batches but no topic row (deleted topics), found with a skip scan over
   * the batches' primary key: one index probe per distinct topic, however many batches each has.
   */
  async orphanTopicIds(client: pg.PoolClient, limit: number): Promise<string[]> {
    const { rows } = await client.query<{ topic_id: string }>(
      `WITH RECURSIVE ids AS (
         (SELECT topic_id FROM kpg.record_batches ORDER BY topic_id LIMIT 1)
         UNION ALL
         SELECT (SELECT rb.topic_id FROM kpg.record_batches rb WHERE rb.topic_id > ids.topic_id ORDER BY rb.topic_id LIMIT 1)
           FROM ids WHERE ids.topic_id IS NOT NULL
       )
       SELECT ids.topic_id FROM ids
        WHERE ids.topic_id IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM kpg.topics t WHERE t.topic_id = ids.topic_id)
        LIMIT $1`,
      [limit],
    );
    return rows.map((r) => r.topic_id);
  },

  /** Deletes up to `limit` batches of a deleted topic; returns how many went. */
  async deleteOrphanBatches(client: pg.PoolClient, topicId: string, limit: number): Promise<number> {
    const result = await client.query(
      `DELETE FROM kpg.record_batches rb
        USING (SELECT partition, last_offset FROM kpg.record_batches
                WHERE topic_id = $1 ORDER BY partition, last_offset LIMIT $2) doomed
        WHERE rb.topic_id = $1 AND rb.partition = doomed.partition AND rb.last_offset = doomed.last_offset
          AND NOT EXISTS (SELECT 1 FROM kpg.topics t WHERE t.topic_id = $1)`,
      [topicId, limit],
    );
    return result.rowCount ?? 0;
  },

  /** Partitions that still store batches entirely below their log start offset. */
  async partitionsWithBatchesBelowLogStart(client: pg.PoolClient): Promise<{ topicId: string; partition: number; logStartOffset: bigint }[]> {
    const { rows } = await client.query<{ topic_id: string; partition: number; log_start_offset: bigint }>(
      `SELECT p.topic_id, p.partition, p.log_start_offset FROM kpg.partitions p
        WHERE p.log_start_offset > 0
          AND EXISTS (SELECT 1 FROM kpg.record_batches rb
                       WHERE rb.topic_id = p.topic_id AND rb.partition = p.partition AND rb.last_offset < p.log_start_offset)`,
    );
    return rows.map((r) => ({ topicId: r.topic_id, partition: r.partition, logStartOffset: BigInt(r.log_start_offset) }));
  },

  /** Deletes up to `limit` whole batches below `logStartOffset`; a batch straddling it stays. */
  async deleteBatchesBelow(client: pg.PoolClient, topicId: string, partition: number, logStartOffset: bigint, limit: number): Promise<number> {
    const result = await client.query(
      `DELETE FROM kpg.record_batches rb
        USING (SELECT last_offset FROM kpg.record_batches
                WHERE topic_id = $1 AND partition = $2 AND last_offset < $3
                ORDER BY last_offset LIMIT $4) doomed
        WHERE rb.topic_id = $1 AND rb.partition = $2 AND rb.last_offset = doomed.last_offset`,
      [topicId, partition, logStartOffset.toString(), limit],
    );
    return result.rowCount ?? 0;
  },

  /** Partitions of a topic with their offsets, for retention. */
  async partitionsOf(client: pg.PoolClient, topicId: string): Promise<{ partition: number; nextOffset: bigint; logStartOffset: bigint }[]> {
    const { rows } = await client.query<{ partition: number; next_offset: bigint; log_start_offset: bigint }>(
      'SELECT partition, next_offset, log_start_offset FROM kpg.partitions WHERE topic_id = $1 ORDER BY partition',
      [topicId],
    );
    return rows.map((r) => ({ partition: r.partition, nextOffset: BigInt(r.next_offset), logStartOffset: BigInt(r.log_start_offset) }));
  },

  /**
   * Where time retention puts the log start: the first batch whose running maximum timestamp reaches
   * `cutoff` (every batch before it holds only older records), or the log end when there is none.
   */
  async timeRetentionStart(client: pg.PoolClient, topicId: string, partition: number, cutoff: bigint): Promise<bigint | null> {
    const { rows } = await client.query<{ base_offset: bigint }>(
      `SELECT base_offset FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND time_index >= $3
        ORDER BY time_index, last_offset LIMIT 1`,
      [topicId, partition, cutoff.toString()],
    );
    return rows[0] ? BigInt(rows[0].base_offset) : null;
  },

  /**
   * Where size retention puts the log start, as Kafka removes segments: oldest batches go while what
   * remains is still at least `retentionBytes`. Null when the partition holds less than that.
   */
  async sizeRetentionStart(client: pg.PoolClient, topicId: string, partition: number, fromOffset: bigint, retentionBytes: bigint): Promise<bigint | null> {
    const { rows } = await client.query<{ base_offset: bigint }>(
      `SELECT w.base_offset FROM (
         SELECT base_offset, last_offset, sum(size_bytes) OVER (ORDER BY last_offset DESC) AS bytes_from_here
           FROM kpg.record_batches
          WHERE topic_id = $1 AND partition = $2 AND last_offset >= $3
       ) w
       WHERE w.bytes_from_here >= $4
       ORDER BY w.last_offset DESC LIMIT 1`,
      [topicId, partition, fromOffset.toString(), retentionBytes.toString()],
    );
    return rows[0] ? BigInt(rows[0].base_offset) : null;
  },

  /** Moves a log start up (never down, never past the log end); returns whether it moved. */
  async advanceLogStart(client: pg.PoolClient, topicId: string, partition: number, offset: bigint): Promise<boolean> {
    const result = await client.query(
      `UPDATE kpg.partitions SET log_start_offset = $3
        WHERE topic_id = $1 AND partition = $2 AND log_start_offset < $3 AND $3 <= next_offset`,
      [topicId, partition, offset.toString()],
    );
    return (result.rowCount ?? 0) > 0;
  },

  async topicIds(client: pg.PoolClient): Promise<string[]> {
    const { rows } = await client.query<{ topic_id: string }>('SELECT topic_id FROM kpg.topics ORDER BY name');
    return rows.map((r) => r.topic_id);
  },
};

async function insertPartitions(client: pg.PoolClient, topicId: string, firstPartition: number, assignment: number[][]): Promise<void> {
  await client.query(
    `INSERT INTO kpg.partitions (topic_id, partition, replicas)
     SELECT $1, $2::int + (r.ord - 1)::int,
            coalesce((SELECT array_agg(x::int ORDER BY x_ord) FROM jsonb_array_elements_text(r.replicas) WITH ORDINALITY AS e(x, x_ord)), '{}'::int[])
       FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS r(replicas, ord)`,
    [topicId, firstPartition, JSON.stringify(assignment)],
  );
}

function toStoredBatch(r: { base_offset: bigint; last_offset: bigint; max_timestamp: bigint; batch: Buffer }): StoredBatch {
  return {
    baseOffset: BigInt(r.base_offset),
    lastOffset: BigInt(r.last_offset),
    maxTimestamp: BigInt(r.max_timestamp),
    batch: r.batch,
  };
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
