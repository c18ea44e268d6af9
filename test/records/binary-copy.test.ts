/**
 * The binary COPY path Fetch reads batches through: bytes come back exactly as stored (every byte value,
 * empty and NULL fields, large values), integers in network order, and nothing but integers, booleans
 * and UUIDs can be spliced into its statements.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyBinaryRows, parseBinaryCopy, sqlLiteral } from '../../src/storage/pg/binary-copy.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';

let db: TestDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  db = await createTestDatabase();
  pool = new pg.Pool({ connectionString: db.url, max: 2 });
  await pool.query('CREATE TABLE blobs (id int PRIMARY KEY, n bigint, data bytea)');
});

afterAll(async () => {
  await pool?.end();
  await db?.drop();
});

describe('copyBinaryRows', () => {
  it('returns bytea values byte for byte, NULLs as null and bigints in network order', async () => {
    const every = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
    const large = randomBytes(3 * 1024 * 1024 + 7);
    await pool.query('INSERT INTO blobs VALUES (1, $1, $2), (2, $3, $4), (3, $5, NULL), (4, 0, $6)', [
      '-9223372036854775808', every, '9223372036854775807', large, '42', Buffer.alloc(0),
    ]);
    const rows = await copyBinaryRows(pool, 'SELECT n, data FROM blobs ORDER BY id');
    expect(rows).toHaveLength(4);
    expect(rows.map((r) => r[0]!.readBigInt64BE(0))).toEqual([-9223372036854775808n, 9223372036854775807n, 42n, 0n]);
    expect(rows[0]![1]!.equals(every)).toBe(true);
    expect(rows[1]![1]!.equals(large)).toBe(true);
    expect(rows[2]![1]).toBeNull();
    expect(rows[3]![1]!.length).toBe(0);
  });

  it('returns no rows for an empty result', async () => {
    expect(await copyBinaryRows(pool, 'SELECT data FROM blobs WHERE false')).toEqual([]);
  });

  it('rejects a failing query and leaves the pool usable', async () => {
    await expect(copyBinaryRows(pool, 'SELECT 1/0')).rejects.toThrow(/division by zero/);
    for (let i = 0; i < 4; i++) expect(await copyBinaryRows(pool, `SELECT ${sqlLiteral(i)}::int`)).toHaveLength(1);
  });
});

describe('sqlLiteral', () => {
  it('writes integers, bigints, booleans and UUIDs', () => {
    expect(sqlLiteral(7)).toBe('7');
    expect(sqlLiteral(-1)).toBe('-1');
    expect(sqlLiteral(-9223372036854775808n)).toBe('-9223372036854775808');
    expect(sqlLiteral(false)).toBe('false');
    expect(sqlLiteral('0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0')).toBe("'0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'::uuid");
  });

  it('refuses anything else', () => {
    expect(() => sqlLiteral(1.5)).toThrow(TypeError);
    expect(() => sqlLiteral(Number.NaN)).toThrow(TypeError);
    expect(() => sqlLiteral(2 ** 60)).toThrow(TypeError);
    expect(() => sqlLiteral("x'; DROP TABLE blobs; --")).toThrow(TypeError);
    expect(() => sqlLiteral("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'")).toThrow(TypeError);
  });
});

describe('parseBinaryCopy', () => {
  it('refuses a stream without the COPY signature or cut inside a field', () => {
    expect(() => parseBinaryCopy(Buffer.from('not a copy stream at all'))).toThrow(/binary COPY/);
    const header = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]);
    const cut = Buffer.concat([header, Buffer.from([0, 1, 0, 0, 0, 10, 1, 2])]);
    expect(() => parseBinaryCopy(cut)).toThrow(/ends inside a field/);
  });
});
