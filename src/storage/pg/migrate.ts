/**
 * Brings a database up to this version of kpg, in two steps:
 *
 * 1. the table migrations in migrations/ (drizzle-kit output from ./schema.ts, tracked by drizzle in
 *    kpg.__drizzle_migrations);
 * 2. the SQL that runs inside Postgres (functions, views, triggers and the types they use), kept as source
 *    in ./sql/*.sql and applied in file-name order, in one transaction. Every file is idempotent (CREATE OR
 *    REPLACE, or drop-and-create where that cannot work), so a fresh database and an upgraded one end up
 *    with the same objects. The digest of the files is kept in kpg.sql_source, and a start whose files
 *    match it changes nothing (CREATE OR REPLACE VIEW would lock kpg.records against readers while it ran).
 *
 * Several gateways may start at once against one Postgres: a session-level advisory lock makes them take
 * turns, and the ones that come second find nothing left to do.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { readMigrationFiles } from 'drizzle-orm/migrator';

/** Arbitrary but fixed: "kpg" in ASCII, the key of the migration advisory lock. */
const MIGRATION_LOCK_KEY = 0x6b7067;

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** migrations/ at the package root: two levels above src/storage/pg/ and dist/storage/pg/ alike. */
export const MIGRATIONS_DIR = path.resolve(HERE, '../../../migrations');

/**
 * The SQL source beside this module: src/storage/pg/sql under tsx and vitest, dist/storage/pg/sql in the
 * build (npm run build copies it there, since tsc copies only what it compiles).
 */
export const SQL_SOURCE_DIR = path.join(HERE, 'sql');

export interface SqlSourceFile {
  name: string;
  text: string;
}

/** The SQL source files in the order they are applied. */
export function readSqlSource(dir = SQL_SOURCE_DIR): SqlSourceFile[] {
  const names = readdirSync(dir).filter((name) => name.endsWith('.sql')).sort();
  if (names.length === 0) throw new Error(`no SQL source in ${dir} (a build without its .sql files?)`);
  return names.map((name) => ({ name, text: readFileSync(path.join(dir, name), 'utf8') }));
}

export function sqlSourceDigest(files: readonly SqlSourceFile[]): string {
  const hash = createHash('sha256');
  for (const file of files) hash.update(file.name).update('\0').update(file.text).update('\0');
  return hash.digest('hex');
}

export interface MigrationOptions {
  /** Where the table migrations are (tests apply older sets of them). */
  migrationsFolder?: string;
  /** Whether to apply the SQL source after the tables (tests stop before it to build old databases). */
  sqlSource?: boolean;
}

export async function applyMigrations(database: string | pg.ClientConfig, options: MigrationOptions = {}): Promise<void> {
  const config = typeof database === 'string' ? { connectionString: database } : database;
  const client = new pg.Client({ ...config, application_name: 'kpg-migrate' });
  await client.connect();
  try {
    // Notices ("schema already exists, skipping", "trigger ... does not exist, skipping") are expected.
    client.on('notice', () => undefined);
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await migrate(drizzle(client), {
        migrationsFolder: options.migrationsFolder ?? MIGRATIONS_DIR,
        migrationsSchema: 'kpg',
        migrationsTable: '__drizzle_migrations',
      });
      if (options.sqlSource !== false) await applySqlSource(client, readSqlSource());
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await client.end();
  }
}

/** Applies the SQL source unless the database already holds exactly this source. */
async function applySqlSource(client: pg.Client, files: readonly SqlSourceFile[]): Promise<void> {
  const digest = sqlSourceDigest(files);
  const { rows } = await client.query<{ digest: string }>('SELECT digest FROM kpg.sql_source');
  if (rows[0]?.digest === digest) return;
  await client.query('BEGIN');
  try {
    // Bodies of LANGUAGE sql functions are checked against the objects they name as they are created.
    await client.query("SET LOCAL check_function_bodies = on");
    for (const file of files) {
      try {
        // A file is several statements, static text without parameters: the simple query protocol runs it whole.
        await client.query(file.text);
      } catch (err) {
        throw new Error(`applying ${file.name} failed: ${(err as Error).message}`, { cause: err });
      }
    }
    await client.query(
      `INSERT INTO kpg.sql_source (singleton, digest, applied_at) VALUES (true, $1, now())
       ON CONFLICT (singleton) DO UPDATE SET digest = excluded.digest, applied_at = excluded.applied_at`,
      [digest],
    );
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  }
}

/** What this build of kpg expects the database to hold: its table migrations' hashes and its SQL source digest. */
export interface ExpectedSchema {
  migrationHashes: ReadonlySet<string>;
  sqlSourceDigest: string;
}

let expectedSchema: ExpectedSchema | undefined;

/** Read from disk once: the migrations and SQL source a build ships do not change while it runs. */
export function expectedSchemaOfThisBuild(): ExpectedSchema {
  expectedSchema ??= {
    migrationHashes: new Set(readMigrationFiles({ migrationsFolder: MIGRATIONS_DIR }).map((m) => m.hash)),
    sqlSourceDigest: sqlSourceDigest(readSqlSource()),
  };
  return expectedSchema;
}

/**
 * How the database differs from what this build expects (empty when current): table migrations applied
 * or missing compared with migrations/, and SQL source other than ./sql's (another kpg version migrated it).
 */
export async function schemaProblems(db: pg.Pool | pg.PoolClient, expected = expectedSchemaOfThisBuild()): Promise<string[]> {
  const applied = await db.query<{ hash: string }>('SELECT hash FROM kpg.__drizzle_migrations');
  const appliedHashes = new Set(applied.rows.map((r) => r.hash));
  const problems: string[] = [];
  const missing = [...expected.migrationHashes].filter((h) => !appliedHashes.has(h)).length;
  const unknown = [...appliedHashes].filter((h) => !expected.migrationHashes.has(h)).length;
  if (missing > 0) problems.push(`${missing} table migration(s) of this kpg not applied (run kpg migrate)`);
  if (unknown > 0) problems.push(`${unknown} table migration(s) applied that this kpg does not know (a newer kpg migrated the database)`);
  const source = await db.query<{ digest: string }>('SELECT digest FROM kpg.sql_source');
  if (source.rows[0]?.digest !== expected.sqlSourceDigest) problems.push('the SQL functions and views in the database are not this kpg\'s (run kpg migrate)');
  return problems;
}
