/**
 * The topics facet on Postgres: kpg.topics, kpg.partitions and kpg.topic_configs.
 *
 * Every change runs in one transaction and announces itself with NOTIFY in that transaction (kpg_topics
 * '<topic_id>' for topic shape, kpg_config '<topic_id>' for configs), so other gateways drop their caches
 * exactly when the change becomes visible.
 */
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { ConfigChange } from '../cluster.js';
import type { CreateTopicOutcome, NewTopicSpec, PartitionPlan, ReplicaPlan, TopicRecord, TopicStorage } from '../topics.js';
import { notifyChange } from './channels.js';
import { inTransaction } from './transaction.js';

/** Advisory lock namespace (first key of the two-key form) serialising creations of colliding names. */
const TOPIC_NAME_LOCK = 0x6b706702;

/** Kafka treats "." and "_" alike when checking topic names for collisions (their metric names would clash). */
const collisionKey = (name: string): string => name.replaceAll('.', '_');

const COLLIDING_TOPIC_SQL = `SELECT name FROM kpg.topics WHERE replace(name, '.', '_') = $1 AND name <> $2 ORDER BY name LIMIT 1`;

export class PgTopicStorage implements TopicStorage {
  constructor(private readonly pool: pg.Pool) {}

  async topics(names?: readonly string[]): Promise<TopicRecord[]> {
    if (names === undefined) return this.loadTopics('true', []);
    // A name with NUL (a client string may hold one) names no topic: topic names are legal characters
    // only. Postgres text cannot hold NUL, so such a name is not sent at all.
    const possible = names.filter((n) => !n.includes('\0'));
    if (possible.length === 0) return [];
    return this.loadTopics('t.name = ANY($1::text[])', [possible]);
  }

  async topicsById(ids: readonly string[]): Promise<TopicRecord[]> {
    return this.loadTopics('t.topic_id = ANY($1::uuid[])', [[...ids]]);
  }

  private async loadTopics(filter: string, params: unknown[]): Promise<TopicRecord[]> {
    const { rows } = await this.pool.query<{
      topic_id: string;
      name: string;
      is_internal: boolean;
      replication_factor: number;
      partition: number;
      leader_epoch: number;
      replicas: number[];
    }>(
      `SELECT t.topic_id, t.name, t.is_internal, t.replication_factor, p.partition, p.leader_epoch, p.replicas
         FROM kpg.topics t
         JOIN kpg.partitions p ON p.topic_id = t.topic_id
        WHERE ${filter}
        ORDER BY t.name, p.partition`,
      params,
    );
    const byId = new Map<string, TopicRecord>();
    for (const r of rows) {
      let topic = byId.get(r.topic_id);
      if (!topic) {
        topic = { topicId: r.topic_id, name: r.name, isInternal: r.is_internal, replicationFactor: r.replication_factor, partitions: [] };
        byId.set(r.topic_id, topic);
      }
      topic.partitions.push({ partition: r.partition, leaderEpoch: r.leader_epoch, replicas: r.replicas });
    }
    return [...byId.values()];
  }

  async collidingTopic(name: string): Promise<string | null> {
    const { rows } = await this.pool.query<{ name: string }>(COLLIDING_TOPIC_SQL, [collisionKey(name), name]);
    return rows[0]?.name ?? null;
  }

