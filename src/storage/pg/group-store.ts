/**
 * The GroupStore in Postgres (tables in ../schema.ts: groups, group_members, group_replies,
 * group_offsets). Every operation is one transaction. Changes to one group are serialised by its row in
 * kpg.groups: rebalance steps lock it FOR UPDATE, heartbeats and offset commits FOR SHARE (they may run
 * side by side, never during a rebalance step). Each transaction that changes a group sends NOTIFY
 * kpg_groups with the group_key, so waiting requests on every gateway look again.
 */
import type pg from 'pg';
import type { Logger } from 'pino';
import type {
  DescribedMember,
  GroupLag,
  GroupLagSnapshot,
  GroupMemberRecord,
  GroupRecord,
  GroupRecords,
  GroupRef,
  GroupReply,
  GroupStateName,
  GroupStore,
  GroupSummary,
  GroupUpdate,
  LockedGroup,
  OffsetToCommit,
  SharedGroupDecision,
  SharedGroupView,
  StoredOffset,
  TakeReplyResult,
  TopicPartitionRef,
} from '../groups.js';
import { partitionKey } from '../partition-key.js';
import { IGNORING_OBSERVER, type StorageObserver } from '../storage.js';
import { notifyChange } from './channels.js';
import { timed } from './timed.js';
import { fromDbText as fromDb, fromDbTextOrNull as fromDbOrNull, toDbText as toDb, toDbTextOrNull as toDbOrNull } from './db-text.js';
import { inTransaction } from './transaction.js';

/** Postgres' clock in epoch milliseconds: every gateway measures deadlines with it. */
const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

/**
 * Kafka's offset expiration condition, over o (group_offsets), g (groups) and t (topics), with $1 the
 * current time and $2 the retention: an offset of a topic the group does not subscribe to expires when
 * its explicit expiry (OffsetCommit v2-4) passed, else once the retention passed since the group became
 * Empty (groups with a protocol) or since the commit (groups without one, and unsubscribed topics of a
 * Stable consumer group). Other groups keep their offsets.
 */
const EXPIRED_OFFSET = `
  CASE
    WHEN g.protocol_type IS NULL OR g.protocol_type = '' OR g.state = 'Empty' THEN true
    WHEN g.protocol_type = 'consumer' AND g.state = 'Stable' AND g.subscribed_topics IS NOT NULL
      THEN NOT (t.name = ANY(g.subscribed_topics))
    ELSE false
  END
  AND CASE
    WHEN o.expire_timestamp_ms IS NOT NULL THEN $1 >= o.expire_timestamp_ms
    WHEN g.state = 'Empty' AND g.protocol_type IS NOT NULL AND g.protocol_type <> '' THEN $1 - g.state_changed_ms >= $2
    ELSE $1 - o.commit_timestamp_ms >= $2
  END`;

/** An Empty group with nothing left: no members, no member ids handed out, no offsets. */
const DELETABLE_GROUP = `
  g.state = 'Empty' AND cardinality(g.pending_member_ids) = 0
  AND NOT EXISTS (SELECT 1 FROM kpg.group_offsets o WHERE o.group_key = g.group_key)
  AND NOT EXISTS (SELECT 1 FROM kpg.group_members m WHERE m.group_key = g.group_key)`;

/**
 * SQLSTATEs worth retrying the whole transaction for: serialization failure, deadlock, and a foreign key
 * violation (a topic deleted while offsets for it were being committed; the retry no longer sees it).
 */
const RETRYABLE = new Set(['40001', '40P01', '23503']);

export class PostgresGroupStore implements GroupStore {
  constructor(
    private readonly pool: pg.Pool,
    private readonly log: Logger,
    private readonly observer: StorageObserver = IGNORING_OBSERVER,
  ) {}

