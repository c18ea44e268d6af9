/**
 * Kafka strings are bytes: whatever a client sends in a string field (NUL, invalid UTF-8) comes back
 * byte-exact through kpg's decoder and encoder, and through the escaped form the group tables store.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Reader, decodeString } from '../../src/protocol/reader.js';
import { Writer, encodeString } from '../../src/protocol/writer.js';
import { fromDbText, toDbText } from '../../src/storage/pg/db-text.js';

/** A string field holding `bytes`, decoded and encoded again: the bytes after the length prefix. */
const roundTrip = (bytes: Buffer, compact: boolean): Buffer => {
  const prefix = compact ? new Writer().uvarint(bytes.length + 1).toBuffer() : new Writer().int16(bytes.length).toBuffer();
  const frame = Buffer.concat([prefix, bytes]);
  const s = new Reader(frame).stringOrNull(compact)!;
  const out = new Writer().string(s, compact).toBuffer();
  expect(out.subarray(0, prefix.length).equals(prefix)).toBe(true);
  return out.subarray(prefix.length);
};

describe('string fields keep their bytes', () => {
  const cases: [string, Buffer][] = [
    ['trailing NUL', Buffer.from('meta\0')],
    ['only NUL', Buffer.from([0])],
    ['lone continuation byte', Buffer.from([0x61, 0x80, 0x62])],
    ['truncated sequence', Buffer.from([0xe2, 0x82])],
    ['overlong NUL', Buffer.from([0xc0, 0x80])],
    ['UTF-8 encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
    ['beyond U+10FFFF', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
    ['0xFF and 0xFE', Buffer.from([0xff, 0xfe])],
    ['valid 4-byte then invalid', Buffer.from([0xf0, 0x90, 0x80, 0x80, 0x80])],
    ['valid UTF-8', Buffer.from('hé😀€')],
  ];
  for (const [name, bytes] of cases) {
    it(name, () => {
      expect(roundTrip(bytes, false).equals(bytes)).toBe(true);
      expect(roundTrip(bytes, true).equals(bytes)).toBe(true);
      expect(encodeString(decodeString(bytes, 0, bytes.length)).equals(bytes)).toBe(true);
    });
  }

  it('valid UTF-8 decodes as before, and a length prefix counts bytes', () => {
    expect(decodeString(Buffer.from('hé😀'), 0, 7)).toBe('hé😀');
    const w = new Writer().string(decodeString(Buffer.from([0x61, 0xff]), 0, 2), false).toBuffer();
    expect(w.toString('hex')).toBe('000261ff');
  });

  it('any bytes survive decode then encode (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (arr) => {
        const b = Buffer.from(arr);
        expect(encodeString(decodeString(b, 0, b.length)).equals(b)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('the escaped text form is reversible, NUL-free valid text, and plain strings stay as they are', () => {
    expect(toDbText('my-group')).toBe('my-group');
    expect(toDbText('a\0b')).toBe('a\\x00b');
    expect(toDbText('back\\slash')).toBe('back\\\\slash');
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (arr) => {
        const s = decodeString(Buffer.from(arr), 0, arr.length);
        const t = toDbText(s);
        expect(t.includes('\0')).toBe(false);
        expect(Buffer.from(t, 'utf8').toString('utf8')).toBe(t); // well-formed: Postgres stores it as is
        expect(fromDbText(t)).toBe(s);
      }),
      { numRuns: 2000 },
    );
  });
});
