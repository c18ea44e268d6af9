/**
 * Debian's chromium driven by playwright-core, for the console's browser tests. Nothing here downloads
 * a browser: the tests use /usr/bin/chromium (apt-get install chromium; .ci/run installs it) and skip
 * with the reason when it is missing, except under KPG_REQUIRE_CLIENTS=1 (CI), where they fail.
 */
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { chromium, type Browser } from 'playwright-core';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

export const CHROMIUM = process.env.KPG_CHROMIUM ?? '/usr/bin/chromium';
export const SCREENSHOTS = fileURLToPath(new URL('../../test-output/console/', import.meta.url));

/** Why chromium cannot be used, or null. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing; install it with \`apt-get install chromium\` (as .ci/run does)`;
}

// The flags this machine's closed network needs (no background connections, no GPU, no sandbox as root).
// playwright-core adds --headless and a fresh, temporary --user-data-dir of its own on every launch.
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_FLAGS });
}

export function screenshotPath(name: string): string {
  mkdirSync(SCREENSHOTS, { recursive: true });
  return path.join(SCREENSHOTS, `${name}.png`);
}

export interface ConsoleGateway {
  gateway: Gateway;
  bootstrap: string;
  consoleUrl: string;
  stop(): Promise<void>;
}

/** A gateway on a fresh test database with its console on a free loopback port. */
export async function startConsoleGateway(): Promise<ConsoleGateway> {
  const database: TestDatabase = await createTestDatabase();
  const gateway = await startGateway({
    host: '127.0.0.1',
    port: 0,
    databaseUrl: database.url,
    dataDir: '',
    brokerConfigs: new Map(),
    logger: pino({ level: process.env.KPG_TEST_LOG_LEVEL ?? 'silent' }),
    consolePort: 0,
    // Samples of group lag every 300 ms rather than 10 s, so the lag sparkline has points within the test.
    consoleLagSampleIntervalMs: 300,
  });
  if (!gateway.consoleAddress) throw new Error('the gateway started without its console');
  return {
    gateway,
    bootstrap: `127.0.0.1:${gateway.port}`,
    consoleUrl: `http://127.0.0.1:${gateway.consoleAddress.port}`,
    async stop() {
      await gateway.stop();
      await database.drop();
    },
  };
}
