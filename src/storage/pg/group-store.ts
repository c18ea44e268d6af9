/**
 * SQL for consumer groups and committed offsets (tables in schema.ts: groups, group_members,
 * group_replies, group_offsets). Every operation is one transaction. Changes to one group are
 * serialised by its row in kpg.groups: rebalance steps lock it FOR UPDATE, heartbeats and offset commits
 * FOR SHARE (they may run side by side, never during a rebalance step). Each transaction that changes a
 * group sends NOTIFY kpg_groups with the group_key, so waiting requests on every gateway look again.
 */
import pg from 'pg';
import type { Logger } from 'pino';
import {
  ClassicGroup,
  GroupMember,
  type GroupReply,
  type GroupStateName,
  type Protocol,
} from '../../groups/classic-group.js';
import { Channel } from '../notifications.js';
import { inTransaction } from '../transaction.js';

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

export type GroupRef = { groupId: string } | { groupKey: number };

export interface GroupTransactionResult<T> {
  result: T;
  /** Null when the group does not exist (and was not created). */
  groupKey: number | null;
  /** Replies to the caller's own waiters that were completed in this transaction. */
  ownReplies: Map<string, GroupReply>;
  /** The caller's waiters left waiting (stored in kpg.group_replies). */
  parked: Set<string>;
  /** Whether waiting requests (of anyone) were answered or superseded: their waiters must look. */
  answered: boolean;
  /** The earliest deadline of the group after the transaction, for the local sweeper. */
  nextDeadlineMs: number | null;
  nowMs: number;
}

export interface MemberLookupRow {
  memberSeq: number;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
}

/** A group row with what the light paths (heartbeat, commit) need, locked FOR SHARE. */
export interface SharedGroupView {
  groupKey: number;
  state: GroupStateName;
  generationId: number;
  protocolType: string | null;
  /** Whether any timer of the group is due: then the full path must run first. */
  timersDue: boolean;
  nowMs: number;
  members: MemberLookupRow[];
}

export interface OffsetToCommit {
  topicId: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestampMs: number | null;
  expireTimestampMs: number | null;
}

export interface StoredOffset {
  topicName: string;
  partition: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
}

export interface GroupSummaryRow {
  groupKey: number;
  groupId: string;
  state: GroupStateName;
  protocolType: string | null;
  protocolName: string | null;
  generationId: number;
  timersDue: boolean;
}

export interface DescribedMemberRow {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  protocolNames: string[];
  protocolMetadata: Buffer[];
  assignment: Buffer;
}

export type TakeReplyResult = { status: 'replied'; reply: GroupReply } | { status: 'waiting' } | { status: 'gone' };

export class GroupStore {
  constructor(
    readonly pool: pg.Pool,
    private readonly log: Logger,
  ) {}

  /** Runs `work` in a transaction, retrying on deadlock or serialization failure. */
  async transaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
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

  /**
   * Locks the group FOR UPDATE (creating it, Empty, if asked and absent), loads it, runs `work` on it and
   * writes back every change, the replies for waiting requests and the notification, in one transaction.
   * `work` gets null when the group does not exist. `ownWaiters` are the caller's request ids: the ones
   * answered in this transaction come back in `ownReplies`, the others are parked in kpg.group_replies.
   */
  async updateGroup<T>(
    ref: GroupRef,
    options: { create: boolean; ownWaiters?: readonly string[] },
    work: (group: ClassicGroup | null, client: pg.PoolClient) => T | Promise<T>,
  ): Promise<GroupTransactionResult<T>> {
    return this.transaction(async (client) => {
      let row = await lockGroupRow(client, ref);
      if (!row && options.create && 'groupId' in ref) {
        await client.query(
          `INSERT INTO kpg.groups (group_id, state, state_changed_ms) VALUES ($1, 'Empty', ${NOW_MS}) ON CONFLICT DO NOTHING`,
          [ref.groupId],
        );
        row = await lockGroupRow(client, ref);
      }
      if (!row) {
        const nowMs = await currentTimeMs(client);
        return { result: await work(null, client), groupKey: null, ownReplies: new Map(), parked: new Set(), answered: false, nextDeadlineMs: null, nowMs };
      }
      const group = await loadGroup(client, row);
      const result = await work(group, client);
      if (group.deleted) {
        await client.query('DELETE FROM kpg.groups WHERE group_key = $1', [group.groupKey]);
        await client.query('SELECT pg_notify($1, $2)', [Channel.groups, String(group.groupKey)]);
        return { result, groupKey: group.groupKey, ownReplies: new Map(), parked: new Set(), answered: false, nextDeadlineMs: null, nowMs: group.nowMs };
      }
      const { ownReplies, parked, answered } = await saveGroup(client, group, options.ownWaiters ?? []);
      return { result, groupKey: group.groupKey, ownReplies, parked, answered, nextDeadlineMs: group.nextDeadlineMs(), nowMs: group.nowMs };
    });
  }

