/**
 * Whether a real Kafka client (installed by compat/install.sh under ${KPG_CACHE:-~/.cache/kpg}) can
 * be used by a test. The one place that decides what a missing client means:
 *   - by default its tests are skipped, and the end of the run says once what was skipped and how
 *     to install the clients (global-setup.ts prints what the workers recorded here);
 *   - with KPG_REQUIRE_CLIENTS=1 (set by .ci/run) the check throws, so the test file fails: CI must
 *     never pass by skipping them.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { inject } from 'vitest';

const run = promisify(execFile);

export const CLIENT_CACHE = process.env.KPG_CACHE ?? path.join(os.homedir(), '.cache', 'kpg');
export const INSTALL_HINT = 'npm run test:compat:install';
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const JAVA_LIBS = {
  '4': path.join(CLIENT_CACHE, 'clients4', 'lib'),
  '3.9': path.join(CLIENT_CACHE, 'clients39', 'lib'),
} as const;
export type JavaVersion = keyof typeof JAVA_LIBS;
export const CLIENT_PYTHON = path.join(CLIENT_CACHE, 'venv', 'bin', 'python');
export const KAFKA_LIB = path.join(CLIENT_CACHE, 'kafka', 'lib');

const succeeds = (cmd: string, args: string[]): Promise<boolean> => run(cmd, args).then(() => true, () => false);

/** Why the Java kafka-clients of `version` (compiled against with javac) cannot be used, or null. */
export async function javaClientsMissing(version: JavaVersion): Promise<string | null> {
  if (!existsSync(JAVA_LIBS[version])) return `${JAVA_LIBS[version]} is missing`;
  if (!(await succeeds('javac', ['-version']))) return 'javac is not on the PATH';
  return null;
}

/** Why confluent-kafka-python (librdkafka) cannot be imported from the compat venv, or null. */
export async function confluentKafkaMissing(): Promise<string | null> {
  if (!existsSync(CLIENT_PYTHON)) return `${CLIENT_PYTHON} is missing`;
  if (!(await succeeds(CLIENT_PYTHON, ['-c', 'import confluent_kafka']))) return `${CLIENT_PYTHON} cannot import confluent_kafka`;
  return null;
}

/** Why the Kafka 4.1.2 command-line tools (their jars, run with java) cannot be used, or null. */
export async function kafkaToolsMissing(): Promise<string | null> {
  const jar = path.join(KAFKA_LIB, 'kafka-tools-4.1.2.jar');
  if (!existsSync(jar)) return `${jar} is missing`;
  if (!(await succeeds('java', ['-version']))) return 'java is not on the PATH';
  return null;
}

export const requireClients = (): boolean => process.env.KPG_REQUIRE_CLIENTS === '1';

/**
 * true when the client is usable (`missing` is null). Otherwise: throws under KPG_REQUIRE_CLIENTS=1,
 * else records the skip for the end-of-run report and returns false (for describe.skipIf / it.skipIf).
 * `testFile` is the caller's import.meta.url.
 */
export function realClientAvailable(client: string, missing: string | null, testFile: string): boolean {
  if (missing === null) return true;
  const file = path.relative(ROOT, fileURLToPath(testFile));
  if (requireClients()) {
    throw new Error(`${file} needs ${client}, which is not usable (${missing}); KPG_REQUIRE_CLIENTS=1 forbids skipping it. Install it with \`${INSTALL_HINT}\`.`);
  }
  recordSkip({ client, missing, file });
  return false;
}

export interface SkippedClient {
  client: string;
  missing: string;
  file: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    /** Directory where test workers record the real-client tests they skipped (global-setup.ts). */
    realClientSkipsDir: string;
  }
}

function recordSkip(skip: SkippedClient): void {
  let dir: string | undefined;
  try {
    dir = inject('realClientSkipsDir');
  } catch {
    // not under vitest's global setup (e.g. a single file run with another config): nothing to report to
  }
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  const name = `${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}.json`;
  writeFileSync(path.join(dir, name), JSON.stringify(skip));
}
