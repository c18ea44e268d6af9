/**
 * The reclaim facet on Postgres: a session advisory lock gives one gateway at a time the reclaiming
 * turn, and each step is one short autocommit statement on the connection holding it.
 */
import type pg from 'pg';
import type { TopicPartition } from '../log.js';
import type { PartitionExtent, ReclaimSession, ReclaimStorage } from '../reclaim.js';

/** Session lock one gateway holds while it reclaims storage, so gateways do not compete for the same rows. */
const REAPER_LOCK = 0x6b706704;

export class PgReclaimStorage implements ReclaimStorage {
  constructor(private readonly pool: pg.Pool) {}

  async asReaper(work: (session: ReclaimSession) => Promise<void>): Promise<boolean> {
    const client = await this.pool.connect();
    // A connection that failed (or could not unlock) is destroyed rather than pooled, so the session
    // lock can never stay behind on an idle pooled connection.
    let broken: Error | undefined;
    try {
      const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [REAPER_LOCK]);
      if (!rows[0]!.locked) return false;
      try {
        await work(new PgReclaimSession(client));
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
}

class PgReclaimSession implements ReclaimSession {
  constructor(private readonly client: pg.PoolClient) {}

  /** A skip scan over the batches' primary key: one index probe per distinct topic, however many batches each has. */
  async orphanTopicIds(limit: number): Promise<string[]> {
    const { rows } = await this.client.query<{ topic_id: string }>(
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
  }

  async deleteOrphanBatches(topicId: string, limit: number): Promise<number> {
    const result = await this.client.query(
      `DELETE FROM kpg.record_batches rb
        USING (SELECT partition, last_offset FROM kpg.record_batches
                WHERE topic_id = $1 ORDER BY partition, last_offset LIMIT $2) doomed
        WHERE rb.topic_id = $1 AND rb.partition = doomed.partition AND rb.last_offset = doomed.last_offset
          AND NOT EXISTS (SELECT 1 FROM kpg.topics t WHERE t.topic_id = $1)`,
      [topicId, limit],
    );
    return result.rowCount ?? 0;
  }

  async partitionsWithBatchesBelowLogStart(): Promise<(TopicPartition & { logStartOffset: bigint })[]> {
    const { rows } = await this.client.query<{ topic_id: string; partition: number; log_start_offset: bigint }>(
      `SELECT p.topic_id, p.partition, p.log_start_offset FROM kpg.partitions p
        WHERE p.log_start_offset > 0
          AND EXISTS (SELECT 1 FROM kpg.record_batches rb
                       WHERE rb.topic_id = p.topic_id AND rb.partition = p.partition AND rb.last_offset < p.log_start_offset)`,
    );
    return rows.map((r) => ({ topicId: r.topic_id, partition: r.partition, logStartOffset: BigInt(r.log_start_offset) }));
  }

  async deleteBatchesBelow(topicId: string, partition: number, logStartOffset: bigint, limit: number): Promise<number> {
    const result = await this.client.query(
      `DELETE FROM kpg.record_batches rb
        USING (SELECT last_offset FROM kpg.record_batches
                WHERE topic_id = $1 AND partition = $2 AND last_offset < $3
                ORDER BY last_offset LIMIT $4) doomed
        WHERE rb.topic_id = $1 AND rb.partition = $2 AND rb.last_offset = doomed.last_offset`,
      [topicId, partition, logStartOffset.toString(), limit],
    );
    return result.rowCount ?? 0;
  }

  async topicIds(): Promise<string[]> {
    const { rows } = await this.client.query<{ topic_id: string }>('SELECT topic_id FROM kpg.topics ORDER BY name');
    return rows.map((r) => r.topic_id);
  }

  async partitionsOf(topicId: string): Promise<PartitionExtent[]> {
    const { rows } = await this.client.query<{ partition: number; next_offset: bigint; log_start_offset: bigint }>(
      'SELECT partition, next_offset, log_start_offset FROM kpg.partitions WHERE topic_id = $1 ORDER BY partition',
      [topicId],
    );
    return rows.map((r) => ({ partition: r.partition, nextOffset: BigInt(r.next_offset), logStartOffset: BigInt(r.log_start_offset) }));
  }

  async timeRetentionStart(topicId: string, partition: number, cutoff: bigint): Promise<bigint | null> {
    const { rows } = await this.client.query<{ base_offset: bigint }>(
      `SELECT base_offset FROM kpg.record_batches
        WHERE topic_id = $1 AND partition = $2 AND time_index >= $3
        ORDER BY time_index, last_offset LIMIT 1`,
      [topicId, partition, cutoff.toString()],
    );
    return rows[0] ? BigInt(rows[0].base_offset) : null;
  }

  async sizeRetentionStart(topicId: string, partition: number, fromOffset: bigint, retentionBytes: bigint): Promise<bigint | null> {
    const { rows } = await this.client.query<{ base_offset: bigint }>(
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
  }

  async advanceLogStart(topicId: string, partition: number, offset: bigint): Promise<boolean> {
    const result = await this.client.query(
      `UPDATE kpg.partitions SET log_start_offset = $3
        WHERE topic_id = $1 AND partition = $2 AND log_start_offset < $3 AND $3 <= next_offset`,
      [topicId, partition, offset.toString()],
    );
    return (result.rowCount ?? 0) > 0;
  }
}
