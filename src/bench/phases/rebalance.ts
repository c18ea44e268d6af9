/**
 * Phase 7, group rebalance: ten consumer-group members (librdkafka, one process each, eager "range"
 * assignment) join one group; then one leaves cleanly and another is killed with SIGKILL. Each figure is
 * the time until the remaining members hold a complete, disjoint assignment of the topic again.
 */
import { Loadgen } from '../loadgen.js';
import type { Progress } from '../progress.js';
import { errorMessage, type RebalanceRun } from '../result.js';
import { createTopics, RUN_ID, topicName, type Target } from '../targets.js';

/** What a consumer group needs from the broker: FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, SyncGroup. */
const GROUP_APIS: Record<number, string> = { 10: 'FindCoordinator', 11: 'JoinGroup', 12: 'Heartbeat', 13: 'LeaveGroup', 14: 'SyncGroup' };
const HEARTBEAT_INTERVAL_MS = 1000;
const JOIN_TIMEOUT_S = 60;
const LEAVE_TIMEOUT_S = 30;

class Group {
  readonly members: Loadgen[] = [];
  readonly assignment = new Map<number, number[] | null>();
  readonly subscribedAt = new Map<number, number>();
  readonly errors: string[] = [];
  private waiter: (() => void) | undefined;
  /** Wall-clock time (s) of the last assignment change. */
  lastChange = 0;

  constructor(private readonly partitions: number) {}

  add(member: Loadgen): void {
    const index = this.members.length;
    this.members.push(member);
    this.assignment.set(index, null);
    member.onEvent((e) => {
      const t = Number(e.t);
      if (e.event === 'subscribe') this.subscribedAt.set(index, t);
      else if (e.event === 'assign') this.assignment.set(index, e.partitions as number[]);
      else if (e.event === 'revoke') this.assignment.set(index, null);
      else if (e.event === 'client_error' && this.errors.length < 5) this.errors.push(String(e.message));
      if (e.event === 'assign' || e.event === 'revoke') this.lastChange = t;
      this.waiter?.();
    });
  }

  /** Whether `live` members hold every partition exactly once, each at least one. */
  stable(live: readonly number[]): boolean {
    const seen = new Set<number>();
    for (const m of live) {
      const parts = this.assignment.get(m);
      if (!parts || parts.length === 0) return false;
      for (const p of parts) {
        if (seen.has(p)) return false;
        seen.add(p);
      }
    }
    return seen.size === this.partitions;
  }

  /** Resolves with the wall-clock time (s) at which `live` became stable. */
  async waitStable(live: readonly number[], timeoutS: number, what: string): Promise<number> {
    const deadline = Date.now() + timeoutS * 1000;
    while (!this.stable(live)) {
      if (Date.now() > deadline) {
        const held = live.map((m) => `${m}:${JSON.stringify(this.assignment.get(m))}`).join(' ');
        throw new Error(`${what}: no stable assignment within ${timeoutS} s (held: ${held})${this.errors.length ? `; client errors: ${this.errors.join('; ')}` : ''}`);
      }
      const exited = this.members.find((m, i) => live.includes(i) && !m.running);
      if (exited) throw new Error(`${what}: a member exited: ${await exited.result.catch((e: Error) => e.message)}`);
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
        setTimeout(resolve, 200);
      });
    }
    return this.lastChange;
  }

  stop(): void {
    for (const m of this.members) m.kill('SIGKILL');
  }
}

export async function runRebalance(options: {
  target: Target;
  members: number;
  partitions: number;
  sessionTimeoutMs: number;
  progress: Progress;
}): Promise<RebalanceRun> {
  const { target } = options;
  const run: RebalanceRun = {
    target: target.name, members: options.members, partitions: options.partitions, session_timeout_ms: options.sessionTimeoutMs,
    join_s: null, recover_after_leave_s: null, recover_after_crash_s: null, error: null,
  };
  const step = options.progress.step(`rebalance ${target.name}: ${options.members} members`, 3, 'stages');
  const group = new Group(options.partitions);
  try {
    const missing = Object.entries(GROUP_APIS).filter(([key]) => !target.apis.has(Number(key)));
    if (missing.length > 0) {
      throw new Error(`${target.bootstrap} does not serve consumer groups: ${missing.map(([k, n]) => `${n} (${k})`).join(', ')} not advertised`);
    }
    const topic = topicName(`group-${target.name}`);
    await createTopics(target, [{ name: topic, partitions: options.partitions }]);
    const config = {
      bootstrap: target.bootstrap, topic, group: `kpg-bench-group-${RUN_ID}-${target.name}`,
      session_timeout_ms: options.sessionTimeoutMs, heartbeat_interval_ms: HEARTBEAT_INTERVAL_MS,
    };
    for (let i = 0; i < options.members; i++) group.add(new Loadgen('member', config));
    const all = group.members.map((_, i) => i);

    const joinedAt = await group.waitStable(all, JOIN_TIMEOUT_S, 'join');
    run.join_s = round(joinedAt - Math.max(...group.subscribedAt.values()));
    step.update(1);

    const leaver = all.length - 1;
    const leftAt = Date.now() / 1000;
    group.members[leaver]!.send('leave');
    const afterLeave = all.slice(0, leaver);
    run.recover_after_leave_s = round((await group.waitStable(afterLeave, LEAVE_TIMEOUT_S, 'after a clean leave')) - leftAt);
    step.update(2);

    const victim = afterLeave.length - 1;
    const killedAt = Date.now() / 1000;
    group.members[victim]!.kill('SIGKILL');
    const survivors = afterLeave.slice(0, victim);
    run.recover_after_crash_s = round(
      (await group.waitStable(survivors, options.sessionTimeoutMs / 1000 + LEAVE_TIMEOUT_S, 'after a member was killed')) - killedAt,
    );
    step.done(`join ${run.join_s} s, leave ${run.recover_after_leave_s} s, crash ${run.recover_after_crash_s} s`);
  } catch (err) {
    run.error = errorMessage(err);
    step.done(`failed: ${run.error}`);
  } finally {
    group.stop();
  }
  return run;
}

function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}
