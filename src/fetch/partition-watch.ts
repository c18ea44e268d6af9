/**
 * What this gateway knows about partitions' log end offsets without asking Postgres, and who is waiting
 * for them to move. Every append, on any gateway or from SQL, is announced (recordsAppended) when it
 * commits; that keeps the known high watermarks current and wakes waiting fetches, so a consumer waiting on an idle partition costs no query at all.
 *
 * After the change feed reconnects, notifications may have been missed: everything known is
 * forgotten and every waiter is woken to re-check against Postgres.
 */
import type { ChangeNotifications } from '../storage/notifications.js';
import { isPartitionOf, partitionKey } from '../storage/partition-key.js';

export interface KnownOffsets {
  highWatermark: bigint;
  logStartOffset: bigint;
}

type Waiter = () => void;

export class PartitionWatch {
  private readonly known = new Map<string, KnownOffsets>();
  private readonly waiters = new Map<string, Set<Waiter>>();
  /**
   * A counter of changes, and the change that last touched each partition: a fetch marks the counter
   * before it reads, and before it waits asks whether anything changed since. Without that, an append
   * committed while the fetch was reading would wake nobody, and the fetch would sleep to max_wait_ms.
   */
  private changes = 0;
  private readonly lastChange = new Map<string, number>();
  /** The change after which everything counts as changed (reconnect, topic deletion). */
  private changedAll = 0;
  /** Fetches waiting right now (each waitForAny until it fires or is cancelled). */
  private waiting = 0;

  constructor(notifications: ChangeNotifications) {
    notifications.on('recordsAppended', (topicId, partition, nextOffset, logStartOffset) =>
      this.appended(topicId, partition, nextOffset, logStartOffset),
    );
    notifications.on('topicChanged', (topicId) => this.forgetTopic(topicId));
    notifications.on('reconnected', () => {
      this.known.clear();
      this.changedAll = ++this.changes;
      this.wakeAll();
    });
  }

  /** A mark to pass to `changedSince` later. */
  mark(): number {
    return this.changes;
  }

  /** Whether any of the partitions may have changed after `mark`. */
  changedSince(keys: readonly string[], mark: number): boolean {
    if (this.changedAll > mark) return true;
    return keys.some((key) => (this.lastChange.get(key) ?? 0) > mark);
  }

  get(topicId: string, partition: number): KnownOffsets | undefined {
    return this.known.get(partitionKey(topicId, partition));
  }

  /** Records offsets read from Postgres. High watermarks only move forward. */
  update(topicId: string, partition: number, offsets: KnownOffsets): void {
    const key = partitionKey(topicId, partition);
    const current = this.known.get(key);
    if (!current || offsets.highWatermark >= current.highWatermark) {
      this.known.set(key, {
        highWatermark: offsets.highWatermark,
        logStartOffset: current && current.logStartOffset > offsets.logStartOffset ? current.logStartOffset : offsets.logStartOffset,
      });
    } else if (offsets.logStartOffset > current.logStartOffset) {
      current.logStartOffset = offsets.logStartOffset;
    }
  }

  /**
   * Calls `wake` once when any of the partitions changes (or on reconnect). Returns the function that
   * cancels the wait.
   */
  waitForAny(keys: readonly string[], wake: () => void): () => void {
    let fired = false;
    let counted = true;
    this.waiting++;
    const waiter: Waiter = () => {
      if (fired) return;
      fired = true;
      cancel();
      wake();
    };
    for (const key of keys) {
      let set = this.waiters.get(key);
      if (!set) this.waiters.set(key, (set = new Set()));
      set.add(waiter);
    }
    const cancel = (): void => {
      if (counted) {
        counted = false;
        this.waiting--;
      }
      for (const key of keys) {
        const set = this.waiters.get(key);
        if (!set) continue;
        set.delete(waiter);
        if (set.size === 0) this.waiters.delete(key);
      }
    };
    return cancel;
  }

  /** How many fetches are waiting for records now. */
  get waitingFetches(): number {
    return this.waiting;
  }

  /**
   * A committed append moved a partition's log end to `highWatermark`: from a notification, or straight
   * from this gateway's produce path, so its own consumers need not wait for the notification's round trip.
   */
  appended(topicId: string, partition: number, highWatermark: bigint, logStartOffset?: bigint): void {
    const key = partitionKey(topicId, partition);
    const current = this.known.get(key);
    if (current) {
      if (highWatermark > current.highWatermark) current.highWatermark = highWatermark;
      if (logStartOffset !== undefined && logStartOffset > current.logStartOffset) current.logStartOffset = logStartOffset;
    }
    this.lastChange.set(key, ++this.changes);
    const set = this.waiters.get(key);
    if (set) for (const w of [...set]) w();
  }

  private forgetTopic(topicId: string): void {
    this.changedAll = ++this.changes;
    for (const key of [...this.lastChange.keys()]) if (isPartitionOf(key, topicId)) this.lastChange.delete(key);
    for (const key of [...this.known.keys()]) if (isPartitionOf(key, topicId)) this.known.delete(key);
    for (const [key, set] of [...this.waiters]) if (isPartitionOf(key, topicId)) for (const w of [...set]) w();
  }

  private wakeAll(): void {
    for (const set of [...this.waiters.values()]) for (const w of [...set]) w();
  }
}
