/**
 * The in-memory side of waiting fetches: which changes a fetch that was reading while they happened
 * still sees before it goes to sleep (otherwise it would sleep to max_wait_ms with records waiting).
 */
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { PartitionWatch } from '../../src/fetch/partition-watch.js';
import type { ChangeNotifications } from '../../src/storage/notifications.js';
import { partitionKey } from '../../src/storage/partition-key.js';
import { Channel } from '../../src/storage/pg/channels.js';
import { toChangeEvent } from '../../src/storage/pg/channels.js';

const TOPIC = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
const OTHER = '11111111-2222-3333-4444-555555555555';

/** Delivers wire notifications the way the LISTEN connection does: parsed into typed events. */
class FakeNotifications extends EventEmitter {
  notify(channel: string, payload: string): void {
    const change = toChangeEvent(channel, payload);
    if (change) this.emit(change.event, ...change.args);
  }
}

function watch() {
  const notifications = new FakeNotifications();
  return { notifications, watch: new PartitionWatch(notifications as unknown as ChangeNotifications) };
}

describe('PartitionWatch', () => {
  it('counts the fetches waiting: a wait counts until it is woken or cancelled, once', () => {
    const { watch: w } = watch();
    const p0 = partitionKey(TOPIC, 0);
    const cancelFirst = w.waitForAny([p0, partitionKey(TOPIC, 1)], () => undefined);
    w.waitForAny([p0], () => undefined);
    expect(w.waitingFetches).toBe(2);
    w.appended(TOPIC, 0, 5n);
    expect(w.waitingFetches).toBe(0);
    cancelFirst();
    expect(w.waitingFetches).toBe(0);
    const cancel = w.waitForAny([partitionKey(OTHER, 0)], () => undefined);
    expect(w.waitingFetches).toBe(1);
    cancel();
    cancel();
    expect(w.waitingFetches).toBe(0);
  });

  it('an append after the mark (notified or local) counts as a change of that partition only', () => {
    const { notifications, watch: w } = watch();
    const p0 = partitionKey(TOPIC, 0);
    const p1 = partitionKey(TOPIC, 1);
    const before = w.mark();
    expect(w.changedSince([p0, p1], before)).toBe(false);
    notifications.notify(Channel.records, `${TOPIC}:0:5`);
    expect(w.changedSince([p0], before)).toBe(true);
    expect(w.changedSince([p1], before)).toBe(false);
    const later = w.mark();
    expect(w.changedSince([p0], later)).toBe(false);
    w.appended(TOPIC, 1, 3n);
    expect(w.changedSince([p1], later)).toBe(true);
    expect(w.changedSince([p0], later)).toBe(false);
  });

  it('a reconnect of the LISTEN connection or a deleted topic counts as a change of every partition', () => {
    const { notifications, watch: w } = watch();
    const key = partitionKey(OTHER, 7);
    let mark = w.mark();
    notifications.emit('reconnected');
    expect(w.changedSince([key], mark)).toBe(true);
    mark = w.mark();
    notifications.notify(Channel.topics, TOPIC);
    expect(w.changedSince([key], mark)).toBe(true);
  });

  it('a local append moves a known high watermark forward only and wakes the partition\'s waiters', () => {
    const { watch: w } = watch();
    w.update(TOPIC, 0, { highWatermark: 10n, logStartOffset: 0n });
    let woken = 0;
    w.waitForAny([partitionKey(TOPIC, 0)], () => woken++);
    w.appended(TOPIC, 0, 8n); // an older append whose answer came late
    expect(w.get(TOPIC, 0)).toEqual({ highWatermark: 10n, logStartOffset: 0n });
    w.appended(TOPIC, 0, 12n);
    expect(w.get(TOPIC, 0)).toEqual({ highWatermark: 12n, logStartOffset: 0n });
    expect(woken).toBe(1); // a waiter fires once
  });

  it('ignores malformed notifications', () => {
    const { notifications, watch: w } = watch();
    const mark = w.mark();
    notifications.notify(Channel.records, 'garbage');
    notifications.notify(Channel.records, `${TOPIC}:0:not-a-number`);
    expect(w.changedSince([partitionKey(TOPIC, 0)], mark)).toBe(false);
  });
});
