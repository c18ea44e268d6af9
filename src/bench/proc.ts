/**
 * CPU time and memory of the processes under test, read from /proc: each figure is the sum over a
 * process tree (Postgres is a postmaster and its backends; the load generator several processes).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const CLOCK_TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

interface ProcStat {
  ppid: number;
  /** utime + stime, in clock ticks. */
  ticks: number;
  /** cutime + cstime: the ticks of children that ended and were reaped (Postgres backends that closed). */
  reapedTicks: number;
}

function readStat(pid: number): ProcStat | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return {
      ppid: Number(fields[1]),
      ticks: Number(fields[11]) + Number(fields[12]),
      reapedTicks: Number(fields[13]) + Number(fields[14]),
    };
  } catch {
    return undefined; // the process has exited
  }
}

function allStats(): Map<number, ProcStat> {
  const stats = new Map<number, ProcStat>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (stat) stats.set(Number(name), stat);
  }
  return stats;
}

/** CPU seconds used so far by each root process and (unless `alone`) all its descendants. */
function treeCpuSeconds(roots: readonly number[], stats: Map<number, ProcStat>, alone = false): number {
  if (alone) return roots.reduce((sum, pid) => sum + (stats.get(pid)?.ticks ?? 0), 0) / CLOCK_TICKS_PER_SECOND;
  const children = new Map<number, number[]>();
  for (const [pid, s] of stats) {
    const list = children.get(s.ppid);
    if (list) list.push(pid);
    else children.set(s.ppid, [pid]);
  }
  let ticks = 0;
  const seen = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const pid = stack.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const stat = stats.get(pid);
    ticks += (stat?.ticks ?? 0) + (stat?.reapedTicks ?? 0);
    stack.push(...(children.get(pid) ?? []));
  }
  return ticks / CLOCK_TICKS_PER_SECOND;
}

/**
 * Named groups of process trees, e.g. { broker: () => [gatewayPid], postgres: () => [postmasterPid] };
 * `{ alone: ... }` counts the processes without their children (the benchmark itself, whose children
 * are the processes under test).
 */
export type ProcessGroups = Record<string, (() => readonly number[]) | { alone: () => readonly number[] }>;

function groupRoots(group: ProcessGroups[string]): { roots: readonly number[]; alone: boolean } {
  return typeof group === 'function' ? { roots: group(), alone: false } : { roots: group.alone(), alone: true };
}

/** CPU use per group over a window, in cores (CPU seconds per wall second); null for a group with no process. */
export type CpuCores = Record<string, number | null>;

export class CpuMeter {
  private startedAt = 0;
  private readonly before = new Map<string, number>();
  /**
   * Roots seen at the start. A root must outlive the window (its ticks vanish when it ends); descendants
   * that end are still counted through their parent's reaped ticks.
   */
  private readonly rootsAtStart = new Map<string, readonly number[]>();

  constructor(private readonly groups: ProcessGroups) {}

  start(): void {
    const stats = allStats();
    this.startedAt = performance.now();
    for (const [name, group] of Object.entries(this.groups)) {
      const { roots, alone } = groupRoots(group);
      this.rootsAtStart.set(name, roots);
      this.before.set(name, treeCpuSeconds(roots, stats, alone));
    }
  }

  stop(): CpuCores {
    const stats = allStats();
    const wallSeconds = (performance.now() - this.startedAt) / 1000;
    const result: CpuCores = {};
    for (const [name, group] of Object.entries(this.groups)) {
      const { roots, alone } = groupRoots(group);
      // A root started during the window counts from zero.
      const pids = [...new Set([...(this.rootsAtStart.get(name) ?? []), ...roots])];
      result[name] = pids.length === 0 ? null : round((treeCpuSeconds(pids, stats, alone) - this.before.get(name)!) / wallSeconds, 3);
    }
    return result;
  }
}

/** Resident set size of one process in bytes (VmRSS), or null if it is gone. */
export function rssBytes(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : null;
  } catch {
    return null;
  }
}

/** Samples a process's RSS every `intervalMs` and keeps the peak. */
export class RssPeak {
  private timer: NodeJS.Timeout | undefined;
  peakBytes: number | null = null;

  constructor(private readonly pid: number | null, private readonly intervalMs = 200) {}

  start(): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), this.intervalMs);
    return this;
  }

  stop(): number | null {
    clearInterval(this.timer);
    this.sample();
    return this.peakBytes;
  }

  private sample(): void {
    if (this.pid === null) return;
    const rss = rssBytes(this.pid);
    if (rss !== null && (this.peakBytes === null || rss > this.peakBytes)) this.peakBytes = rss;
  }
}

/** Whether /proc/<pid> is a process running `name` (e.g. a local Postgres backend). */
export function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}

export function parentPid(pid: number): number | undefined {
  return readStat(pid)?.ppid;
}

export function round(value: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}
