/**
 * Record batch compression codecs, each from a well-kept library: gzip from Node's zlib, snappy from
 * `snappy` (napi-rs bindings of Google's snappy), lz4 frames from `lz4-napi`, zstd from
 * `@mongodb-js/zstd` (the MongoDB driver's bindings of Facebook's zstd). All are prebuilt native
 * modules shipped through npm, so nothing compiles or downloads at install time.
 */
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import * as zstd from '@mongodb-js/zstd';
import lz4 from 'lz4-napi';
import snappy from 'snappy';

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionCodec = (typeof Compression)[keyof typeof Compression];
export const COMPRESSION_NAMES = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;

export class UnsupportedCompressionError extends Error {
  override name = 'UnsupportedCompressionError';
}

const gunzip = promisify(zlib.gunzip);
const gzip = promisify(zlib.gzip);

/** Java's snappy framing (xerial snappy-java's stream format): magic, version, compat, then length-prefixed blocks. */
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);
const XERIAL_HEADER_LENGTH = 16;

function isXerialFramed(data: Buffer): boolean {
  return data.length >= XERIAL_HEADER_LENGTH && data.subarray(0, 8).equals(XERIAL_MAGIC);
}

function snappyDecompress(data: Buffer, limit: number): Buffer {
  if (!isXerialFramed(data)) return checked(snappy.uncompressSync(data, { asBuffer: true }) as Buffer, limit);
  // librdkafka sends raw snappy; the Java client frames it in xerial blocks. Accept both.
  const parts: Buffer[] = [];
  let total = 0;
  let pos = XERIAL_HEADER_LENGTH;
  while (pos < data.length) {
    if (pos + 4 > data.length) throw new RangeError('truncated xerial snappy block header');
    const size = data.readInt32BE(pos);
    pos += 4;
    if (size < 0 || pos + size > data.length) throw new RangeError('truncated xerial snappy block');
    const block = snappy.uncompressSync(data.subarray(pos, pos + size), { asBuffer: true }) as Buffer;
    total += block.length;
    if (total > limit) throw new RangeError(`decompressed data exceeds ${limit} bytes`);
    parts.push(block);
    pos += size;
  }
  return Buffer.concat(parts, total);
}

function checked(out: Buffer, limit: number): Buffer {
  if (out.length > limit) throw new RangeError(`decompressed data exceeds ${limit} bytes`);
  return out;
}

/**
 * Decompresses a batch's records section. `limit` bounds the output so a small "zip bomb" batch cannot
 * exhaust memory; the callers turn any failure into CORRUPT_MESSAGE.
 */
export async function decompress(codec: number, data: Buffer, limit: number): Promise<Buffer> {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return checked(await gunzip(data, { maxOutputLength: limit }), limit);
    case Compression.snappy:
      return snappyDecompress(data, limit);
    case Compression.lz4:
      return checked(lz4.decompressFrameSync(data), limit);
    case Compression.zstd:
      return checked(await zstd.decompress(data), limit);
    default:
      throw new UnsupportedCompressionError(`unknown compression codec ${codec}`);
  }
}

export async function compress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.none:
      return data;
    case Compression.gzip:
      return gzip(data);
    case Compression.snappy:
      return snappy.compressSync(data);
    case Compression.lz4:
      return lz4.compressFrameSync(data);
    case Compression.zstd:
      return zstd.compress(data, 3);
    default:
      throw new UnsupportedCompressionError(`unknown compression codec ${codec}`);
  }
}