  /** Runs `work` in a transaction, retrying on deadlock or serialization failure. */
  private transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    return timed(this.observer, 'group_update', () => this.retryingTransaction(work));
  }

  private async retryingTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await inTransaction(this.pool, work);
      } catch (err) {
        const code = (err as { code?: string }).code;
        if (code && RETRYABLE.has(code) && attempt < 5) {
          this.log.debug({ err, attempt }, 'group transaction conflicted; retrying');
          continue;
        }
        throw err;
      }
    }
  }

  async update<T>(ref: GroupRef, options: { create: boolean }, change: (group: LockedGroup | null) => GroupUpdate<T>): Promise<{ answer: T; nowMs: number }> {
    return this.transaction(async (client) => {
      let row = await lockGroupRow(client, ref);
      if (!row && options.create && 'groupId' in ref) {
        await insertEmptyGroup(client, ref.groupId);
        row = await lockGroupRow(client, ref);
      }
      if (!row) return { answer: change(null).answer, nowMs: await currentTimeMs(client) };
      const loaded = await loadGroup(client, row);
      const update = change(loaded);
      await writeUpdate(client, loaded, update);
      return { answer: update.answer, nowMs: loaded.nowMs };
    });
  }

  async updateShared<T>(
    groupId: string,
    member: { memberId: string; groupInstanceId: string | null },
    options: { create: boolean },
    decide: (view: SharedGroupView | null) => SharedGroupDecision<T>,
  ): Promise<T> {
    return this.transaction(async (client) => {
      let view = await lockGroupShared(client, groupId, member);
      if (!view && options.create) {
        await insertEmptyGroup(client, groupId);
        view = await lockGroupShared(client, groupId, member);
        if (!view) throw new Error(`group ${groupId} vanished while being created`);
      }
      const decision = decide(view);
      if (view && decision.extendSession) {
        const { memberSeq, deadlineMs } = decision.extendSession;
        await client.query('UPDATE kpg.group_members SET session_deadline_ms = $3 WHERE group_key = $1 AND member_seq = $2', [
          view.groupKey,
          memberSeq,
          deadlineMs,
        ]);
      }
      if (view && decision.commitOffsets) await commitOffsets(client, view.groupKey, decision.commitOffsets);
      return decision.answer;
    });
  }

  async takeReply(waiterId: string): Promise<TakeReplyResult> {
    const { rows } = await this.pool.query<{ reply: unknown; exists: boolean }>(
      `WITH taken AS (DELETE FROM kpg.group_replies WHERE waiter_id = $1 AND reply IS NOT NULL RETURNING reply)
       SELECT (SELECT reply FROM taken) AS reply,
              EXISTS (SELECT 1 FROM kpg.group_replies WHERE waiter_id = $1) AS exists`,
      [waiterId],
    );
    const r = rows[0]!;
    if (r.reply !== null && r.reply !== undefined) return { status: 'replied', reply: decodeReply(r.reply) };
    return r.exists ? { status: 'waiting' } : { status: 'gone' };
  }

  /** As Kafka forgets a coordinator's pending requests when the group moves elsewhere. */
  async releaseWaiter(groupKey: number, waiterId: string): Promise<void> {
    await this.transaction(async (client) => {
      const locked = await client.query('SELECT 1 FROM kpg.groups WHERE group_key = $1 FOR UPDATE', [groupKey]);
      if (locked.rowCount === 0) return;
      await client.query(
        `UPDATE kpg.group_members
            SET join_waiter = CASE WHEN join_waiter = $2 THEN NULL ELSE join_waiter END,
                sync_waiter = CASE WHEN sync_waiter = $2 THEN NULL ELSE sync_waiter END,
                session_deadline_ms = coalesce(session_deadline_ms, ${NOW_MS} + session_timeout_ms)
          WHERE group_key = $1 AND (join_waiter = $2 OR sync_waiter = $2)`,
        [groupKey, waiterId],
      );
      await client.query('DELETE FROM kpg.group_replies WHERE waiter_id = $1', [waiterId]);
      await notifyGroupChanged(client, groupKey, false);
    });
  }

  fetchOffsets(groupId: string, topicNames: readonly string[] | null): Promise<StoredOffset[]> {
    return timed(this.observer, 'fetch_offsets', () => this.readOffsets(groupId, topicNames));
  }

  private async readOffsets(groupId: string, topicNames: readonly string[] | null): Promise<StoredOffset[]> {
    const { rows } = await this.pool.query<{
      name: string;
      partition: number;
      committed_offset: bigint;
      leader_epoch: number;
      metadata: string;
    }>(
      `SELECT t.name, o.partition, o.committed_offset, o.leader_epoch, o.metadata
         FROM kpg.groups g
         JOIN kpg.group_offsets o ON o.group_key = g.group_key
         JOIN kpg.topics t ON t.topic_id = o.topic_id
        WHERE g.group_id = $1 AND ($2::text[] IS NULL OR t.name = ANY($2::text[]))
        ORDER BY t.name, o.partition`,
      // Topic names are legal characters only: a name with NUL names no topic (and Postgres text holds no NUL).
      [toDb(groupId), topicNames === null ? null : topicNames.filter((n) => !n.includes('\0'))],
    );
    return rows.map((r) => ({
      topicName: r.name,
      partition: r.partition,
      offset: r.committed_offset,
      leaderEpoch: r.leader_epoch,
      metadata: fromDb(r.metadata),
    }));
  }

  async describeGroupLag(): Promise<GroupLagSnapshot> {
    // One statement (so one snapshot): partition rows, group rows and committed-offset rows, told apart
    // by `kind`. The log end offset is the partition's next offset (kpg's high watermark).
    const { rows } = await this.pool.query<{
      kind: 'partition' | 'group' | 'offset';
      group_id: string | null;
      state: GroupStateName | null;
      members: number | null;
      topic: string | null;
      partition: number | null;
      committed_offset: bigint | null;
      log_start_offset: bigint | null;
      log_end_offset: bigint | null;
    }>(
      `SELECT 'partition' AS kind, NULL::text AS group_id, NULL::text AS state, NULL::int AS members,
              t.name AS topic, p.partition, NULL::bigint AS committed_offset, p.log_start_offset, p.next_offset AS log_end_offset
         FROM kpg.partitions p JOIN kpg.topics t ON t.topic_id = p.topic_id
       UNION ALL
       SELECT 'group', g.group_id, g.state, (SELECT count(*)::int FROM kpg.group_members m WHERE m.group_key = g.group_key),
              NULL, NULL, NULL, NULL, NULL
         FROM kpg.groups g
       UNION ALL
       SELECT 'offset', g.group_id, NULL, NULL, t.name, o.partition, o.committed_offset, NULL, p.next_offset
         FROM kpg.group_offsets o
         JOIN kpg.groups g ON g.group_key = o.group_key
         JOIN kpg.topics t ON t.topic_id = o.topic_id
         JOIN kpg.partitions p ON p.topic_id = o.topic_id AND p.partition = o.partition
       ORDER BY kind, group_id, topic, partition`,
    );
    const partitions: GroupLagSnapshot['partitions'] = [];
    const groups = new Map<string, GroupLag>();
    const offsetRows: typeof rows = [];
    for (const r of rows) {
      if (r.kind === 'partition') {
        partitions.push({ topic: r.topic!, partition: r.partition!, logStartOffset: r.log_start_offset!, logEndOffset: r.log_end_offset! });
      } else if (r.kind === 'group') {
        groups.set(r.group_id!, { groupId: fromDb(r.group_id!), state: r.state!, members: r.members!, offsets: [] });
      } else {
        offsetRows.push(r);
      }
    }
    for (const r of offsetRows) {
      groups.get(r.group_id!)?.offsets.push({ topic: r.topic!, partition: r.partition!, committedOffset: r.committed_offset!, logEndOffset: r.log_end_offset! });
    }
    return { partitions, groups: [...groups.values()] };
  }

  groupSummaries(groupIds: readonly string[] | null): Promise<GroupSummary[]> {
    return groupSummaries(this.pool, groupIds);
  }

  async describeGroups(groupIds: readonly string[]): Promise<{ summary: GroupSummary; members: DescribedMember[] }[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const summaries = await groupSummaries(client, groupIds);
      const { rows } = await client.query<{
        group_key: bigint;
        member_id: string;
        group_instance_id: string | null;
        client_id: string;
        client_host: string;
        protocol_names: string[];
        protocol_metadata: Buffer[];
        assignment: Buffer;
      }>(
        `SELECT group_key, member_id, group_instance_id, client_id, client_host, protocol_names, protocol_metadata, assignment
           FROM kpg.group_members WHERE group_key = ANY($1::bigint[]) ORDER BY group_key, member_seq`,
        [summaries.map((g) => g.groupKey)],
      );
      await client.query('COMMIT');
      return summaries.map((summary) => ({
        summary,
        members: rows
          .filter((r) => Number(r.group_key) === summary.groupKey)
          .map((r) => ({
            memberId: fromDb(r.member_id),
            groupInstanceId: fromDbOrNull(r.group_instance_id),
            clientId: fromDb(r.client_id),
            clientHost: fromDb(r.client_host),
            protocolNames: r.protocol_names.map(fromDb),
            protocolMetadata: r.protocol_metadata,
            assignment: r.assignment,
          })),
      }));
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      client.release();
    }
  }

  async nextDeadline(): Promise<{ deadlineMs: number | null; nowMs: number }> {
    const { rows } = await this.pool.query<{ deadline_ms: bigint | null; now_ms: bigint }>(
      `SELECT least((SELECT min(timer_deadline_ms) FROM kpg.groups),
                    (SELECT min(session_deadline_ms) FROM kpg.group_members)) AS deadline_ms,
              ${NOW_MS} AS now_ms`,
    );
    const r = rows[0]!;
    return { deadlineMs: toNumber(r.deadline_ms), nowMs: Number(r.now_ms) };
  }

  async dueGroups(limit: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ group_key: bigint }>(
      `WITH now AS (SELECT ${NOW_MS} AS now_ms)
       SELECT group_key FROM (
         SELECT g.group_key FROM kpg.groups g, now WHERE g.timer_deadline_ms <= now.now_ms
         UNION
         SELECT m.group_key FROM kpg.group_members m, now WHERE m.session_deadline_ms <= now.now_ms
       ) due LIMIT $1`,
      [limit],
    );
    return rows.map((r) => Number(r.group_key));
  }

  /**
   * Each group is cleaned in its own transaction under its row lock, so a commit or a join racing with
   * the cleanup is either fully before it (and counted) or after it. Also drops answers nobody came to
   * read (their gateway went away).
   */
  async expireOffsetsAndGroups(retentionMs: number): Promise<{ offsets: number; groups: number }> {
    const now = await currentTimeMs(this.pool);
    const candidates = await this.pool.query<{ group_key: bigint }>(
      `SELECT DISTINCT o.group_key FROM kpg.group_offsets o JOIN kpg.groups g ON g.group_key = o.group_key
         JOIN kpg.topics t ON t.topic_id = o.topic_id
        WHERE ${EXPIRED_OFFSET}
       UNION
       SELECT g.group_key FROM kpg.groups g WHERE ${DELETABLE_GROUP}`,
      [now, retentionMs],
    );
    let offsets = 0;
    let groups = 0;
    for (const { group_key } of candidates.rows) {
      await this.transaction(async (client) => {
        const locked = await client.query('SELECT 1 FROM kpg.groups WHERE group_key = $1 FOR UPDATE', [group_key]);
        if (locked.rowCount === 0) return;
        const expired = await client.query(
          `DELETE FROM kpg.group_offsets o USING kpg.groups g, kpg.topics t
            WHERE o.group_key = $3 AND g.group_key = o.group_key AND t.topic_id = o.topic_id AND ${EXPIRED_OFFSET}`,
          [now, retentionMs, group_key],
        );
        offsets += expired.rowCount ?? 0;
        const deleted = await client.query(`DELETE FROM kpg.groups g WHERE g.group_key = $1 AND ${DELETABLE_GROUP}`, [group_key]);
        groups += deleted.rowCount ?? 0;
        if ((expired.rowCount ?? 0) > 0 || (deleted.rowCount ?? 0) > 0) await notifyGroupChanged(client, Number(group_key), false);
      });
    }
    await this.pool.query(`DELETE FROM kpg.group_replies WHERE replied_at < now() - interval '10 minutes'`);
    return { offsets, groups };
  }
}

