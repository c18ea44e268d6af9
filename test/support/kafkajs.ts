/**
 * kafkajs for tests, with the snappy, lz4 and zstd codecs it does not ship registered from the same
 * libraries kpg uses (kafkajs lets applications plug codecs in; this is how its users do it).
 */
import { createRequire } from 'node:module';
import * as zstd from '@mongodb-js/zstd';
import lz4 from 'lz4-napi';
import snappy from 'snappy';

const require = createRequire(import.meta.url);
const kafkajs = require('kafkajs') as typeof import('kafkajs');

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

kafkajs.CompressionCodecs[kafkajs.CompressionTypes.Snappy] = () => ({
  // Raw snappy out, as librdkafka sends it.
  compress: async (encoder: { buffer: Buffer }) => snappy.compressSync(encoder.buffer),
  decompress: async (buffer: Buffer) => {
    if (buffer.length >= 16 && buffer.subarray(0, 8).equals(XERIAL_MAGIC)) {
      const parts: Buffer[] = [];
      for (let pos = 16; pos < buffer.length; ) {
        const size = buffer.readInt32BE(pos);
        parts.push(snappy.uncompressSync(buffer.subarray(pos + 4, pos + 4 + size), { asBuffer: true }) as Buffer);
        pos += 4 + size;
      }
      return Buffer.concat(parts);
    }
    return snappy.uncompressSync(buffer, { asBuffer: true }) as Buffer;
  },
});
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.LZ4] = () => ({
  compress: async (encoder: { buffer: Buffer }) => lz4.compressFrameSync(encoder.buffer),
  decompress: async (buffer: Buffer) => lz4.decompressFrameSync(buffer),
});
kafkajs.CompressionCodecs[kafkajs.CompressionTypes.ZSTD] = () => ({
  compress: async (encoder: { buffer: Buffer }) => zstd.compress(encoder.buffer, 3),
  decompress: async (buffer: Buffer) => zstd.decompress(buffer),
});

export const { Kafka, logLevel, CompressionTypes } = kafkajs;
export type { Producer, Consumer, Admin, Message } from 'kafkajs';

export function kafkaClient(bootstrap: string | string[], clientId = 'kpg-test') {
  return new kafkajs.Kafka({
    brokers: Array.isArray(bootstrap) ? bootstrap : [bootstrap],
    clientId,
    logLevel: kafkajs.logLevel.NOTHING,
    retry: { retries: 3, initialRetryTime: 100 },
  });
}