  /** Reads a waiting request's reply, consuming it. */
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

  /**
   * Forgets a waiting request whose gateway is shutting down, as Kafka forgets a coordinator's pending
   * requests when the group moves elsewhere: the member no longer counts as waiting, and its session timer
   * runs again so it expires unless it comes back through another gateway.
   */
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
      await this.notify(client, groupKey);
    });
  }

  /**
   * The light path of Heartbeat and OffsetCommit: locks the group row FOR SHARE (no rebalance step runs
   * meanwhile, other light paths may) and looks up the member by id and by instance id, inside `work`'s
   * transaction. `work` gets null when the group does not exist.
   */
  async withSharedGroup<T>(groupId: string, memberId: string, groupInstanceId: string | null, work: (view: SharedGroupView | null, client: pg.PoolClient) => Promise<T>): Promise<T> {
    return this.transaction(async (client) => {
      const view = await this.sharedView(client, groupId, memberId, groupInstanceId);
      return work(view, client);
    });
  }

  async sharedView(client: pg.PoolClient, groupId: string, memberId: string, groupInstanceId: string | null): Promise<SharedGroupView | null> {
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
      [groupId],
    );
    const row = g.rows[0];
    if (!row) return null;
    const groupKey = Number(row.group_key);
    const m = await client.query<{ member_seq: number; member_id: string; group_instance_id: string | null; session_timeout_ms: number }>(
      `SELECT member_seq, member_id, group_instance_id, session_timeout_ms FROM kpg.group_members
        WHERE group_key = $1 AND (member_id = $2 OR group_instance_id = $3)`,
      [groupKey, memberId, groupInstanceId],
    );
    return {
      groupKey,
      state: row.state,
      generationId: row.generation_id,
      protocolType: row.protocol_type,
      timersDue: row.timers_due === true,
      nowMs: Number(row.now_ms),
      members: m.rows.map((r) => ({
        memberSeq: r.member_seq,
        memberId: r.member_id,
        groupInstanceId: r.group_instance_id,
        sessionTimeoutMs: r.session_timeout_ms,
      })),
    };
  }

  /** Restarts a member's session timer (a heartbeat, or a commit that counts as one). */
  async extendSession(client: pg.PoolClient, groupKey: number, memberSeq: number, deadlineMs: number): Promise<void> {
    await client.query('UPDATE kpg.group_members SET session_deadline_ms = $3 WHERE group_key = $1 AND member_seq = $2', [
      groupKey,
      memberSeq,
      deadlineMs,
    ]);
  }

  /** Creates an Empty group with no members if none exists (a commit by a client not using group management). */
  async ensureGroup(client: pg.PoolClient, groupId: string): Promise<void> {
    await client.query(
      `INSERT INTO kpg.groups (group_id, state, state_changed_ms) VALUES ($1, 'Empty', ${NOW_MS}) ON CONFLICT DO NOTHING`,
      [groupId],
    );
  }

  /** Writes committed offsets (later entries for the same partition win). */
  async commitOffsets(client: pg.PoolClient, groupKey: number, offsets: readonly OffsetToCommit[]): Promise<void> {
    const unique = new Map<string, OffsetToCommit>();
    for (const o of offsets) unique.set(`${o.topicId}:${o.partition}`, o);
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
        list.map((o) => o.metadata),
        list.map((o) => o.commitTimestampMs),
        list.map((o) => o.expireTimestampMs),
      ],
    );
  }

  /** Committed offsets of a group: all of them, or those of the named topics. Unknown group: none. */
  async fetchOffsets(groupId: string, topicNames: readonly string[] | null): Promise<StoredOffset[]> {
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
      [groupId, topicNames === null ? null : [...topicNames]],
    );
    return rows.map((r) => ({
      topicName: r.name,
      partition: r.partition,
      offset: r.committed_offset,
      leaderEpoch: r.leader_epoch,
      metadata: r.metadata,
    }));
  }

  async deleteOffsets(client: pg.PoolClient, groupKey: number, partitions: readonly { topicId: string; partition: number }[]): Promise<void> {
    if (partitions.length === 0) return;
    await client.query(
      `DELETE FROM kpg.group_offsets o
        USING unnest($2::uuid[], $3::int[]) AS v(topic_id, partition)
        WHERE o.group_key = $1 AND o.topic_id = v.topic_id AND o.partition = v.partition`,
      [groupKey, partitions.map((p) => p.topicId), partitions.map((p) => p.partition)],
    );
  }

  /** Groups by id (all groups when null) with their state, and whether a timer of theirs is due. */
  async groupSummaries(groupIds: readonly string[] | null, client: pg.Pool | pg.PoolClient = this.pool): Promise<GroupSummaryRow[]> {
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
      [groupIds === null ? null : [...groupIds]],
    );
    return rows.map((r) => ({
      groupKey: Number(r.group_key),
      groupId: r.group_id,
      state: r.state,
      protocolType: r.protocol_type,
      protocolName: r.protocol_name,
      generationId: r.generation_id,
      timersDue: r.timers_due === true,
    }));
  }

  /** The named groups with their members, read from one snapshot. */
  async describeGroups(groupIds: readonly string[]): Promise<{ summary: GroupSummaryRow; members: DescribedMemberRow[] }[]> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const summaries = await this.groupSummaries(groupIds, client);
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
            memberId: r.member_id,
            groupInstanceId: r.group_instance_id,
            clientId: r.client_id,
            clientHost: r.client_host,
            protocolNames: r.protocol_names,
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

  /** The earliest deadline of any group, for the sweeper's next wake-up; null when nothing is scheduled. */
  async nextDeadline(): Promise<{ deadlineMs: number | null; nowMs: number }> {
    const { rows } = await this.pool.query<{ deadline_ms: bigint | null; now_ms: bigint }>(
      `SELECT least((SELECT min(timer_deadline_ms) FROM kpg.groups),
                    (SELECT min(session_deadline_ms) FROM kpg.group_members)) AS deadline_ms,
              ${NOW_MS} AS now_ms`,
    );
    const r = rows[0]!;
    return { deadlineMs: r.deadline_ms === null ? null : Number(r.deadline_ms), nowMs: Number(r.now_ms) };
  }

  /** Groups with a timer due now. */
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
   * Kafka's periodic offsets cleanup: expires offsets by the group's expiration condition
   * (offsets.retention.minutes) and deletes Empty groups left without offsets. Each group is cleaned in
   * its own transaction under its row lock, so a commit or a join racing with the cleanup is either
   * fully before it (and counted) or after it. Also drops answers nobody came to read (their gateway
   * went away). Returns how many offsets and groups went.
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
        if ((expired.rowCount ?? 0) > 0 || (deleted.rowCount ?? 0) > 0) await this.notify(client, Number(group_key));
      });
    }
    await this.pool.query(`DELETE FROM kpg.group_replies WHERE replied_at < now() - interval '10 minutes'`);
    return { offsets, groups };
  }

  async notify(client: pg.PoolClient, groupKey: number): Promise<void> {
    await client.query('SELECT pg_notify($1, $2)', [Channel.groups, String(groupKey)]);
  }
}