/**
 * NOTIFY kpg_groups: `<group_key>` after a group changed, `<group_key>+` when answers to waiting requests
 * were written (or waiting requests superseded), which is what waiting requests listen for.
 */
async function notifyGroupChanged(client: pg.PoolClient, groupKey: number, answersWritten: boolean): Promise<void> {
  await notifyChange(client, { event: 'groupChanged', args: [groupKey, answersWritten] });
}

async function insertEmptyGroup(client: pg.PoolClient, groupId: string): Promise<void> {
  await client.query(
    `INSERT INTO kpg.groups (group_id, state, state_changed_ms) VALUES ($1, 'Empty', ${NOW_MS}) ON CONFLICT DO NOTHING`,
    [toDb(groupId)],
  );
}

async function currentTimeMs(client: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ now_ms: bigint }>(`SELECT ${NOW_MS} AS now_ms`);
  return Number(rows[0]!.now_ms);
}

const toNumber = (v: bigint | string | null): number | null => (v === null ? null : Number(v));

async function groupSummaries(client: pg.Pool | pg.PoolClient, groupIds: readonly string[] | null): Promise<GroupSummary[]> {
  const { rows } = await client.query<{
    group_key: bigint;
    group_id: string;
    state: GroupStateName;
    protocol_type: string | null;
    protocol_name: string | null;
    generation_id: number;
    timers_due: boolean;
  }>(
    `WITH now AS (SELECT ${NOW_MS} AS now_ms)
     SELECT g.group_key, g.group_id, g.state, g.protocol_type, g.protocol_name, g.generation_id,
            (g.timer_deadline_ms <= now.now_ms
             OR EXISTS (SELECT 1 FROM kpg.group_members m
                         WHERE m.group_key = g.group_key AND m.session_deadline_ms <= now.now_ms)) AS timers_due
       FROM kpg.groups g, now
      WHERE $1::text[] IS NULL OR g.group_id = ANY($1::text[])
      ORDER BY g.group_key`,
    [groupIds === null ? null : groupIds.map(toDb)],
  );
  return rows.map((r) => ({
    groupKey: Number(r.group_key),
    groupId: fromDb(r.group_id),
    state: r.state,
    protocolType: fromDbOrNull(r.protocol_type),
    protocolName: fromDbOrNull(r.protocol_name),
    generationId: r.generation_id,
    timersDue: r.timers_due === true,
  }));
}

