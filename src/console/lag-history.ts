/**
 * Each group's total consumer lag over the last hour, sampled while the console server runs (one
 * describeGroupLag query per sample, the same one the lag metrics use) and kept in memory only.
 */
import type { Logger } from 'pino';
import { partitionLag } from '../metrics/lag.js';
import type { GroupLagSnapshot } from '../storage/groups.js';

export interface LagSample {
  /** ISO 8601. */
  time: string;
  lag: number;
}

export interface LagHistoryOptions {
  source: { describeGroupLag(): Promise<GroupLagSnapshot> };
  intervalMs: number;
  /** How far back samples are kept. */
  retentionMs: number;
  log: Logger;
}

export class LagHistory {
  private readonly samples = new Map<string, { at: number; lag: number }[]>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly options: LagHistoryOptions) {}

  start(): void {
    if (this.timer) return;
    void this.sampleNow();
    this.timer = setInterval(() => void this.sampleNow(), this.options.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  /** The samples of a group, oldest first. */
  of(groupId: string): LagSample[] {
    return (this.samples.get(groupId) ?? []).map((s) => ({ time: new Date(s.at).toISOString(), lag: s.lag }));
  }

  /** Takes one sample of every group now (a sample still running is not started again). */
  sampleNow(): Promise<void> {
    this.running ??= this.sample().finally(() => (this.running = null));
    return this.running;
  }

  private async sample(): Promise<void> {
    let snapshot: GroupLagSnapshot;
    try {
      snapshot = await this.options.source.describeGroupLag();
    } catch (err) {
      this.options.log.warn({ err }, 'lag history sample failed');
      return;
    }
    const at = Date.now();
    const oldest = at - this.options.retentionMs;
    const seen = new Set<string>();
    for (const group of snapshot.groups) {
      seen.add(group.groupId);
      let total = 0n;
      for (const o of group.offsets) total += partitionLag(o.committedOffset, o.logEndOffset);
      const list = this.samples.get(group.groupId) ?? [];
      list.push({ at, lag: Number(total) });
      while (list.length > 0 && list[0]!.at < oldest) list.shift();
      this.samples.set(group.groupId, list);
    }
    // Deleted groups are forgotten.
    for (const id of this.samples.keys()) if (!seen.has(id)) this.samples.delete(id);
  }
}
