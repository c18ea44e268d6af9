/**
 * The Postgres GroupStore on its own: a rebalance step writes only what differs from what it loaded,
 * and NOTIFY kpg_groups says `<group_key>` for a change and `<group_key>+` when answers were written.
 */
import pg from 'pg';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations } from '../../src/storage/migrate.js';
import type { GroupMemberRecord, GroupRecords } from '../../src/storage/groups.js';
import { PostgresGroupStore } from '../../src/storage/pg/group-store.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let database: TestDatabase;
let pool: pg.Pool;
let listener: pg.Client;
let store: PostgresGroupStore;
const notified: string[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  await applyMigrations(database.url);
  pool = new pg.Pool({ connectionString: database.url });
  store = new PostgresGroupStore(pool, pino({ level: 'silent' }));
  listener = new pg.Client({ connectionString: database.url });
  await listener.connect();
  listener.on('notification', (msg) => notified.push(msg.payload ?? ''));
  await listener.query('LISTEN kpg_groups');
});

afterAll(async () => {
  await listener?.end();
  await pool?.end();
  await database?.drop();
});

/** The payloads notified since the last call; a round trip on the listener delivers those already sent. */
async function takeNotified(): Promise<string[]> {
  await listener.query('SELECT 1');
  return notified.splice(0);
}

function member(seq: number, overrides: Partial<GroupMemberRecord> = {}): GroupMemberRecord {
  return {
    seq, memberId: `m${seq}`, groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', rebalanceTimeoutMs: 60_000,
    sessionTimeoutMs: 10_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from([1, 2]) }],
    assignment: Buffer.alloc(0), isNew: true, joinWaiter: null, syncWaiter: null, sessionDeadlineMs: null, ...overrides,
  };
}

describe('PostgresGroupStore', () => {
  it('creates, changes and deletes a group, writing and notifying only what changed', async () => {
    const created = await store.update({ groupId: 'g1' }, { create: true }, (locked) => ({ answer: locked, next: locked ?? undefined }));
    const loaded = created.answer!;
    expect(loaded.group).toMatchObject({ groupId: 'g1', state: 'Empty', generationId: 0, pendingMembers: [], timerDeadlineMs: null });
    expect(loaded.members).toEqual([]);
    // Writing back what was loaded changes nothing, so nobody is told.
    expect(await takeNotified()).toEqual([]);
    const key = loaded.group.groupKey;

    const waiter = '00000000-0000-4000-8000-000000000001';
    const joined: GroupRecords = {
      group: { ...loaded.group, state: 'PreparingRebalance', previousState: 'Empty', protocolType: 'consumer', joinDeadlineMs: 5, timerDeadlineMs: 5 },
      members: [member(1, { joinWaiter: waiter })],
    };
    await store.update({ groupKey: key }, { create: false }, () => ({ answer: null, next: joined, parkedWaiters: [waiter] }));
    expect(await takeNotified()).toEqual([String(key)]);
    expect(await store.takeReply(waiter)).toEqual({ status: 'waiting' });

    const reply = { kind: 'join' as const, join: { errorCode: 0, generationId: 1, protocolType: 'consumer', protocolName: 'range', leader: 'm1', memberId: 'm1', skipAssignment: false, members: [{ memberId: 'm1', groupInstanceId: null, metadata: Buffer.from([1, 2]) }] } };
    const answered = await store.update({ groupKey: key }, { create: false }, (locked) => {
      expect(locked!.members).toEqual(joined.members);
      const { group, members } = locked!;
      return {
        answer: null,
        next: { group: { ...group, generationId: 1 }, members: [{ ...members[0]!, joinWaiter: null, protocols: [{ name: 'range', metadata: Buffer.from([3]) }] }] },
        replies: new Map([[waiter, reply]]),
      };
    });
    expect(answered.nowMs).toBeGreaterThan(0);
    expect(await takeNotified()).toEqual([`${key}+`]);
    expect(await store.takeReply(waiter)).toEqual({ status: 'replied', reply });
    expect(await store.takeReply(waiter)).toEqual({ status: 'gone' });

    const reloaded = await store.update({ groupKey: key }, { create: false }, (locked) => ({ answer: locked! }));
    expect(reloaded.answer.group.generationId).toBe(1);
    expect(reloaded.answer.members[0]).toMatchObject({ joinWaiter: null, protocols: [{ name: 'range', metadata: Buffer.from([3]) }] });

    await store.update({ groupKey: key }, { create: false }, () => ({ answer: null, next: 'delete' }));
    expect(await takeNotified()).toEqual([String(key)]);
    expect(await store.update({ groupId: 'g1' }, { create: false }, (locked) => ({ answer: locked }))).toMatchObject({ answer: null });
  });

  it('light path: looks the member up under a shared lock and extends its session as decided', async () => {
    const { answer: key } = await store.update({ groupId: 'g2' }, { create: true }, (locked) => ({
      answer: locked!.group.groupKey,
      next: { group: { ...locked!.group, state: 'Stable', generationId: 3 }, members: [member(1, { isNew: false })] },
    }));
    await takeNotified();
    const seen = await store.updateShared('g2', { memberId: 'm1', groupInstanceId: null }, { create: false }, (view) => ({
      answer: view,
      extendSession: { memberSeq: view!.members[0]!.memberSeq, deadlineMs: view!.nowMs + 10_000 },
    }));
    expect(seen).toMatchObject({ groupKey: key, state: 'Stable', generationId: 3, timersDue: false, members: [{ memberSeq: 1, memberId: 'm1' }] });
    const { answer: after } = await store.update({ groupKey: key }, { create: false }, (locked) => ({ answer: locked! }));
    expect(after.members[0]!.sessionDeadlineMs).toBe(seen!.nowMs + 10_000);
    // A heartbeat concerns nobody else.
    expect(await takeNotified()).toEqual([]);

    expect(await store.updateShared('absent', { memberId: '', groupInstanceId: null }, { create: false }, (view) => ({ answer: view }))).toBeNull();
    const made = await store.updateShared('made', { memberId: '', groupInstanceId: null }, { create: true }, (view) => ({ answer: view }));
    expect(made).toMatchObject({ state: 'Empty', members: [] });
  });
});