// --- the light paths ---

/** Locks the group row FOR SHARE and looks up the member by id and by instance id. */
async function lockGroupShared(
  client: pg.PoolClient,
  groupId: string,
  member: { memberId: string; groupInstanceId: string | null },
): Promise<SharedGroupView | null> {
  const g = await client.query<{
    group_key: bigint;
    state: GroupStateName;
    generation_id: number;
    protocol_type: string | null;
    timers_due: boolean;
    now_ms: bigint;
  }>(
    `WITH now AS (SELECT ${NOW_MS} AS now_ms)
     SELECT g.group_key, g.state, g.generation_id, g.protocol_type, now.now_ms,
            (g.timer_deadline_ms <= now.now_ms
             OR EXISTS (SELECT 1 FROM kpg.group_members m
                         WHERE m.group_key = g.group_key AND m.session_deadline_ms <= now.now_ms)) AS timers_due
       FROM kpg.groups g, now
      WHERE g.group_id = $1
        FOR SHARE OF g`,
    [toDb(groupId)],
  );
  const row = g.rows[0];
  if (!row) return null;
  const groupKey = Number(row.group_key);
  const m = await client.query<{ member_seq: number; member_id: string; group_instance_id: string | null; session_timeout_ms: number }>(
    `SELECT member_seq, member_id, group_instance_id, session_timeout_ms FROM kpg.group_members
      WHERE group_key = $1 AND (member_id = $2 OR group_instance_id = $3)`,
    [groupKey, toDb(member.memberId), toDbOrNull(member.groupInstanceId)],
  );
  return {
    groupKey,
    state: row.state,
    generationId: row.generation_id,
    protocolType: fromDbOrNull(row.protocol_type),
    timersDue: row.timers_due === true,
    nowMs: Number(row.now_ms),
    members: m.rows.map((r) => ({
      memberSeq: r.member_seq,
      memberId: fromDb(r.member_id),
      groupInstanceId: fromDbOrNull(r.group_instance_id),
      sessionTimeoutMs: r.session_timeout_ms,
    })),
  };
}