  /** Creations of names that collide take the same advisory lock, so two of them can never both succeed. */
  async createTopic(spec: NewTopicSpec): Promise<CreateTopicOutcome> {
    return inTransaction(this.pool, async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TOPIC_NAME_LOCK, collisionKey(spec.name)]);
      const colliding = await client.query<{ name: string }>(COLLIDING_TOPIC_SQL, [collisionKey(spec.name), spec.name]);
      if (colliding.rows.length > 0) return { collidesWith: colliding.rows[0]!.name };
      const topicId = randomUUID();
      const inserted = await client.query(
        `INSERT INTO kpg.topics (topic_id, name, partition_count, replication_factor)
         VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING`,
        [topicId, spec.name, spec.assignment.length, spec.replicationFactor],
      );
      if (inserted.rowCount === 0) return { alreadyExists: true } as const;
      await insertPartitions(client, topicId, 0, spec.assignment);
      await insertTopicConfigs(client, topicId, spec.configs);
      await notifyChange(client, { event: 'topicChanged', args: [topicId] });
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
   * The topic row goes, and with it (cascading) its partitions, configs, producer states and committed
   * offsets. Record batches have no foreign key: the reaper reclaims them in bounded chunks afterwards,
   * so a topic of any size goes in one short transaction.
   */
  async deleteTopic(topicId: string): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const deleted = await client.query('DELETE FROM kpg.topics WHERE topic_id = $1', [topicId]);
      if (deleted.rowCount === 0) return false;
      await notifyChange(client, { event: 'topicChanged', args: [topicId] });
      await notifyChange(client, { event: 'topicConfigChanged', args: [topicId] });
      return true;
    });
  }

  /** Holds the topic row, so concurrent requests apply one after the other. */
  async addPartitions(topicId: string, plan: PartitionPlan, validateOnly: boolean): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const topic = await client.query('SELECT 1 FROM kpg.topics WHERE topic_id = $1 FOR NO KEY UPDATE', [topicId]);
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
      await notifyChange(client, { event: 'topicChanged', args: [topicId] });
      return true;
    });
  }

  /** Holds the topic row, like addPartitions, so concurrent reassignments and partition additions apply in turn. */
  async setReplicas(topicId: string, plan: ReplicaPlan): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const topic = await client.query('SELECT 1 FROM kpg.topics WHERE topic_id = $1 FOR NO KEY UPDATE', [topicId]);
      if (topic.rowCount === 0) return false;
      const { rows } = await client.query<{ partition: number; leader_epoch: number; replicas: number[] }>(
        'SELECT partition, leader_epoch, replicas FROM kpg.partitions WHERE topic_id = $1 ORDER BY partition',
        [topicId],
      );
      const changes = plan(rows.map((r) => ({ partition: r.partition, leaderEpoch: r.leader_epoch, replicas: r.replicas })));
      if (changes.size === 0) return true;
      await client.query(
        `UPDATE kpg.partitions p SET replicas = ARRAY(SELECT jsonb_array_elements_text(c.replicas)::int)
           FROM unnest($2::int[], $3::jsonb[]) AS c(partition, replicas)
          WHERE p.topic_id = $1 AND p.partition = c.partition`,
        [topicId, [...changes.keys()], [...changes.values()].map((r) => JSON.stringify(r))],
      );
      await client.query(
        `UPDATE kpg.topics SET replication_factor = coalesce(
           (SELECT cardinality(replicas) FROM kpg.partitions WHERE topic_id = $1 AND partition = 0), replication_factor)
          WHERE topic_id = $1`,
        [topicId],
      );
      await notifyChange(client, { event: 'topicChanged', args: [topicId] });
      return true;
    });
  }

  async topicConfigs(topicId: string): Promise<Map<string, string>> {
    const { rows } = await this.pool.query<{ name: string; value: string | null }>(
      'SELECT name, value FROM kpg.topic_configs WHERE topic_id = $1 ORDER BY name',
      [topicId],
    );
    return new Map(rows.filter((r) => r.value !== null).map((r) => [r.name, r.value!]));
  }

  /** Holds the topic row, so concurrent alters apply one after the other. */
  async alterTopicConfigs(topicId: string, change: ConfigChange, validateOnly: boolean): Promise<boolean> {
    return inTransaction(this.pool, async (client) => {
      const topic = await client.query('SELECT 1 FROM kpg.topics WHERE topic_id = $1 FOR NO KEY UPDATE', [topicId]);
      if (topic.rowCount === 0) return false;
      const { rows } = await client.query<{ name: string; value: string | null }>(
        'SELECT name, value FROM kpg.topic_configs WHERE topic_id = $1',
        [topicId],
      );
      const next = change(new Map(rows.filter((r) => r.value !== null).map((r) => [r.name, r.value!])));
      if (validateOnly) return true;
      await client.query('DELETE FROM kpg.topic_configs WHERE topic_id = $1', [topicId]);
      await insertTopicConfigs(client, topicId, next);
      await notifyChange(client, { event: 'topicConfigChanged', args: [topicId] });
      return true;
    });
  }
}

async function insertTopicConfigs(client: pg.PoolClient, topicId: string, configs: ReadonlyMap<string, string>): Promise<void> {
  if (configs.size === 0) return;
  await client.query(
    `INSERT INTO kpg.topic_configs (topic_id, name, value)
     SELECT $1, c.name, c.value FROM unnest($2::text[], $3::text[]) AS c(name, value)`,
    [topicId, [...configs.keys()], [...configs.values()]],
  );
}

async function insertPartitions(client: pg.PoolClient, topicId: string, firstPartition: number, assignment: number[][]): Promise<void> {
  await client.query(
    `INSERT INTO kpg.partitions (topic_id, partition, replicas)
     SELECT $1, $2::int + (r.ord - 1)::int,
            coalesce((SELECT array_agg(x::int ORDER BY x_ord) FROM jsonb_array_elements_text(r.replicas) WITH ORDINALITY AS e(x, x_ord)), '{}'::int[])
       FROM jsonb_array_elements($3::jsonb) WITH ORDINALITY AS r(replicas, ord)`,
    [topicId, firstPartition, JSON.stringify(assignment)],
  );
}
