/**
 * The one way to topics: lookups by name and by id, cached for the hot paths (Produce, Fetch) and read
 * fresh where a handler must see the latest committed state (administration, Metadata), and the changes
 * (create, delete, grow). Cached entries are dropped when any gateway announces a change to the topic
 * (topicChanged), everything when the change feed reconnected. Only topics that exist are cached.
 */
import type { ChangeNotifications } from '../storage/notifications.js';
import type { CreateTopicOutcome, NewTopicSpec, PartitionPlan, ReplicaPlan, TopicRecord, TopicStorage } from '../storage/topics.js';

export interface LookupOptions {
  /** Read storage rather than the cache (the result refreshes the cache). */
  fresh?: boolean;
}

export class TopicService {
  private byName = new Map<string, TopicRecord>();
  private byId = new Map<string, TopicRecord>();
  /** Bumped on every invalidation, so a read that raced with a change does not cache what it saw before. */
  private generation = 0;

  constructor(
    private readonly storage: TopicStorage,
    notifications: ChangeNotifications,
  ) {
    notifications.on('topicChanged', (topicId) => this.invalidate(topicId));
    notifications.on('reconnected', () => this.clear());
  }

  /** Topics by name; names not in the result do not exist. */
  async byNames(names: readonly string[], options: LookupOptions = {}): Promise<Map<string, TopicRecord>> {
    const out = new Map<string, TopicRecord>();
    const missing = options.fresh ? [...names] : [];
    if (!options.fresh) {
      for (const name of names) {
        const hit = this.byName.get(name);
        if (hit) out.set(name, hit);
        else missing.push(name);
      }
    }
    if (missing.length > 0) {
      const generation = this.generation;
      for (const t of await this.storage.topics(missing)) {
        this.remember(t, generation);
        out.set(t.name, t);
      }
      // A fresh read that misses a name proves a cached topic of that name gone.
      for (const name of missing) if (!out.has(name)) this.forgetName(name);
    }
    return out;
  }

  /** Topics by id; ids not in the result do not exist. */
  async byIds(ids: readonly string[], options: LookupOptions = {}): Promise<Map<string, TopicRecord>> {
    const out = new Map<string, TopicRecord>();
    const missing = options.fresh ? [...ids] : [];
    if (!options.fresh) {
      for (const id of ids) {
        const hit = this.byId.get(id);
        if (hit) out.set(id, hit);
        else missing.push(id);
      }
    }
    if (missing.length > 0) {
      const generation = this.generation;
      for (const t of await this.storage.topicsById(missing)) {
        this.remember(t, generation);
        out.set(t.topicId, t);
      }
      for (const id of missing) if (!out.has(id) && this.byId.has(id)) this.invalidate(id);
    }
    return out;
  }

  /** Every topic, sorted by name, read from storage. */
  async all(): Promise<TopicRecord[]> {
    const generation = this.generation;
    const topics = await this.storage.topics();
    for (const t of topics) this.remember(t, generation);
    return topics;
  }

  /** An existing topic whose name equals `name` once "." and "_" are treated alike, if any. */
  collidingTopic(name: string): Promise<string | null> {
    return this.storage.collidingTopic(name);
  }

  async create(spec: NewTopicSpec): Promise<CreateTopicOutcome> {
    return this.storage.createTopic(spec);
  }

  /** False when the topic was already gone. Its batches are reclaimed in the background. */
  async delete(topicId: string): Promise<boolean> {
    const deleted = await this.storage.deleteTopic(topicId);
    this.invalidate(topicId);
    return deleted;
  }

  /** Adds the partitions `plan` returns (throwing refuses), one change at a time per topic. False when the topic does not exist. */
  async addPartitions(topicId: string, plan: PartitionPlan, validateOnly: boolean): Promise<boolean> {
    const found = await this.storage.addPartitions(topicId, plan, validateOnly);
    if (!validateOnly) this.invalidate(topicId);
    return found;
  }

  /** Replaces partitions' replica lists as `plan` says (throwing refuses). False when the topic does not exist. */
  async setReplicas(topicId: string, plan: ReplicaPlan): Promise<boolean> {
    const found = await this.storage.setReplicas(topicId, plan);
    this.invalidate(topicId);
    return found;
  }

  /** Forgets one topic (by id). */
  private invalidate(topicId: string): void {
    if (topicId === '') return this.clear();
    this.generation++;
    const t = this.byId.get(topicId);
    if (t) {
      this.byId.delete(topicId);
      if (this.byName.get(t.name)?.topicId === topicId) this.byName.delete(t.name);
    }
  }

  private forgetName(name: string): void {
    const t = this.byName.get(name);
    if (t) this.invalidate(t.topicId);
  }

  private clear(): void {
    this.generation++;
    this.byName = new Map();
    this.byId = new Map();
  }

  private remember(t: TopicRecord, readAt: number): void {
    if (readAt !== this.generation) return;
    const previous = this.byName.get(t.name);
    if (previous && previous.topicId !== t.topicId) this.byId.delete(previous.topicId);
    this.byName.set(t.name, t);
    this.byId.set(t.topicId, t);
  }
}