/** Writes committed offsets (later entries for the same partition win). */
async function commitOffsets(client: pg.PoolClient, groupKey: number, offsets: readonly OffsetToCommit[]): Promise<void> {
  const unique = new Map<string, OffsetToCommit>();
  for (const o of offsets) unique.set(partitionKey(o.topicId, o.partition), o);
  // One lock order for every commit, so concurrent commits of a group cannot deadlock.
  const list = [...unique.values()].sort((a, b) => (a.topicId < b.topicId ? -1 : a.topicId > b.topicId ? 1 : a.partition - b.partition));
  if (list.length === 0) return;
  await client.query(
    `INSERT INTO kpg.group_offsets
       (group_key, topic_id, partition, committed_offset, leader_epoch, metadata, commit_timestamp_ms, expire_timestamp_ms)
     SELECT $1, v.topic_id, v.partition, v.committed_offset, v.leader_epoch, v.metadata,
            coalesce(v.commit_timestamp_ms, ${NOW_MS}), v.expire_timestamp_ms
       FROM unnest($2::uuid[], $3::int[], $4::bigint[], $5::int[], $6::text[], $7::bigint[], $8::bigint[])
            AS v(topic_id, partition, committed_offset, leader_epoch, metadata, commit_timestamp_ms, expire_timestamp_ms)
      -- A topic deleted since the request was checked takes its offsets with it.
      WHERE EXISTS (SELECT 1 FROM kpg.topics t WHERE t.topic_id = v.topic_id)
     ON CONFLICT (group_key, topic_id, partition) DO UPDATE
        SET committed_offset = excluded.committed_offset, leader_epoch = excluded.leader_epoch,
            metadata = excluded.metadata, commit_timestamp_ms = excluded.commit_timestamp_ms,
            expire_timestamp_ms = excluded.expire_timestamp_ms`,
    [
      groupKey,
      list.map((o) => o.topicId),
      list.map((o) => o.partition),
      list.map((o) => o.offset),
      list.map((o) => o.leaderEpoch),
      list.map((o) => toDb(o.metadata)),
      list.map((o) => o.commitTimestampMs),
      list.map((o) => o.expireTimestampMs),
    ],
  );
}

// --- a rebalance step: loading the whole group, writing what changed ---

interface GroupRow {
  group_key: bigint;
  group_id: string;
  state: GroupStateName;
  previous_state: GroupStateName | null;
  state_changed_ms: bigint;
  protocol_type: string | null;
  protocol_name: string | null;
  generation_id: number;
  leader_id: string | null;
  new_member_added: boolean;
  join_deadline_ms: bigint | null;
  initial_delay_ms: number | null;
  initial_remaining_ms: number | null;
  sync_deadline_ms: bigint | null;
  sync_generation: number | null;
  pending_sync_member_ids: string[];
  pending_member_ids: string[];
  pending_deadlines_ms: (string | number)[];
  subscribed_topics: string[] | null;
  timer_deadline_ms: bigint | null;
}

