/**
 * Reading query results in PostgreSQL's binary COPY format.
 *
 * node-postgres decodes every result field as text, so a bytea column arrives as hex: twice its size on
 * the wire, then a UTF-8 string, then decoded again in Node. Fetch reads megabytes of stored batches per
 * request, and that round trip costs more CPU (in Postgres and in the gateway) than the read itself.
 * `COPY (query) TO STDOUT (FORMAT binary)` sends the bytes as they are; the batches handed to Fetch are
 * slices of the received buffer, not copies.
 *
 * COPY takes no bind parameters, so a query run here is built from literals. Only `sqlLiteral` may put a
 * value into it, and it accepts nothing but integers, booleans and UUIDs: no caller-supplied text can
 * reach the statement.
 */
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/** A row of a binary COPY: each field's raw bytes in Postgres's binary send format, null for SQL NULL. */
export type BinaryRow = (Buffer | null)[];

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A value as an SQL literal, for the few types that cannot carry an injection. */
export function sqlLiteral(value: bigint | number | boolean | string): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`not an integer: ${value}`);
    return String(value);
  }
  if (!UUID.test(value)) throw new TypeError(`not a UUID: ${JSON.stringify(value)}`);
  return `'${value}'::uuid`;
}

/** Runs `COPY (query) TO STDOUT (FORMAT binary)` on a pooled connection and returns its rows. */
export async function copyBinaryRows(pool: pg.Pool, query: string): Promise<BinaryRow[]> {
  const client = await pool.connect();
  let data: Buffer;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of client.query(copyTo(`COPY (${query}) TO STDOUT (FORMAT binary)`))) chunks.push(chunk as Buffer);
    data = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  } catch (err) {
    // The connection may be in the middle of a COPY: do not hand it back to the pool.
    client.release(err as Error);
    throw err;
  }
  client.release();
  return parseBinaryCopy(data);
}

/** Parses a whole binary COPY stream (header, tuples, trailer). */
export function parseBinaryCopy(data: Buffer): BinaryRow[] {
  if (data.length < 19 || !data.subarray(0, 11).equals(SIGNATURE)) throw new Error('not a binary COPY stream');
  let at = 15 + 4 + data.readUInt32BE(15);
  const rows: BinaryRow[] = [];
  for (;;) {
    const fields = data.readInt16BE(at);
    at += 2;
    if (fields === -1) return rows;
    const row: BinaryRow = new Array(fields);
    for (let i = 0; i < fields; i++) {
      const length = data.readInt32BE(at);
      at += 4;
      if (length === -1) {
        row[i] = null;
      } else {
        if (at + length > data.length) throw new Error('binary COPY stream ends inside a field');
        row[i] = data.subarray(at, at + length);
        at += length;
      }
    }
    rows.push(row);
  }
}
