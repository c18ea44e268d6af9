/**
 * Incremental fetch sessions (KIP-227), kept per gateway as a Kafka broker keeps them.
 *
 * A full fetch with epoch 0 opens a session (when a slot is free); later fetches with the session id and
 * the next epoch send only what changed and get back only partitions with something new. Epoch -1 ends a
 * session, and so does an incremental fetch that leaves the session without partitions (it is then answered
 * as a sessionless fetch, session id 0). Errors as Kafka's: an unknown id is FETCH_SESSION_ID_NOT_FOUND, a wrong epoch
 * INVALID_FETCH_SESSION_EPOCH. The cache holds `max.incremental.fetch.session.cache.slots` sessions
 * (default 1000); when full, a session idle for at least two minutes is evicted, least recently used first.
 */
import { randomInt } from 'node:crypto';
import { ErrorCode } from '../protocol/error-codes.js';

export const INITIAL_EPOCH = 0;
export const FINAL_EPOCH = -1;
const MIN_EVICTABLE_IDLE_MS = 120_000;

export interface SessionPartition {
  /** Topic name (v12 and older) or topic id (v13+) as the client addresses it. */
  topic: string;
  partition: number;
  fetchOffset: bigint;
  partitionMaxBytes: number;
  /** The client's current leader epoch (v9+; -1 or any negative value when none), kept like the offset. */
  currentLeaderEpoch: number;
  /** What the client was last told, so unchanged partitions can be left out. */
  lastHighWatermark: bigint;
  lastLogStartOffset: bigint;
}

export interface FetchSession {
  id: number;
  /** The epoch the next request must carry. */
  nextEpoch: number;
  partitions: Map<string, SessionPartition>;
  lastUsed: number;
}

export type SessionLookup =
  | { kind: 'sessionless' }
  | { kind: 'new'; session: FetchSession | undefined }
  | { kind: 'incremental'; session: FetchSession }
  | { kind: 'error'; errorCode: number };


export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();

  constructor(private readonly slots: () => number) {}

  get size(): number {
    return this.sessions.size;
  }

  /** Interprets a request's session id and epoch, creating or closing sessions as Kafka does. */
  begin(sessionId: number, epoch: number, now = Date.now()): SessionLookup {
    if (epoch === FINAL_EPOCH) {
      if (sessionId !== 0) this.sessions.delete(sessionId);
      return { kind: 'sessionless' };
    }
    if (epoch === INITIAL_EPOCH) {
      if (sessionId !== 0) this.sessions.delete(sessionId);
      return { kind: 'new', session: this.create(now) };
    }
    const session = this.sessions.get(sessionId);
    if (!session) return { kind: 'error', errorCode: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
    if (session.nextEpoch !== epoch) return { kind: 'error', errorCode: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
    session.lastUsed = now;
    session.nextEpoch = epoch === 2147483647 ? 1 : epoch + 1;
    return { kind: 'incremental', session };
  }

  /** Removes a session (Kafka closes one that an incremental fetch left without partitions). */
  close(sessionId: number): void {
    this.sessions.delete(sessionId);
  }

  private create(now: number): FetchSession | undefined {
    if (this.slots() <= 0) return undefined;
    if (this.sessions.size >= this.slots() && !this.evictOne(now)) return undefined;
    let id: number;
    do id = randomInt(1, 2147483647);
    while (this.sessions.has(id));
    const session: FetchSession = { id, nextEpoch: 1, partitions: new Map(), lastUsed: now };
    this.sessions.set(id, session);
    return session;
  }

  private evictOne(now: number): boolean {
    let victim: FetchSession | undefined;
    for (const s of this.sessions.values()) {
      if (now - s.lastUsed < MIN_EVICTABLE_IDLE_MS) continue;
      if (!victim || s.lastUsed < victim.lastUsed) victim = s;
    }
    if (!victim) return false;
    this.sessions.delete(victim.id);
    return true;
  }
}
