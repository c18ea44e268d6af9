/**
 * Kafka record batches (magic v2): the header layout, CRC-32C validation, record decoding and encoding.
 *
 *   baseOffset int64 | batchLength int32 | partitionLeaderEpoch int32 | magic int8 | crc uint32 |
 *   attributes int16 | lastOffsetDelta int32 | baseTimestamp int64 | maxTimestamp int64 |
 *   producerId int64 | producerEpoch int16 | baseSequence int32 | recordCount int32 | records...
 *
 * The CRC covers everything from attributes to the end, so the base offset (and the leader epoch) can be
 * rewritten without recomputing it. CRC-32C comes from `@node-rs/crc32` (hardware-accelerated).
 */
import { crc32c } from '@node-rs/crc32';
import { Reader } from '../protocol/reader.js';
import { Writer } from '../protocol/writer.js';
import { Compression, compress, decompress } from './compression.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's coverage starts: baseOffset + batchLength. */
export const BATCH_LOG_OVERHEAD = 12;
const CRC_OFFSET = 17;
const ATTRIBUTES_OFFSET = 21;

export const Attributes = {
  compressionMask: 0x07,
  timestampTypeLogAppend: 0x08,
  transactional: 0x10,
  control: 0x20,
  deleteHorizon: 0x40,
} as const;

export const TimestampType = { CreateTime: 0, LogAppendTime: 1 } as const;

export interface BatchHeader {
  baseOffset: bigint;
  batchLength: number;
  partitionLeaderEpoch: number;
  magic: number;
  crc: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: bigint;
  maxTimestamp: bigint;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offsetDelta: number;
  timestampDelta: bigint;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

/** A problem with a produced batch, carrying the Kafka error it maps to. */
export class InvalidBatchError extends Error {
  override name = 'InvalidBatchError';
  constructor(
    readonly errorCode: number,
    message: string,
  ) {
    super(message);
  }
}

export function compressionOf(header: BatchHeader): number {
  return header.attributes & Attributes.compressionMask;
}

export function isTransactional(header: BatchHeader): boolean {
  return (header.attributes & Attributes.transactional) !== 0;
}

export function isControl(header: BatchHeader): boolean {
  return (header.attributes & Attributes.control) !== 0;
}

/** Reads the 61-byte header at `offset`; the caller checks that enough bytes exist. */
export function readBatchHeader(buf: Buffer, offset = 0): BatchHeader {
  return {
    baseOffset: buf.readBigInt64BE(offset),
    batchLength: buf.readInt32BE(offset + 8),
    partitionLeaderEpoch: buf.readInt32BE(offset + 12),
    magic: buf.readInt8(offset + 16),
    crc: buf.readUInt32BE(offset + 17),
    attributes: buf.readInt16BE(offset + 21),
    lastOffsetDelta: buf.readInt32BE(offset + 23),
    baseTimestamp: buf.readBigInt64BE(offset + 27),
    maxTimestamp: buf.readBigInt64BE(offset + 35),
    producerId: buf.readBigInt64BE(offset + 43),
    producerEpoch: buf.readInt16BE(offset + 51),
    baseSequence: buf.readInt32BE(offset + 53),
    recordCount: buf.readInt32BE(offset + 57),
  };
}

export function computeBatchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(ATTRIBUTES_OFFSET)) >>> 0;
}

/** Splits a records blob (as in Fetch responses) into whole batches; a trailing partial batch is ignored. */
export function splitBatches(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let pos = 0;
  while (records.length - pos >= BATCH_LOG_OVERHEAD) {
    const length = records.readInt32BE(pos + 8);
    const end = pos + BATCH_LOG_OVERHEAD + length;
    if (length < 0 || end > records.length) break;
    out.push(records.subarray(pos, end));
    pos = end;
  }
  return out;
}

/** Decodes the records of an uncompressed records section. Throws InvalidBatchError on any inconsistency. */
export function decodeRecordsSection(data: Buffer, expectedCount: number): KafkaRecord[] {
  const r = new Reader(data);
  const records: KafkaRecord[] = [];
  try {
    for (let i = 0; i < expectedCount; i++) {
      const length = r.varint();
      if (length < 0 || length > r.remaining) throw new InvalidBatchError(87, `record ${i} length ${length} exceeds the batch`);
      const end = r.offset + length;
      r.int8(); // record attributes: unused in v2
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      const key = readVarBytes(r);
      const value = readVarBytes(r);
      const headerCount = r.varint();
      if (headerCount < 0 || headerCount > r.remaining) throw new InvalidBatchError(87, `record ${i} has an invalid header count`);
      const headers: RecordHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const keyBytes = readVarBytes(r);
        if (keyBytes === null) throw new InvalidBatchError(87, `record ${i} has a header with a null key`);
        headers.push({ key: keyBytes.toString('utf8'), value: readVarBytes(r) });
      }
      if (r.offset !== end) throw new InvalidBatchError(87, `record ${i} length does not match its contents`);
      records.push({ offsetDelta, timestampDelta, key, value, headers });
    }
  } catch (err) {
    if (err instanceof InvalidBatchError) throw err;
    throw new InvalidBatchError(2, `records are truncated or malformed: ${(err as Error).message}`);
  }
  if (r.remaining !== 0) throw new InvalidBatchError(87, `batch holds more bytes than its ${expectedCount} records`);
  return records;
}

function readVarBytes(r: Reader): Buffer | null {
  const n = r.varint();
  if (n < 0) return null;
  return r.rawBytes(n);
}