// --- loading and saving a whole group ---

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
    [byId ? ref.groupId : ref.groupKey],
  );
  return rows[0];
}

async function currentTimeMs(client: pg.Pool | pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ now_ms: bigint }>(`SELECT ${NOW_MS} AS now_ms`);
  return Number(rows[0]!.now_ms);
}

const toNumber = (v: bigint | null): number | null => (v === null ? null : Number(v));

async function loadGroup(client: pg.PoolClient, row: GroupRow): Promise<ClassicGroup> {
  const groupKey = Number(row.group_key);
  // The clock is read after the row lock was granted, so time spent waiting for it counts.
  const { rows } = await client.query<MemberRow>(
    `SELECT ${NOW_MS} AS now_ms, m.*
       FROM (SELECT 1) AS one
       LEFT JOIN kpg.group_members m ON m.group_key = $1
      ORDER BY m.member_seq`,
    [groupKey],
  );
  const group = new ClassicGroup(groupKey, row.group_id, Number(rows[0]!.now_ms));
  group.state = row.state;
  group.previousState = row.previous_state;
  group.stateChangedMs = Number(row.state_changed_ms);
  group.protocolType = row.protocol_type;
  group.protocolName = row.protocol_name;
  group.generationId = row.generation_id;
  group.leaderId = row.leader_id;
  group.newMemberAdded = row.new_member_added;
  const joinDeadline = toNumber(row.join_deadline_ms);
  if (joinDeadline !== null) {
    group.joinTimer = {
      deadlineMs: joinDeadline,
      initial:
        row.initial_delay_ms !== null && row.initial_remaining_ms !== null
          ? { delayMs: row.initial_delay_ms, remainingMs: row.initial_remaining_ms }
          : null,
    };
  }
  const syncDeadline = toNumber(row.sync_deadline_ms);
  if (syncDeadline !== null) group.syncTimer = { deadlineMs: syncDeadline, generationId: row.sync_generation ?? -1 };
  for (const id of row.pending_sync_member_ids) group.pendingSyncMembers.add(id);
  row.pending_member_ids.forEach((id, i) => group.pendingMembers.set(id, Number(row.pending_deadlines_ms[i])));
  group.subscribedTopics = row.subscribed_topics === null ? null : new Set(row.subscribed_topics);

  for (const r of rows) {
    if (r.member_seq === null) continue;
    const protocols: Protocol[] = r.protocol_names.map((name, i) => ({ name, metadata: r.protocol_metadata[i]! }));
    const member = new GroupMember(
      r.member_seq, r.member_id, r.group_instance_id, r.client_id, r.client_host, r.rebalance_timeout_ms,
      r.session_timeout_ms, r.protocol_type, protocols, r.assignment,
    );
    member.isNew = r.is_new;
    member.joinWaiter = r.join_waiter;
    member.syncWaiter = r.sync_waiter;
    member.sessionDeadlineMs = toNumber(r.session_deadline_ms);
    group.restoreMember(member);
  }
  group.markLoaded();
  return group;
}