interface MemberRow {
  now_ms: bigint;
  member_seq: number | null;
  member_id: string;
  group_instance_id: string | null;
  client_id: string;
  client_host: string;
  rebalance_timeout_ms: number;
  session_timeout_ms: number;
  protocol_type: string;
  protocol_names: string[];
  protocol_metadata: Buffer[];
  assignment: Buffer;
  is_new: boolean;
  join_waiter: string | null;
  sync_waiter: string | null;
  session_deadline_ms: bigint | null;
}

async function lockGroupRow(client: pg.PoolClient, ref: GroupRef): Promise<GroupRow | undefined> {
  const byId = 'groupId' in ref;
  const { rows } = await client.query<GroupRow>(
    `SELECT * FROM kpg.groups WHERE ${byId ? 'group_id' : 'group_key'} = $1 FOR UPDATE`,
    [byId ? toDb(ref.groupId) : ref.groupKey],
  );
  return rows[0];
}

async function loadGroup(client: pg.PoolClient, row: GroupRow): Promise<LockedGroup> {
  const groupKey = Number(row.group_key);
  // The clock is read after the row lock was granted, so time spent waiting for it counts.
  const { rows } = await client.query<MemberRow>(
    `SELECT ${NOW_MS} AS now_ms, m.*
       FROM (SELECT 1) AS one
       LEFT JOIN kpg.group_members m ON m.group_key = $1
      ORDER BY m.member_seq`,
    [groupKey],
  );
  const group: GroupRecord = {
    groupKey,
    groupId: fromDb(row.group_id),
    state: row.state,
    previousState: row.previous_state,
    stateChangedMs: Number(row.state_changed_ms),
    protocolType: fromDbOrNull(row.protocol_type),
    protocolName: fromDbOrNull(row.protocol_name),
    generationId: row.generation_id,
    leaderId: fromDbOrNull(row.leader_id),
    newMemberAdded: row.new_member_added,
    joinDeadlineMs: toNumber(row.join_deadline_ms),
    initialDelayMs: row.initial_delay_ms,
    initialRemainingMs: row.initial_remaining_ms,
    syncDeadlineMs: toNumber(row.sync_deadline_ms),
    syncGeneration: row.sync_generation,
    pendingSyncMemberIds: row.pending_sync_member_ids.map(fromDb),
    pendingMembers: row.pending_member_ids.map((memberId, i) => ({ memberId: fromDb(memberId), deadlineMs: Number(row.pending_deadlines_ms[i]) })),
    subscribedTopics: row.subscribed_topics === null ? null : row.subscribed_topics.map(fromDb),
    timerDeadlineMs: toNumber(row.timer_deadline_ms),
  };
  const members: GroupMemberRecord[] = [];
  for (const r of rows) {
    if (r.member_seq === null) continue;
    members.push({
      seq: r.member_seq,
      memberId: fromDb(r.member_id),
      groupInstanceId: fromDbOrNull(r.group_instance_id),
      clientId: fromDb(r.client_id),
      clientHost: fromDb(r.client_host),
      rebalanceTimeoutMs: r.rebalance_timeout_ms,
      sessionTimeoutMs: r.session_timeout_ms,
      protocolType: fromDb(r.protocol_type),
      protocols: r.protocol_names.map((name, i) => ({ name: fromDb(name), metadata: r.protocol_metadata[i]! })),
      assignment: r.assignment,
      isNew: r.is_new,
      joinWaiter: r.join_waiter,
      syncWaiter: r.sync_waiter,
      sessionDeadlineMs: toNumber(r.session_deadline_ms),
    });
  }
  return { nowMs: Number(rows[0]!.now_ms), group, members };
}

/** Writes what a rebalance step decided, and tells every gateway if anything changed. */
async function writeUpdate(client: pg.PoolClient, loaded: LockedGroup, update: GroupUpdate<unknown>): Promise<void> {
  const key = loaded.group.groupKey;
  if (update.deletedOffsets && update.deletedOffsets.length > 0) await deleteOffsets(client, key, update.deletedOffsets);
  if (update.next === 'delete') {
    await client.query('DELETE FROM kpg.groups WHERE group_key = $1', [key]);
    await notifyGroupChanged(client, key, false);
    return;
  }
  const changed = update.next ? await writeDifference(client, loaded, update.next) : false;
  const parked = [...(update.parkedWaiters ?? [])];
  if (parked.length > 0) {
    await client.query('INSERT INTO kpg.group_replies (waiter_id, group_key) SELECT unnest($2::uuid[]), $1', [key, parked]);
  }
  const superseded = [...(update.supersededWaiters ?? [])];
  if (superseded.length > 0) {
    await client.query('DELETE FROM kpg.group_replies WHERE waiter_id = ANY($1::uuid[])', [superseded]);
  }
  const replies = update.replies ?? new Map<string, GroupReply>();
  if (replies.size > 0) {
    const byWaiter: Record<string, unknown> = {};
    for (const [w, reply] of replies) byWaiter[w] = encodeReply(reply);
    await client.query(
      `UPDATE kpg.group_replies r SET reply = v.value, replied_at = now()
         FROM jsonb_each($1::jsonb) AS v(key, value)
        WHERE r.waiter_id = v.key::uuid`,
      [JSON.stringify(byWaiter)],
    );
  }
  const answersWritten = replies.size > 0 || superseded.length > 0;
  if (changed || answersWritten) await notifyGroupChanged(client, key, answersWritten);
}