/** Decodes every record of a stored or produced batch (decompressing as needed). */
export async function decodeBatchRecords(batch: Buffer, maxDecompressedBytes = 256 * 1024 * 1024): Promise<KafkaRecord[]> {
  const header = readBatchHeader(batch);
  const section = batch.subarray(BATCH_HEADER_SIZE);
  const data = await decompress(compressionOf(header), section, maxDecompressedBytes);
  return decodeRecordsSection(data, header.recordCount);
}

export interface NewRecord {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  headers?: { key: string; value: Buffer | string | null }[];
  timestamp?: bigint | number;
}

export interface EncodeBatchOptions {
  baseOffset?: bigint;
  compression?: number;
  producerId?: bigint;
  producerEpoch?: number;
  baseSequence?: number;
  transactional?: boolean;
  timestampType?: 0 | 1;
  partitionLeaderEpoch?: number;
}

const toBuffer = (v: Buffer | string | null | undefined): Buffer | null =>
  v === null || v === undefined ? null : Buffer.isBuffer(v) ? v : Buffer.from(v, 'utf8');

/** Encodes the records section (uncompressed) for records whose timestamps are relative to baseTimestamp. */
export function encodeRecordsSection(records: readonly KafkaRecord[]): Buffer {
  const out = new Writer(1024);
  for (const rec of records) {
    const body = new Writer(64 + (rec.value?.length ?? 0) + (rec.key?.length ?? 0));
    body.int8(0);
    body.varlong(rec.timestampDelta);
    body.varint(rec.offsetDelta);
    writeVarBytes(body, rec.key);
    writeVarBytes(body, rec.value);
    body.varint(rec.headers.length);
    for (const h of rec.headers) {
      writeVarBytes(body, Buffer.from(h.key, 'utf8'));
      writeVarBytes(body, h.value);
    }
    const bytes = body.toBuffer();
    out.varint(bytes.length);
    out.raw(bytes);
  }
  return out.toBuffer();
}

function writeVarBytes(w: Writer, b: Buffer | null): void {
  if (b === null) {
    w.varint(-1);
    return;
  }
  w.varint(b.length);
  w.raw(b);
}

/** Assembles a batch from a header and a records section (already compressed as `attributes` says). */
export function assembleBatch(header: Omit<BatchHeader, 'batchLength' | 'crc' | 'magic'>, section: Buffer): Buffer {
  const batch = Buffer.allocUnsafe(BATCH_HEADER_SIZE + section.length);
  batch.writeBigInt64BE(header.baseOffset, 0);
  batch.writeInt32BE(BATCH_HEADER_SIZE - BATCH_LOG_OVERHEAD + section.length, 8);
  batch.writeInt32BE(header.partitionLeaderEpoch, 12);
  batch.writeInt8(2, 16);
  batch.writeInt16BE(header.attributes, 21);
  batch.writeInt32BE(header.lastOffsetDelta, 23);
  batch.writeBigInt64BE(header.baseTimestamp, 27);
  batch.writeBigInt64BE(header.maxTimestamp, 35);
  batch.writeBigInt64BE(header.producerId, 43);
  batch.writeInt16BE(header.producerEpoch, 51);
  batch.writeInt32BE(header.baseSequence, 53);
  batch.writeInt32BE(header.recordCount, 57);
  section.copy(batch, BATCH_HEADER_SIZE);
  batch.writeUInt32BE(computeBatchCrc(batch), CRC_OFFSET);
  return batch;
}

/** Builds a complete batch from records (used by kpg's own client, tests and the benchmark). */
export async function encodeBatch(records: readonly NewRecord[], options: EncodeBatchOptions = {}): Promise<Buffer> {
  if (records.length === 0) throw new RangeError('a batch needs at least one record');
  const now = BigInt(Date.now());
  const timestamps = records.map((r) => (r.timestamp === undefined ? now : BigInt(r.timestamp)));
  const baseTimestamp = timestamps.reduce((a, b) => (b < a ? b : a));
  const maxTimestamp = timestamps.reduce((a, b) => (b > a ? b : a));
  const section = encodeRecordsSection(
    records.map((r, i) => ({
      offsetDelta: i,
      timestampDelta: timestamps[i]! - baseTimestamp,
      key: toBuffer(r.key),
      value: toBuffer(r.value),
      headers: (r.headers ?? []).map((h) => ({ key: h.key, value: toBuffer(h.value) })),
    })),
  );
  const codec = options.compression ?? Compression.none;
  let attributes = codec;
  if (options.timestampType === 1) attributes |= Attributes.timestampTypeLogAppend;
  if (options.transactional) attributes |= Attributes.transactional;
  return assembleBatch(
    {
      baseOffset: options.baseOffset ?? 0n,
      partitionLeaderEpoch: options.partitionLeaderEpoch ?? -1,
      attributes,
      lastOffsetDelta: records.length - 1,
      baseTimestamp,
      maxTimestamp,
      producerId: options.producerId ?? -1n,
      producerEpoch: options.producerEpoch ?? -1,
      baseSequence: options.baseSequence ?? -1,
      recordCount: records.length,
    },
    await compress(codec, section),
  );
}

/**
 * Re-encodes a stored batch (records uncompressed) with `codec`, as a Kafka broker stores batches of a
 * topic whose compression.type names a codec. The base offset, timestamps and producer fields stay; the
 * CRC is recomputed.
 */
export async function recompressBatch(stored: Buffer, codec: number): Promise<Buffer> {
  const header = readBatchHeader(stored);
  if (compressionOf(header) === codec) return stored;
  const section = await compress(codec, stored.subarray(BATCH_HEADER_SIZE));
  return assembleBatch({ ...header, attributes: (header.attributes & ~Attributes.compressionMask) | codec }, section);
}
