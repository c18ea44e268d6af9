/**
 * Where the monitoring tools of test/tools/ (kafka_exporter, KMinion) are, and what their absence means.
 * compat/install.sh (component `exporters`) puts them in ${KPG_CACHE}/go/bin with `go install`. When the
 * Go module proxy refuses a module, install.sh stamps it `unavailable|...`: its tests are then n/a (skipped
 * even in CI, since no install can fix it); any other absence is a skip locally and a failure in CI.
 * KPG_KAFKA_EXPORTER / KPG_KMINION point at a binary built elsewhere (say from a checkout of its source).
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CLIENT_CACHE, realClientAvailable } from './real-clients.js';

export type MonitoringTool = 'kafka_exporter' | 'kminion';

const OVERRIDE: Record<MonitoringTool, string> = { kafka_exporter: 'KPG_KAFKA_EXPORTER', kminion: 'KPG_KMINION' };

export interface ToolLookup {
  /** The binary to run, or null. */
  binary: string | null;
  /** Why the tool is n/a (the registry refused it), or null. */
  notAvailable: string | null;
}

export function findMonitoringTool(tool: MonitoringTool, testFile: string): ToolLookup {
  const override = process.env[OVERRIDE[tool]];
  const binary = override || path.join(CLIENT_CACHE, 'go', 'bin', tool);
  if (existsSync(binary)) return { binary, notAvailable: null };
  const stamp = path.join(CLIENT_CACHE, 'stamps', tool);
  if (!override && existsSync(stamp) && readFileSync(stamp, 'utf8').startsWith('unavailable|')) {
    return { binary: null, notAvailable: `n/a: the Go module proxy refused ${readFileSync(stamp, 'utf8').slice('unavailable|'.length)}` };
  }
  realClientAvailable(tool, `${binary} is missing`, testFile); // throws in CI
  return { binary: null, notAvailable: null };
}
