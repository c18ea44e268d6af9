/**
 * Bounds-checked reading of Kafka's primitive types from a Buffer. Every failure is a DecodeError,
 * so a malformed frame can never surface as a RangeError or an oversized allocation: lengths and
 * counts are checked against the bytes that remain before anything is allocated.
 */

import { isUtf8 } from 'node:buffer';

/**
 * Kafka strings are length-prefixed bytes that should be UTF-8; clients send NUL and invalid UTF-8 too
 * (librdkafka's commit metadata ends in NUL). kpg keeps them byte-exact with a reversible mapping, in the
 * style of Python's surrogateescape: a byte that is not part of a valid UTF-8 sequence becomes the lone
 * low surrogate U+DC80..U+DCFF (byte 0x80..0xFF), which valid UTF-8 never decodes to. `encodeString`
 * (writer.ts) maps them back, so decode then encode returns the very bytes the client sent.
 */
export function decodeString(buf: Buffer, start: number, end: number): string {
  const bytes = buf.subarray(start, end);
  if (isUtf8(bytes)) return bytes.toString('utf8');
  let out = '';
  let i = 0;
  while (i < bytes.length) {
    const n = validSequenceLength(bytes, i);
    if (n === 0) {
      out += String.fromCharCode(0xdc00 | bytes[i]!);
      i++;
    } else {
      out += bytes.toString('utf8', i, i + n);
      i += n;
    }
  }
  return out;
}

/** The length of the valid UTF-8 sequence (RFC 3629) starting at i, or 0 when the byte there starts none. */
function validSequenceLength(b: Buffer, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (k: number, lo = 0x80, hi = 0xbf): boolean => i + k < b.length && b[i + k]! >= lo && b[i + k]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c === 0xe0) return cont(1, 0xa0) && cont(2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(1) && cont(2) ? 3 : 0;
  if (c === 0xed) return cont(1, 0x80, 0x9f) && cont(2) ? 3 : 0;
  if (c === 0xf0) return cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(1) && cont(2) && cont(3) ? 4 : 0;
  if (c === 0xf4) return cont(1, 0x80, 0x8f) && cont(2) && cont(3) ? 4 : 0;
  return 0;
}

export class DecodeError extends Error {
  override name = 'DecodeError';
}

const UUID_HEX = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export class Reader {
  offset: number;
  readonly end: number;

  constructor(
    readonly buf: Buffer,
    offset = 0,
    end = buf.length,
  ) {
    this.offset = offset;
    this.end = end;
  }

  get remaining(): number {
    return this.end - this.offset;
  }

  private need(n: number, what: string): void {
    if (n < 0 || this.offset + n > this.end) {
      throw new DecodeError(`truncated ${what}: need ${n} bytes at offset ${this.offset}, have ${this.remaining}`);
    }
  }

  int8(): number {
    this.need(1, 'int8');
    return this.buf.readInt8(this.offset++);
  }

  bool(): boolean {
    return this.int8() !== 0;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = this.buf.readInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  uint16(): number {
    this.need(2, 'uint16');
    const v = this.buf.readUInt16BE(this.offset);
    this.offset += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = this.buf.readInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  uint32(): number {
    this.need(4, 'uint32');
    const v = this.buf.readUInt32BE(this.offset);
    this.offset += 4;
    return v;
  }

  int64(): bigint {
    this.need(8, 'int64');
    const v = this.buf.readBigInt64BE(this.offset);
    this.offset += 8;
    return v;
  }

  float64(): number {
    this.need(8, 'float64');
    const v = this.buf.readDoubleBE(this.offset);
    this.offset += 8;
    return v;
  }

  /** Unsigned LEB128 varint, at most 5 bytes (32 bits). */
  uvarint(): number {
    let result = 0;
    let shift = 0;
    for (let i = 0; i < 5; i++) {
      this.need(1, 'varint');
      const b = this.buf[this.offset++]!;
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
    throw new DecodeError('varint longer than 5 bytes');
  }

  /** Zig-zag signed varint (32 bits). */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zig-zag signed varlong (64 bits), at most 10 bytes. */
  varlong(): bigint {
    let result = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      this.need(1, 'varlong');
      const b = this.buf[this.offset++]!;
      result |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) {
        // Bits above 64 in a 10th byte are dropped, as Kafka's readVarlong does: the result stays an int64.
        const u = BigInt.asUintN(64, result);
        return (u >> 1n) ^ -(u & 1n);
      }
      shift += 7n;
    }
    throw new DecodeError('varlong longer than 10 bytes');
  }

  uuid(): string {
    this.need(16, 'uuid');
    const hex = this.buf.toString('hex', this.offset, this.offset + 16);
    this.offset += 16;
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }

  /** Length for a string or bytes field; -1 means null. */
  private length(compact: boolean): number {
    if (compact) return this.uvarint() - 1;
    return this.int32();
  }

  rawBytes(n: number): Buffer {
    this.need(n, 'bytes');
    const b = this.buf.subarray(this.offset, this.offset + n);
    this.offset += n;
    return b;
  }

  stringOrNull(compact: boolean): string | null {
    const n = compact ? this.uvarint() - 1 : this.int16();
    if (n < 0) {
      if (n === -1) return null;
      throw new DecodeError(`negative string length ${n}`);
    }
    this.need(n, 'string');
    const s = decodeString(this.buf, this.offset, this.offset + n);
    this.offset += n;
    return s;
  }

  /** Bytes are returned as a view into the frame: zero copy. */
  bytesOrNull(compact: boolean): Buffer | null {
    const n = this.length(compact);
    if (n < 0) {
      if (n === -1) return null;
      throw new DecodeError(`negative bytes length ${n}`);
    }
    return this.rawBytes(n);
  }

  /** Element count of an array; -1 means null. Counts larger than the remaining bytes are rejected. */
  arrayLength(compact: boolean): number {
    const n = compact ? this.uvarint() - 1 : this.int32();
    if (n < -1) throw new DecodeError(`negative array length ${n}`);
    if (n > this.remaining) throw new DecodeError(`array length ${n} exceeds the ${this.remaining} bytes left`);
    return n;
  }
}

export function isUuid(s: string): boolean {
  return UUID_HEX.test(s);
}
