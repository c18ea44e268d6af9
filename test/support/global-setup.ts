/**
 * vitest globalSetup: one PostgreSQL server for the whole run (see postgres.ts for which one), its
 * URL handed to the test workers as `inject('postgresUrl')`. Tests do not use that database
 * directly: they make their own with createTestDatabase() (database.ts).
 */
import type { TestProject } from 'vitest/node';
import { provideTestPostgres } from './postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** URL of the shared test server (its maintenance database). */
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await provideTestPostgres();
  project.provide('postgresUrl', postgres.url);
  return async () => {
    await postgres.stop();
  };
}
