/** Times one storage operation for a StorageObserver (the gateway's query-duration histogram). */
import type { StorageObserver, StorageOperation } from '../storage.js';

export async function timed<T>(observer: StorageObserver, operation: StorageOperation, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await work();
  } finally {
    observer.queryTimed(operation, (performance.now() - started) / 1000);
  }
}
