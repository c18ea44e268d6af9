/** Small helpers shared by the group tests. */
import type { TestGateway } from '../../support/gateway.js';
import { createTopic as createTopicIn } from '../../support/gateway.js';

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function eventually<T>(check: () => Promise<T | undefined | false>, timeoutMs = 30_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function createTopic(kpg: TestGateway, name: string, partitions: number): Promise<void> {
  await createTopicIn(kpg.gateway, name, partitions);
}

let counter = 0;
/** A name unique within the test run. */
export function unique(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}