async function deleteOffsets(client: pg.PoolClient, groupKey: number, partitions: readonly TopicPartitionRef[]): Promise<void> {
  await client.query(
    `DELETE FROM kpg.group_offsets o
      USING unnest($2::uuid[], $3::int[]) AS v(topic_id, partition)
      WHERE o.group_key = $1 AND o.topic_id = v.topic_id AND o.partition = v.partition`,
    [groupKey, partitions.map((p) => p.topicId), partitions.map((p) => p.partition)],
  );
}

/** kpg.groups' columns after group_key, in the order the UPDATE below takes them (client strings escaped). */
function groupColumns(g: GroupRecord): unknown[] {
  return [
    g.state, g.previousState, g.stateChangedMs, toDbOrNull(g.protocolType), toDbOrNull(g.protocolName), g.generationId,
    toDbOrNull(g.leaderId), g.newMemberAdded, g.joinDeadlineMs, g.initialDelayMs, g.initialRemainingMs, g.syncDeadlineMs,
    g.syncGeneration, g.pendingSyncMemberIds.map(toDb), g.pendingMembers.map((p) => toDb(p.memberId)),
    g.pendingMembers.map((p) => p.deadlineMs), g.subscribedTopics === null ? null : g.subscribedTopics.map(toDb),
    g.timerDeadlineMs,
  ];
}

/** A member's columns other than its protocols, comparable as one string. */
function memberScalars(m: GroupMemberRecord): string {
  return JSON.stringify([
    m.memberId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs, m.protocolType,
    m.assignment.toString('base64'), m.isNew, m.joinWaiter, m.syncWaiter, m.sessionDeadlineMs,
  ]);
}

function sameProtocols(a: GroupMemberRecord['protocols'], b: GroupMemberRecord['protocols']): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata));
}

/** Writes the rows of `next` that differ from `loaded`; returns whether any did. */
async function writeDifference(client: pg.PoolClient, loaded: GroupRecords, next: GroupRecords): Promise<boolean> {
  const key = loaded.group.groupKey;
  const columns = groupColumns(next.group);
  const groupChanged = JSON.stringify(columns) !== JSON.stringify(groupColumns(loaded.group));
  if (groupChanged) {
    await client.query(
      `UPDATE kpg.groups SET
         state = $2, previous_state = $3, state_changed_ms = $4, protocol_type = $5, protocol_name = $6,
         generation_id = $7, leader_id = $8, new_member_added = $9, join_deadline_ms = $10,
         initial_delay_ms = $11, initial_remaining_ms = $12, sync_deadline_ms = $13, sync_generation = $14,
         pending_sync_member_ids = $15, pending_member_ids = $16, pending_deadlines_ms = $17,
         subscribed_topics = $18, timer_deadline_ms = $19
       WHERE group_key = $1`,
      [key, ...columns],
    );
  }

  const before = new Map(loaded.members.map((m) => [m.seq, m]));
  const inserted: GroupMemberRecord[] = [];
  const updated: GroupMemberRecord[] = [];
  const protocolsChanged: GroupMemberRecord[] = [];
  for (const m of next.members) {
    const old = before.get(m.seq);
    before.delete(m.seq);
    if (!old) inserted.push(m);
    else {
      if (memberScalars(old) !== memberScalars(m)) updated.push(m);
      if (!sameProtocols(old.protocols, m.protocols)) protocolsChanged.push(m);
    }
  }
  const removedSeqs = [...before.keys()];

  if (removedSeqs.length > 0) {
    await client.query('DELETE FROM kpg.group_members WHERE group_key = $1 AND member_seq = ANY($2::int[])', [key, removedSeqs]);
  }
  for (const m of inserted) {
    await client.query(
      `INSERT INTO kpg.group_members
         (group_key, member_seq, member_id, group_instance_id, client_id, client_host, rebalance_timeout_ms,
          session_timeout_ms, protocol_type, protocol_names, protocol_metadata, assignment, is_new, join_waiter,
          sync_waiter, session_deadline_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::bytea[], $12, $13, $14, $15, $16)`,
      [
        key, m.seq, toDb(m.memberId), toDbOrNull(m.groupInstanceId), toDb(m.clientId), toDb(m.clientHost),
        m.rebalanceTimeoutMs, m.sessionTimeoutMs, toDb(m.protocolType), m.protocols.map((p) => toDb(p.name)),
        m.protocols.map((p) => p.metadata), m.assignment, m.isNew,
        m.joinWaiter, m.syncWaiter, m.sessionDeadlineMs,
      ],
    );
  }
  if (updated.length > 0) {
    const ms = updated;
    await client.query(
      `UPDATE kpg.group_members m SET
         member_id = v.member_id, client_id = v.client_id, client_host = v.client_host,
         rebalance_timeout_ms = v.rebalance_timeout_ms, session_timeout_ms = v.session_timeout_ms,
         protocol_type = v.protocol_type, assignment = v.assignment, is_new = v.is_new,
         join_waiter = v.join_waiter, sync_waiter = v.sync_waiter, session_deadline_ms = v.session_deadline_ms
       FROM unnest($2::int[], $3::text[], $4::text[], $5::text[], $6::int[], $7::int[], $8::text[], $9::bytea[],
                   $10::bool[], $11::uuid[], $12::uuid[], $13::bigint[])
            AS v(member_seq, member_id, client_id, client_host, rebalance_timeout_ms, session_timeout_ms,
                 protocol_type, assignment, is_new, join_waiter, sync_waiter, session_deadline_ms)
       WHERE m.group_key = $1 AND m.member_seq = v.member_seq`,
      [
        key,
        ms.map((m) => m.seq),
        ms.map((m) => toDb(m.memberId)),
        ms.map((m) => toDb(m.clientId)),
        ms.map((m) => toDb(m.clientHost)),
        ms.map((m) => m.rebalanceTimeoutMs),
        ms.map((m) => m.sessionTimeoutMs),
        ms.map((m) => toDb(m.protocolType)),
        ms.map((m) => m.assignment),
        ms.map((m) => m.isNew),
        ms.map((m) => m.joinWaiter),
        ms.map((m) => m.syncWaiter),
        ms.map((m) => m.sessionDeadlineMs),
      ],
    );
  }
  for (const m of protocolsChanged) {
    await client.query(
      'UPDATE kpg.group_members SET protocol_names = $3::text[], protocol_metadata = $4::bytea[] WHERE group_key = $1 AND member_seq = $2',
      [key, m.seq, m.protocols.map((p) => toDb(p.name)), m.protocols.map((p) => p.metadata)],
    );
  }
  return groupChanged || removedSeqs.length > 0 || inserted.length > 0 || updated.length > 0 || protocolsChanged.length > 0;
}

