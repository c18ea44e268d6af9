/**
 * Phase 6, memory: the gateway's resident set with many idle client connections (each past ApiVersions,
 * as a client's first exchange), and its peak under the produce load (sampled by the produce phase).
 */
import { rssBytes } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, type MemoryPhase } from '../result.js';
import type { Target } from '../targets.js';
import { openIdleConnections } from '../wire.js';

const MB = 1024 * 1024;
const SETTLE_MS = 1500;

/** The phase with nothing measured. */
export function emptyMemoryPhase(): MemoryPhase {
  return {
    status: 'skipped', error: null, connections: 0,
    gateway_rss_mb_before_connections: null, gateway_rss_mb_with_idle_connections: null, rss_kb_per_connection: null,
    gateway_rss_mb_peak_under_produce: null,
  };
}

export async function runIdleConnections(options: { target: Target; connections: number; progress: Progress }): Promise<MemoryPhase> {
  const phase: MemoryPhase = { ...emptyMemoryPhase(), status: 'ok', connections: options.connections };
  const pid = options.target.brokerPid;
  const step = options.progress.step(`memory: ${options.connections} idle connections`, options.connections, 'connections');
  try {
    if (pid === null) throw new Error('the gateway process is not known');
    const before = rssBytes(pid);
    const held = await openIdleConnections(options.target.bootstrap, options.connections);
    try {
      step.update(options.connections);
      await new Promise((r) => setTimeout(r, SETTLE_MS));
      const withConnections = rssBytes(pid);
      if (before === null || withConnections === null) throw new Error('the gateway process is gone');
      phase.gateway_rss_mb_before_connections = Math.round(before / MB);
      phase.gateway_rss_mb_with_idle_connections = Math.round(withConnections / MB);
      phase.rss_kb_per_connection = Math.round((withConnections - before) / 1024 / options.connections * 10) / 10;
    } finally {
      held.close();
    }
    step.done(`${phase.gateway_rss_mb_with_idle_connections} MB RSS (${phase.rss_kb_per_connection} KB per connection)`);
  } catch (err) {
    phase.status = 'failed';
    phase.error = errorMessage(err);
    step.done(`failed: ${phase.error}`);
  }
  return phase;
}
