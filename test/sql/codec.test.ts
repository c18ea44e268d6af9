/**
 * The PL/pgSQL codec behind kpg.records and kpg.produce, checked against kpg's TypeScript codec and
 * Node's own UTF-8 and CRC implementations on many generated inputs.
 */
import { crc32c } from '@node-rs/crc32';
import fc from 'fast-check';
import type pg from 'pg';
import { describe, expect, it } from 'vitest';
import { Writer } from '../../src/protocol/writer.js';
import { computeBatchCrc, decodeBatchRecords, encodeBatch, encodeRecordsSection, readBatchHeader } from '../../src/records/batch.js';
import { useMigratedDatabase } from './support.js';

const session = useMigratedDatabase();

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }); // a BOM is a character like any other
function utf8TextOrNull(b: Buffer): string | null {
  if (b.includes(0)) return null;
  try {
    return strictUtf8.decode(b);
  } catch {
    return null;
  }
}

describe('the SQL codec', () => {
  it('kpg.varint writes what kpg\'s wire writer writes', async () => {
    const edges = [0n, 1n, -1n, 63n, 64n, -64n, -65n, 8191n, 8192n, -8192n, -8193n, 2n ** 31n - 1n, -(2n ** 31n), 2n ** 62n, -(2n ** 63n), 2n ** 63n - 1n];
    const values = [...edges, ...fc.sample(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), 300), ...fc.sample(fc.bigInt({ min: -20_000n, max: 20_000n }), 300)];
    const { rows } = await session.db.query<{ v: Buffer }>('SELECT kpg.varint(v) AS v FROM unnest($1::bigint[]) WITH ORDINALITY AS u(v, n) ORDER BY n', [values.map(String)]);
    expect(rows.map((r) => r.v.toString('hex'))).toEqual(values.map((v) => new Writer(16).varlong(v).toBuffer().toString('hex')));
  });

  it('kpg.crc32c equals CRC-32C', async () => {
    const inputs = [Buffer.alloc(0), Buffer.from('123456789'), ...fc.sample(fc.uint8Array({ maxLength: 3000 }), 60).map((a) => Buffer.from(a))];
    const { rows } = await session.db.query<{ c: bigint }>('SELECT kpg.crc32c(d) AS c FROM unnest($1::bytea[]) WITH ORDINALITY AS u(d, n) ORDER BY n', [inputs]);
    expect(rows.map((r) => Number(r.c))).toEqual(inputs.map((b) => crc32c(b) >>> 0));
  });

  it('kpg.utf8_text accepts exactly the well-formed UTF-8 without NUL', async () => {
    const crafted = [
      '', 'ascii', 'a\\b', 'grüße', '€', '😀', 'a\u0000b',
    ].map((s) => Buffer.from(s)).concat(
      [[0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80],
        [0xf4, 0x8f, 0xbf, 0xbf], [0xf5, 0x80, 0x80, 0x80], [0xff], [0x80], [0xe2, 0x82], [0xc3], [0xc3, 0x28], [0xef, 0xbb, 0xbf]].map((b) => Buffer.from(b)),
    );
    const generated = [
      ...fc.sample(fc.string({ unit: 'binary', maxLength: 40 }), 200).map((s) => Buffer.from(s)),
      ...fc.sample(fc.uint8Array({ maxLength: 12 }), 400).map((a) => Buffer.from(a)),
    ];
    const inputs = [...crafted, ...generated];
    const { rows } = await session.db.query<{ t: string | null }>('SELECT kpg.utf8_text(d) AS t FROM unnest($1::bytea[]) WITH ORDINALITY AS u(d, n) ORDER BY n', [inputs]);
    expect(rows.map((r) => r.t)).toEqual(inputs.map(utf8TextOrNull));
  });

  it('kpg.batch_records decodes every record kpg\'s encoder writes', async () => {
    const record = fc.record({
      key: fc.option(fc.uint8Array({ maxLength: 300 }), { nil: null }),
      value: fc.option(fc.uint8Array({ maxLength: 20_000 }), { nil: null }),
      headers: fc.array(fc.record({ key: fc.string({ maxLength: 20 }), value: fc.option(fc.uint8Array({ maxLength: 50 }), { nil: null }) }), { maxLength: 4 }),
      timestamp: fc.integer({ min: 0, max: 2 ** 45 }),
    });
    const batches = await Promise.all(
      fc.sample(fc.array(record, { minLength: 1, maxLength: 20 }), 40).map((records) =>
        encodeBatch(records.map((r) => ({
          key: r.key && Buffer.from(r.key),
          value: r.value && Buffer.from(r.value),
          headers: r.headers.map((h) => ({ key: h.key.replace(/\u0000/g, ''), value: h.value && Buffer.from(h.value) })),
          timestamp: r.timestamp,
        }))),
      ),
    );
    for (const batch of batches) {
      const header = readBatchHeader(batch);
      const expected = await decodeBatchRecords(batch);
      const { rows } = await session.db.query<{ offset_delta: number; timestamp_ms: bigint; key: Buffer | null; value: Buffer | null; headers: { key: string; value: string | null; value_encoding?: string }[] }>(
        'SELECT offset_delta, timestamp_ms, key, value, headers FROM kpg.batch_records($1)',
        [batch],
      );
      expect(rows.map((r) => ({
        offsetDelta: r.offset_delta,
        timestamp: r.timestamp_ms,
        key: r.key,
        value: r.value,
        headers: r.headers.map((h) => ({ key: h.key, value: h.value === null ? null : Buffer.from(h.value, h.value_encoding === 'base64' ? 'base64' : 'utf8') })),
      }))).toEqual(expected.map((r) => ({
        offsetDelta: r.offsetDelta,
        timestamp: header.baseTimestamp + r.timestampDelta,
        key: r.key,
        value: r.value,
        headers: r.headers.map((h) => ({ key: h.key, value: h.value })),
      })));
    }
  });

  it('kpg.sql_batch builds a batch kpg\'s decoder reads back, CRC and all', async () => {
    const records = [
      { offsetDelta: 0, timestampDelta: 0n, key: null, value: Buffer.from('a'), headers: [] },
      { offsetDelta: 1, timestampDelta: -5n, key: Buffer.from('k'), value: null, headers: [{ key: 'h', value: Buffer.from('v') }] },
    ];
    const { rows } = await session.db.query<{ b: Buffer }>('SELECT kpg.sql_batch($1, 2, 1700000000000, 1700000000000, false) AS b', [encodeRecordsSection(records)]);
    const batch = rows[0]!.b;
    const header = readBatchHeader(batch);
    expect(header).toMatchObject({ magic: 2, recordCount: 2, lastOffsetDelta: 1, baseTimestamp: 1700000000000n, maxTimestamp: 1700000000000n, producerId: -1n, attributes: 0 });
    expect(header.batchLength).toBe(batch.length - 12);
    expect(computeBatchCrc(batch)).toBe(header.crc);
    expect(await decodeBatchRecords(batch)).toEqual(records);
  });
});