// --- replies as JSON (bytes as base64, client strings escaped: jsonb holds no NUL) ---

function encodeReply(reply: GroupReply): unknown {
  if (reply.kind === 'join') {
    const j = reply.join;
    return {
      kind: 'join',
      join: {
        ...j,
        protocolType: toDbOrNull(j.protocolType),
        protocolName: toDbOrNull(j.protocolName),
        leader: toDb(j.leader),
        memberId: toDb(j.memberId),
        members: j.members.map((m) => ({
          ...m,
          memberId: toDb(m.memberId),
          groupInstanceId: toDbOrNull(m.groupInstanceId),
          metadata: m.metadata.toString('base64'),
        })),
      },
    };
  }
  const y = reply.sync;
  return {
    kind: 'sync',
    sync: { ...y, protocolType: toDbOrNull(y.protocolType), protocolName: toDbOrNull(y.protocolName), assignment: y.assignment.toString('base64') },
  };
}

function decodeReply(value: unknown): GroupReply {
  const v = value as { kind: 'join' | 'sync'; join?: Record<string, unknown>; sync?: Record<string, unknown> };
  if (v.kind === 'join') {
    const join = v.join as Record<string, unknown> & { members: { memberId: string; groupInstanceId: string | null; metadata: string }[] };
    return {
      kind: 'join',
      join: {
        errorCode: join.errorCode as number,
        generationId: join.generationId as number,
        protocolType: fromDbOrNull(join.protocolType as string | null),
        protocolName: fromDbOrNull(join.protocolName as string | null),
        leader: fromDb(join.leader as string),
        memberId: fromDb(join.memberId as string),
        skipAssignment: join.skipAssignment as boolean,
        members: join.members.map((m) => ({
          memberId: fromDb(m.memberId),
          groupInstanceId: fromDbOrNull(m.groupInstanceId),
          metadata: Buffer.from(m.metadata, 'base64'),
        })),
      },
    };
  }
  const sync = v.sync as Record<string, unknown>;
  return {
    kind: 'sync',
    sync: {
      errorCode: sync.errorCode as number,
      protocolType: fromDbOrNull(sync.protocolType as string | null),
      protocolName: fromDbOrNull(sync.protocolName as string | null),
      assignment: Buffer.from(sync.assignment as string, 'base64'),
    },
  };
}
