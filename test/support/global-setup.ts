/**
 * vitest globalSetup: one PostgreSQL server for the whole run (see postgres.ts for which one), its
 * URL handed to the test workers as `inject('postgresUrl')`. Tests do not use that database
 * directly: they make their own with createTestDatabase() (database.ts).
 *
 * It also collects the real-client tests the workers skipped (real-clients.ts) and reports them once,
 * at the end of the run.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { provideTestPostgres } from './postgres.js';
import type { SkippedClient } from './real-clients.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the shared test server (its maintenance database). */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await provideTestPostgres();
  project.provide('postgresUrl', postgres.url);
  const skipsDir = mkdtempSync(path.join(os.tmpdir(), 'kpg-client-skips-'));
  project.provide('realClientSkipsDir', skipsDir);
  return async () => {
    const report = skippedClientsReport(skipsDir);
    rmSync(skipsDir, { recursive: true, force: true });
    if (report) console.warn(`\n${report}\n`);
    await postgres.stop();
  };
}

/** What the workers skipped, one line per client with the test files, and how to install the clients. */
function skippedClientsReport(dir: string): string | null {
  if (!existsSync(dir)) return null;
  const skips = readdirSync(dir).map((f) => JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as SkippedClient);
  if (skips.length === 0) return null;
  const byClient = new Map<string, { missing: string; files: Set<string> }>();
  for (const s of skips) {
    const entry = byClient.get(s.client) ?? { missing: s.missing, files: new Set<string>() };
    entry.files.add(s.file);
    byClient.set(s.client, entry);
  }
  const lines = [...byClient].sort(([a], [b]) => a.localeCompare(b))
    .map(([client, { missing, files }]) => `  - ${client} (${missing}): ${[...files].sort().join(', ')}`);
  return [
    'Real-client tests were SKIPPED because these clients are not installed:',
    ...lines,
    'Install them (into ${KPG_CACHE:-~/.cache/kpg}) with `npm run test:compat:install`, then run npm test again.',
    '.ci/run sets KPG_REQUIRE_CLIENTS=1, which turns such a skip into a failure.',
  ].join('\n');
}