async function saveGroup(
  client: pg.PoolClient,
  group: ClassicGroup,
  ownWaiters: readonly string[],
): Promise<{ ownReplies: Map<string, GroupReply>; parked: Set<string>; answered: boolean }> {
  const changes = group.changes();
  const key = group.groupKey;
  if (changes.groupChanged) {
    await client.query(
      `UPDATE kpg.groups SET
         state = $2, previous_state = $3, state_changed_ms = $4, protocol_type = $5, protocol_name = $6,
         generation_id = $7, leader_id = $8, new_member_added = $9, join_deadline_ms = $10,
         initial_delay_ms = $11, initial_remaining_ms = $12, sync_deadline_ms = $13, sync_generation = $14,
         pending_sync_member_ids = $15, pending_member_ids = $16, pending_deadlines_ms = $17,
         subscribed_topics = $18, timer_deadline_ms = $19
       WHERE group_key = $1`,
      [
        key,
        group.state,
        group.previousState,
        group.stateChangedMs,
        group.protocolType,
        group.protocolName,
        group.generationId,
        group.leaderId,
        group.newMemberAdded,
        group.joinTimer?.deadlineMs ?? null,
        group.joinTimer?.initial?.delayMs ?? null,
        group.joinTimer?.initial?.remainingMs ?? null,
        group.syncTimer?.deadlineMs ?? null,
        group.syncTimer?.generationId ?? null,
        [...group.pendingSyncMembers],
        [...group.pendingMembers.keys()],
        [...group.pendingMembers.values()],
        group.subscribedTopics === null ? null : [...group.subscribedTopics],
        group.timerDeadlineMs(),
      ],
    );
  }
  if (changes.removedSeqs.length > 0) {
    await client.query('DELETE FROM kpg.group_members WHERE group_key = $1 AND member_seq = ANY($2::int[])', [key, changes.removedSeqs]);
  }
  for (const m of changes.insertedMembers) {
    await client.query(
      `INSERT INTO kpg.group_members
         (group_key, member_seq, member_id, group_instance_id, client_id, client_host, rebalance_timeout_ms,
          session_timeout_ms, protocol_type, protocol_names, protocol_metadata, assignment, is_new, join_waiter,
          sync_waiter, session_deadline_ms)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::text[], $11::bytea[], $12, $13, $14, $15, $16)`,
      [
        key, m.seq, m.memberId, m.groupInstanceId, m.clientId, m.clientHost, m.rebalanceTimeoutMs, m.sessionTimeoutMs,
        m.protocolType, m.protocols.map((p) => p.name), m.protocols.map((p) => p.metadata), m.assignment, m.isNew,
        m.joinWaiter, m.syncWaiter, m.sessionDeadlineMs,
      ],
    );
  }
  if (changes.updatedMembers.length > 0) {
    const ms = changes.updatedMembers;
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
        ms.map((m) => m.memberId),
        ms.map((m) => m.clientId),
        ms.map((m) => m.clientHost),
        ms.map((m) => m.rebalanceTimeoutMs),
        ms.map((m) => m.sessionTimeoutMs),
        ms.map((m) => m.protocolType),
        ms.map((m) => m.assignment),
        ms.map((m) => m.isNew),
        ms.map((m) => m.joinWaiter),
        ms.map((m) => m.syncWaiter),
        ms.map((m) => m.sessionDeadlineMs),
      ],
    );
  }
  for (const m of changes.protocolsChanged) {
    await client.query(
      'UPDATE kpg.group_members SET protocol_names = $3::text[], protocol_metadata = $4::bytea[] WHERE group_key = $1 AND member_seq = $2',
      [key, m.seq, m.protocols.map((p) => p.name), m.protocols.map((p) => p.metadata)],
    );
  }

  // The caller's own requests: answered now, or parked until another transaction answers them.
  const ownReplies = new Map<string, GroupReply>();
  const parked = new Set<string>();
  const waiting = new Set(group.allMembers().flatMap((m) => [m.joinWaiter, m.syncWaiter]).filter((w) => w !== null));
  for (const w of ownWaiters) {
    const reply = group.replies.get(w);
    if (reply) {
      ownReplies.set(w, reply);
      group.replies.delete(w);
    } else if (waiting.has(w)) {
      parked.add(w);
    }
  }
  if (parked.size > 0) {
    await client.query('INSERT INTO kpg.group_replies (waiter_id, group_key) SELECT unnest($2::uuid[]), $1', [key, [...parked]]);
  }
  if (group.abandonedWaiters.size > 0) {
    await client.query('DELETE FROM kpg.group_replies WHERE waiter_id = ANY($1::uuid[])', [[...group.abandonedWaiters]]);
  }
  if (group.replies.size > 0) {
    const byWaiter: Record<string, unknown> = {};
    for (const [w, reply] of group.replies) byWaiter[w] = encodeReply(reply);
    await client.query(
      `UPDATE kpg.group_replies r SET reply = v.value, replied_at = now()
         FROM jsonb_each($1::jsonb) AS v(key, value)
        WHERE r.waiter_id = v.key::uuid`,
      [JSON.stringify(byWaiter)],
    );
  }
  const changed =
    changes.groupChanged ||
    changes.insertedMembers.length > 0 ||
    changes.updatedMembers.length > 0 ||
    changes.protocolsChanged.length > 0 ||
    changes.removedSeqs.length > 0 ||
    group.replies.size > 0 ||
    group.abandonedWaiters.size > 0;
  // "+" tells waiting requests that answers were written; other changes only concern the sweepers.
  const answered = group.replies.size > 0 || group.abandonedWaiters.size > 0;
  if (changed) await client.query('SELECT pg_notify($1, $2)', [Channel.groups, `${key}${answered ? '+' : ''}`]);
  return { ownReplies, parked, answered };
}

// --- replies as JSON (bytes as base64) ---

function encodeReply(reply: GroupReply): unknown {
  if (reply.kind === 'join') {
    return {
      kind: 'join',
      join: {
        ...reply.join,
        members: reply.join.members.map((m) => ({ ...m, metadata: m.metadata.toString('base64') })),
      },
    };
  }
  return { kind: 'sync', sync: { ...reply.sync, assignment: reply.sync.assignment.toString('base64') } };
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
        protocolType: join.protocolType as string | null,
        protocolName: join.protocolName as string | null,
        leader: join.leader as string,
        memberId: join.memberId as string,
        skipAssignment: join.skipAssignment as boolean,
        members: join.members.map((m) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, metadata: Buffer.from(m.metadata, 'base64') })),
      },
    };
  }
  const sync = v.sync as Record<string, unknown>;
  return {
    kind: 'sync',
    sync: {
      errorCode: sync.errorCode as number,
      protocolType: sync.protocolType as string | null,
      protocolName: sync.protocolName as string | null,
      assignment: Buffer.from(sync.assignment as string, 'base64'),
    },
  };
}
