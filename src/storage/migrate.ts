/**
 * Applies migrations/ (drizzle-kit output) to a database. Several gateways may start at once against one
 * Postgres: a session-level advisory lock makes them take turns, and the ones that come second find
 * nothing left to do.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';

/** Arbitrary but fixed: "kpg" in ASCII, the key of the migration advisory lock. */
const MIGRATION_LOCK_KEY = 0x6b7067;

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

export async function applyMigrations(connectionString: string): Promise<void> {
  const client = new pg.Client({ connectionString, application_name: 'kpg-migrate' });
  await client.connect();
  try {
    // Migration notices ("schema already exists, skipping") are expected and not worth a log line.
    client.on('notice', () => undefined);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), {
        migrationsFolder: MIGRATIONS_DIR,
        migrationsSchema: 'kpg',
        migrationsTable: '__drizzle_migrations',
      });
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}
