/**
 * Growable writer for Kafka's primitive types. Large byte payloads (record batches) are appended as
 * chunks of their own instead of being copied, so a Fetch response made of stored batches reaches the
 * socket without one big concatenation: `chunks()` is meant for `socket.cork()` + writes.
 */

const INITIAL_SIZE = 256;
/** Payloads at least this large are kept as separate chunks rather than copied. */
const ZERO_COPY_THRESHOLD = 1024;

/**
 * The bytes of a string decoded by `decodeString` (reader.ts): lone low surrogates U+DC80..U+DCFF are the
 * raw bytes 0x80..0xFF they stand for; everything else is UTF-8 (another lone surrogate, which no decoded
 * string holds, becomes U+FFFD as Buffer.from would make it).
 */
export function encodeString(v: string): Buffer {
  if (!hasLoneSurrogate(v)) return Buffer.from(v, 'utf8');
  const parts: Buffer[] = [];
  let from = 0;
  for (let i = 0; i < v.length; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < v.length) {
      const d = v.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        i++;
        continue;
      }
    }
    if (c >= 0xdc80 && c <= 0xdcff) {
      if (i > from) parts.push(Buffer.from(v.slice(from, i), 'utf8'));
      parts.push(Buffer.of(c & 0xff));
      from = i + 1;
    }
  }
  if (from < v.length) parts.push(Buffer.from(v.slice(from), 'utf8'));
  return Buffer.concat(parts);
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Whether a string holds a surrogate that is not half of a pair (String#isWellFormed, before ES2024). */
export function hasLoneSurrogate(v: string): boolean {
  return LONE_SURROGATE.test(v);
}

export class Writer {
  private done: Buffer[] = [];
  private doneLength = 0;
  private buf: Buffer;
  private pos = 0;

  constructor(initialSize = INITIAL_SIZE) {
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.doneLength + this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    if (this.pos === 0) {
      this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length));
      return;
    }
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }

  int8(v: number): this {
    this.ensure(1);
    this.buf.writeInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  bool(v: boolean): this {
    return this.int8(v ? 1 : 0);
  }

  int16(v: number): this {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  uint16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16BE(v, this.pos);
    this.pos += 2;
    return this;
  }

  int32(v: number): this {
    this.ensure(4);
    this.buf.writeInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  uint32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32BE(v, this.pos);
    this.pos += 4;
    return this;
  }

  int64(v: bigint): this {
    this.ensure(8);
    this.buf.writeBigInt64BE(v, this.pos);
    this.pos += 8;
    return this;
  }

  float64(v: number): this {
    this.ensure(8);
    this.buf.writeDoubleBE(v, this.pos);
    this.pos += 8;
    return this;
  }

  uvarint(v: number): this {
    this.ensure(5);
    let u = v >>> 0;
    while (u >= 0x80) {
      this.buf[this.pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    this.buf[this.pos++] = u;
    return this;
  }

  varint(v: number): this {
    return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0);
  }

  varlong(v: bigint): this {
    this.ensure(10);
    let u = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
    return this;
  }

  uuid(v: string): this {
    const hex = v.replace(/-/g, '');
    if (hex.length !== 32) throw new TypeError(`not a uuid: ${v}`);
    this.ensure(16);
    // Buffer#write stops at the first non-hex character: without this check the rest of the 16 bytes
    // would be whatever the unsafe allocation held.
    if (this.buf.write(hex, this.pos, 16, 'hex') !== 16) throw new TypeError(`not a uuid: ${v}`);
    this.pos += 16;
    return this;
  }

  /** Appends bytes; large ones become their own chunk (no copy). */
  raw(b: Buffer): this {
    if (b.length >= ZERO_COPY_THRESHOLD) {
      this.flushCurrent();
      this.done.push(b);
      this.doneLength += b.length;
      return this;
    }
    this.ensure(b.length);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
    return this;
  }

  string(v: string | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int16(-1);
    if (hasLoneSurrogate(v)) {
      // Bytes that were not UTF-8 when the client sent them (see decodeString in reader.ts).
      const b = encodeString(v);
      if (compact) this.uvarint(b.length + 1);
      else this.int16(b.length);
      this.ensure(b.length);
      b.copy(this.buf, this.pos);
      this.pos += b.length;
      return this;
    }
    const len = Buffer.byteLength(v, 'utf8');
    if (compact) this.uvarint(len + 1);
    else this.int16(len);
    this.ensure(len);
    this.buf.write(v, this.pos, len, 'utf8');
    this.pos += len;
    return this;
  }

  /** Bytes given as one Buffer or as a list of Buffers written back to back (e.g. stored record batches). */
  bytes(v: Buffer | readonly Buffer[] | null, compact: boolean): this {
    if (v === null) return compact ? this.uvarint(0) : this.int32(-1);
    if (Buffer.isBuffer(v)) {
      if (compact) this.uvarint(v.length + 1);
      else this.int32(v.length);
      return this.raw(v);
    }
    let total = 0;
    for (const part of v) total += part.length;
    if (compact) this.uvarint(total + 1);
    else this.int32(total);
    for (const part of v) this.raw(part);
    return this;
  }

  arrayLength(n: number | null, compact: boolean): this {
    if (n === null) return compact ? this.uvarint(0) : this.int32(-1);
    return compact ? this.uvarint(n + 1) : this.int32(n);
  }

  private flushCurrent(): void {
    if (this.pos === 0) return;
    this.done.push(this.buf.subarray(0, this.pos));
    this.doneLength += this.pos;
    // Keep writing into the unused tail of the same allocation when there is a useful amount left.
    const rest = this.buf.length - this.pos;
    this.buf = rest >= 64 ? this.buf.subarray(this.pos) : Buffer.allocUnsafe(INITIAL_SIZE);
    this.pos = 0;
  }

  /** The written bytes as a list of chunks, in order. The writer must not be used afterwards. */
  chunks(): Buffer[] {
    this.flushCurrent();
    return this.done;
  }

  /** The written bytes as one Buffer (copies when there is more than one chunk). */
  toBuffer(): Buffer {
    const parts = this.chunks();
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts, this.doneLength);
  }
}
