/**
 * src/storage/pg/schema.ts describes every table: drizzle-kit, run on a copy of migrations/, finds nothing
 * to migrate. (When this fails after a schema change, run `npm run db:generate` and commit the migration.)
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const work = mkdtempSync(path.join(os.tmpdir(), 'kpg-drizzle-'));

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('drizzle schema', () => {
  it('matches the migrations: drizzle-kit generate produces no new migration', async () => {
    cpSync(path.join(ROOT, 'migrations'), path.join(work, 'migrations'), { recursive: true });
    const before = readdirSync(path.join(work, 'migrations'), { recursive: true }).sort();
    // The repository's drizzle.config.ts, pointed at the copy (drizzle-kit wants `out` relative to its cwd).
    writeFileSync(
      path.join(work, 'drizzle.config.mjs'),
      `export default ${JSON.stringify({
        dialect: 'postgresql',
        schema: path.join(ROOT, 'src/storage/pg/schema.ts'),
        out: './migrations',
        schemaFilter: ['kpg'],
        migrations: { schema: 'kpg', table: '__drizzle_migrations' },
      })};\n`,
    );
    const { stdout, stderr } = await promisify(execFile)(
      path.join(ROOT, 'node_modules/.bin/drizzle-kit'),
      ['generate', '--config', 'drizzle.config.mjs'],
      { cwd: work, env: { ...process.env, NO_COLOR: '1' } },
    );
    // drizzle-kit reports some failures on stderr and still exits 0.
    expect(stderr.replace(/Reading config file.*\n?/, '').trim()).toBe('');
    expect(stdout).toContain('No schema changes');
    expect(readdirSync(path.join(work, 'migrations'), { recursive: true }).sort()).toEqual(before);
  });
});
