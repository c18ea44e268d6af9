/**
 * Topic metadata by name and by id for the hot paths (Produce, Fetch), so they do not ask Postgres for
 * a topic on every request. Entries are dropped when any gateway announces a change to the topic
 * (NOTIFY kpg_topics), and everything is dropped when the LISTEN connection had to reconnect.
 */
import type { Notifications } from '../storage/notifications.js';
import { Channel } from '../storage/notifications.js';
import type { Store, TopicRecord } from '../storage/store.js';

export class TopicCache {
  private byName = new Map<string, TopicRecord>();
  private byId = new Map<string, TopicRecord>();

  constructor(
    private readonly store: Store,
    notifications: Notifications,
  ) {
    notifications.on('notification', (channel, payload) => {
      if (channel === Channel.topics) this.invalidate(payload);
    });
    notifications.on('reconnected', () => this.clear());
  }

  /** Topics by name; names not in the result do not exist. */
  async byNames(names: readonly string[]): Promise<Map<string, TopicRecord>> {
    const out = new Map<string, TopicRecord>();
    const missing: string[] = [];
    for (const name of names) {
      const hit = this.byName.get(name);
      if (hit) out.set(name, hit);
      else missing.push(name);
    }
    if (missing.length > 0) {
      for (const t of await this.store.topics(missing)) {
        this.remember(t);
        out.set(t.name, t);
      }
    }
    return out;
  }

  async byIds(ids: readonly string[]): Promise<Map<string, TopicRecord>> {
    const out = new Map<string, TopicRecord>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.byId.get(id);
      if (hit) out.set(id, hit);
      else missing.push(id);
    }
    if (missing.length > 0) {
      for (const t of await this.store.topicsById(missing)) {
        this.remember(t);
        out.set(t.topicId, t);
      }
    }
    return out;
  }

  /** Forgets one topic (by id) or, with no id, everything. */
  invalidate(topicId?: string): void {
    if (!topicId) return this.clear();
    const t = this.byId.get(topicId);
    if (t) {
      this.byId.delete(topicId);
      if (this.byName.get(t.name)?.topicId === topicId) this.byName.delete(t.name);
    }
  }

  clear(): void {
    this.byName = new Map();
    this.byId = new Map();
  }

  private remember(t: TopicRecord): void {
    this.byName.set(t.name, t);
    this.byId.set(t.topicId, t);
  }
}
