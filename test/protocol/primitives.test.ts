/**
 * Primitive encodings against known bytes (and against kafkajs' independent encoder), null
 * encodings in compact and classic form, uuid formatting and header version selection.
 */
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageCodec } from '../../src/protocol/codec.js';
import { ALL_APIS } from '../../src/protocol/messages/index.js';
import {
  API_VERSIONS_KEY,
  apiCodecs,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  peekRequestIds,
  requestHeaderVersion,
  responseHeaderVersion,
} from '../../src/protocol/protocol.js';
import { DecodeError, isUuid, Reader, ZERO_UUID } from '../../src/protocol/reader.js';
import { camelCaseName } from '../../src/protocol/schema.js';
import { Writer } from '../../src/protocol/writer.js';

const require = createRequire(import.meta.url);
const KjsEncoder = require('kafkajs/src/protocol/encoder');
const KjsDecoder = require('kafkajs/src/protocol/decoder');
const KjsLong = require('kafkajs/src/utils/long');

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const write = (fn: (w: Writer) => void) => {
  const w = new Writer();
  fn(w);
  return w.toBuffer();
};
const api = (name: string) => ALL_APIS.find((a) => a.name === name)!;

describe('unsigned varint', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [1, '01'],
    [127, '7f'],
    [128, '8001'],
    [300, 'ac02'],
    [16383, 'ff7f'],
    [16384, '808001'],
    [2 ** 21 - 1, 'ffff7f'],
    [2 ** 21, '80808001'],
    [2 ** 28 - 1, 'ffffff7f'],
    [2 ** 28, '8080808001'],
    [2 ** 31 - 1, 'ffffffff07'],
    [2 ** 32 - 1, 'ffffffff0f'],
  ];
  it.each(cases)('%d <-> %s', (n, bytes) => {
    expect(write((w) => w.uvarint(n)).toString('hex')).toBe(bytes);
    const r = new Reader(hex(bytes));
    expect(r.uvarint()).toBe(n);
    expect(r.remaining).toBe(0);
  });

  it('rejects more than 5 bytes and truncation with DecodeError', () => {
    expect(() => new Reader(hex('808080808001')).uvarint()).toThrow(DecodeError);
    expect(() => new Reader(hex('8080')).uvarint()).toThrow(DecodeError);
    expect(() => new Reader(Buffer.alloc(0)).uvarint()).toThrow(DecodeError);
  });
});

describe('zig-zag varint (int32)', () => {
  const cases: [number, string][] = [
    [0, '00'],
    [-1, '01'],
    [1, '02'],
    [-2, '03'],
    [63, '7e'],
    [-64, '7f'],
    [64, '8001'],
    [150, 'ac02'],
    [2 ** 27 - 1, 'feffff7f'],
    [-(2 ** 27), 'ffffff7f'],
    [2 ** 27, '8080808001'],
    [2147483647, 'feffffff0f'],
    [-2147483648, 'ffffffff0f'],
  ];
  it.each(cases)('%d <-> %s', (n, bytes) => {
    expect(write((w) => w.varint(n)).toString('hex')).toBe(bytes);
    expect(new Reader(hex(bytes)).varint()).toBe(n);
  });

  it('matches kafkajs for any int32', () => {
    fc.assert(
      fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), (n) => {
        const ours = write((w) => w.varint(n));
        expect(ours.equals(new KjsEncoder().writeVarInt(n).buffer)).toBe(true);
        expect(new KjsDecoder(ours).readVarInt()).toBe(n);
        expect(new Reader(ours).varint()).toBe(n);
      }),
      { numRuns: 500 },
    );
  });
});

describe('zig-zag varlong (int64)', () => {
  const cases: [bigint, string][] = [
    [0n, '00'],
    [-1n, '01'],
    [1n, '02'],
    [150n, 'ac02'],
    [2147483647n, 'feffffff0f'],
    [-2147483648n, 'ffffffff0f'],
    [2n ** 31n, '8080808010'],
    [9223372036854775807n, 'feffffffffffffffff01'],
    [-9223372036854775808n, 'ffffffffffffffffff01'],
  ];
  it.each(cases)('%s <-> %s', (n, bytes) => {
    expect(write((w) => w.varlong(n)).toString('hex')).toBe(bytes);
    const r = new Reader(hex(bytes));
    expect(r.varlong()).toBe(n);
    expect(r.remaining).toBe(0);
  });

  it('matches kafkajs for any int64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        const ours = write((w) => w.varlong(n));
        expect(ours.equals(new KjsEncoder().writeVarLong(new KjsLong(n)).buffer)).toBe(true);
        expect(new Reader(ours).varlong()).toBe(n);
      }),
      { numRuns: 500 },
    );
  });

  it('rejects more than 10 bytes; a 10th byte with high bits still yields an int64', () => {
    expect(() => new Reader(hex('ffffffffffffffffffff01')).varlong()).toThrow(DecodeError);
    expect(() => new Reader(hex('ffff')).varlong()).toThrow(DecodeError);
    // Kafka keeps the low 64 bits: 0x7f in the last byte is the same as 0x01.
    expect(new Reader(hex('ffffffffffffffffff7f')).varlong()).toBe(-9223372036854775808n);
    expect(new Reader(hex('feffffffffffffffff7f')).varlong()).toBe(9223372036854775807n);
  });
});

describe('fixed-width integers', () => {
  it('big-endian, signed and unsigned', () => {
    expect(write((w) => w.int16(-2)).toString('hex')).toBe('fffe');
    expect(write((w) => w.uint16(65535)).toString('hex')).toBe('ffff');
    expect(write((w) => w.int32(-2147483648)).toString('hex')).toBe('80000000');
    expect(write((w) => w.uint32(4294967295)).toString('hex')).toBe('ffffffff');
    expect(write((w) => w.int64(-2n)).toString('hex')).toBe('fffffffffffffffe');
    const r = new Reader(hex('fffe ffff 80000000 ffffffff fffffffffffffffe 01 00'));
    expect([r.int16(), r.uint16(), r.int32(), r.uint32(), r.int64(), r.bool(), r.bool()]).toEqual([
      -2, 65535, -2147483648, 4294967295, -2n, true, false,
    ]);
    expect(() => r.int8()).toThrow(DecodeError);
  });
});

describe('strings, bytes and arrays: compact vs classic, null vs empty', () => {
  it('null encodings', () => {
    expect(write((w) => w.string(null, false)).toString('hex')).toBe('ffff');
    expect(write((w) => w.string(null, true)).toString('hex')).toBe('00');
    expect(write((w) => w.bytes(null, false)).toString('hex')).toBe('ffffffff');
    expect(write((w) => w.bytes(null, true)).toString('hex')).toBe('00');
    expect(write((w) => w.arrayLength(null, false)).toString('hex')).toBe('ffffffff');
    expect(write((w) => w.arrayLength(null, true)).toString('hex')).toBe('00');
    expect(new Reader(hex('ffff')).stringOrNull(false)).toBeNull();
    expect(new Reader(hex('00')).stringOrNull(true)).toBeNull();
    expect(new Reader(hex('ffffffff')).bytesOrNull(false)).toBeNull();
    expect(new Reader(hex('00')).bytesOrNull(true)).toBeNull();
    expect(new Reader(hex('ffffffff')).arrayLength(false)).toBe(-1);
    expect(new Reader(hex('00')).arrayLength(true)).toBe(-1);
  });

  it('empty encodings', () => {
    expect(write((w) => w.string('', false)).toString('hex')).toBe('0000');
    expect(write((w) => w.string('', true)).toString('hex')).toBe('01');
    expect(write((w) => w.bytes(Buffer.alloc(0), false)).toString('hex')).toBe('00000000');
    expect(write((w) => w.bytes(Buffer.alloc(0), true)).toString('hex')).toBe('01');
    expect(write((w) => w.arrayLength(0, false)).toString('hex')).toBe('00000000');
    expect(write((w) => w.arrayLength(0, true)).toString('hex')).toBe('01');
    expect(new Reader(hex('0000')).stringOrNull(false)).toBe('');
    expect(new Reader(hex('01')).stringOrNull(true)).toBe('');
  });

  it('lengths count UTF-8 bytes, not characters', () => {
    // "hé😀": 1 + 2 + 4 bytes.
    expect(write((w) => w.string('hé😀', false)).toString('hex')).toBe('0007' + Buffer.from('hé😀').toString('hex'));
    expect(write((w) => w.string('hé😀', true)).toString('hex')).toBe('08' + Buffer.from('hé😀').toString('hex'));
    expect(new Reader(hex('08' + Buffer.from('hé😀').toString('hex'))).stringOrNull(true)).toBe('hé😀');
  });

  it('bytes given as a list of buffers are written back to back with one length', () => {
    const parts = [Buffer.from([1, 2]), Buffer.alloc(0), Buffer.from([3])];
    expect(write((w) => w.bytes(parts, false)).toString('hex')).toBe('00000003010203');
    expect(write((w) => w.bytes(parts, true)).toString('hex')).toBe('04010203');
  });

  it('large payloads are kept as their own chunk (zero copy) and joined correctly', () => {
    const big = Buffer.alloc(5000, 0xab);
    const w = new Writer(16);
    w.int8(1).bytes(big, true).int16(0x0203);
    const chunks = w.chunks();
    expect(chunks).toContain(big);
    const joined = Buffer.concat(chunks);
    const expected = Buffer.concat([hex('01'), write((x) => x.uvarint(5001)), big, hex('0203')]);
    expect(joined.equals(expected)).toBe(true);
  });

  it('field nullability follows the spec per version, in both encodings', () => {
    const metadata = new MessageCodec(api('Metadata').response);
    // ClusterId: nullable from v2; v8 classic (int16 -1), v9 compact (0).
    const v8 = metadata.encode(8, { clusterId: null });
    const v9 = metadata.encode(9, { clusterId: null });
    // v8: throttle(4) brokers(4) clusterId(2)...
    expect(v8.subarray(8, 10).toString('hex')).toBe('ffff');
    // v9: throttle(4) brokers(1) clusterId(1)...
    expect(v9.subarray(5, 6).toString('hex')).toBe('00');
    expect(metadata.decode(v8, 8).clusterId).toBeNull();
    expect(metadata.decode(v9, 9).clusterId).toBeNull();

    // A null for a non-nullable field is a DecodeError; writing null there writes the empty value.
    const handshake = new MessageCodec(api('SaslHandshake').request);
    expect(() => handshake.decode(hex('ffff'), 0)).toThrow(DecodeError);
    expect(handshake.encode(0, { mechanism: null }).toString('hex')).toBe('0000');
    const groups = new MessageCodec(api('DescribeGroups').request);
    expect(() => groups.decode(hex('ffffffff'), 0)).toThrow(/null array/);
    expect(() => groups.decode(hex('00 00'), 5)).toThrow(/null array/);
    // Metadata request topics: v0 not nullable, v1+ nullable (null = all topics).
    const mreq = new MessageCodec(api('Metadata').request);
    expect(() => mreq.decode(hex('ffffffff'), 0)).toThrow(DecodeError);
    expect(mreq.decode(hex('ffffffff'), 1).topics).toBeNull();
    expect(mreq.encode(1, { topics: null }).toString('hex')).toBe('ffffffff');
    // v9: compact null topics, allowAutoTopicCreation, includeCluster/TopicAuthorizedOperations, no tags.
    expect(mreq.encode(9, { topics: null, allowAutoTopicCreation: true }).toString('hex')).toBe('0001000000');
  });
});

describe('uuids', () => {
  it('formats 16 bytes as lower-case 8-4-4-4-12', () => {
    const r = new Reader(hex('000102030405060708090a0b0c0d0e0f'));
    expect(r.uuid()).toBe('00010203-0405-0607-0809-0a0b0c0d0e0f');
    expect(new Reader(hex('ffffffffffffffffffffffffffffffff')).uuid()).toBe('ffffffff-ffff-ffff-ffff-ffffffffffff');
    expect(new Reader(Buffer.alloc(16)).uuid()).toBe(ZERO_UUID);
    expect(() => new Reader(Buffer.alloc(15)).uuid()).toThrow(DecodeError);
  });

  it('writes the 16 bytes back, accepting upper case', () => {
    expect(write((w) => w.uuid('00010203-0405-0607-0809-0A0B0C0D0E0F')).toString('hex')).toBe('000102030405060708090a0b0c0d0e0f');
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
        const s = new Reader(Buffer.from(b)).uuid();
        expect(isUuid(s)).toBe(true);
        expect(write((w) => w.uuid(s)).equals(Buffer.from(b))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('rejects malformed uuids instead of writing uninitialised memory', () => {
    expect(() => write((w) => w.uuid('not-a-uuid'))).toThrow(TypeError);
    expect(() => write((w) => w.uuid('zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'))).toThrow(TypeError);
    expect(() => write((w) => w.uuid('00010203-0405-0607-0809-0a0b0c0d0e0g'))).toThrow(TypeError);
    expect(isUuid('00010203-0405-0607-0809-0A0B0C0D0E0F')).toBe(false);
  });
});

describe('header versions', () => {
  it('request header v2 exactly for flexible request versions, v1 otherwise', () => {
    for (const spec of ALL_APIS) {
      const codecs = apiCodecs(spec.apiKey)!;
      for (let v = codecs.request.minVersion; v <= codecs.request.maxVersion; v++) {
        expect(requestHeaderVersion(codecs, v)).toBe(codecs.request.isFlexible(v) ? 2 : 1);
      }
    }
    const av = apiCodecs(API_VERSIONS_KEY)!;
    expect([0, 1, 2, 3, 4].map((v) => requestHeaderVersion(av, v))).toEqual([1, 1, 1, 2, 2]);
    const fetch = apiCodecs(1)!;
    expect([11, 12].map((v) => requestHeaderVersion(fetch, v))).toEqual([1, 2]);
  });

  it('response header: ApiVersions always v0, others v1 when flexible', () => {
    expect(responseHeaderVersion(18, true)).toBe(0);
    expect(responseHeaderVersion(18, false)).toBe(0);
    expect(responseHeaderVersion(3, true)).toBe(1);
    expect(responseHeaderVersion(3, false)).toBe(0);
  });

  it('request header v2 keeps the int16-length client id, then tagged fields', () => {
    const frame = encodeRequest(
      { apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'kcat' },
      { clientSoftwareName: 'a', clientSoftwareVersion: '1' },
    );
    expect(frame.toString('hex')).toBe(
      '00000014' + '0012' + '0003' + '00000007' + '0004' + Buffer.from('kcat').toString('hex') + '00' + '0261' + '0231' + '00',
    );
    const decoded = decodeRequest(frame.subarray(4), apiCodecs(18)!, 3);
    expect(decoded.header).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7, clientId: 'kcat' });
    expect(decoded.body).toEqual({ clientSoftwareName: 'a', clientSoftwareVersion: '1' });
    expect(peekRequestIds(frame.subarray(4))).toEqual({ apiKey: 18, apiVersion: 3, correlationId: 7 });
  });

  it('request header v2 with a null client id and an unknown header tag', () => {
    // Header: key 3, v12, corr 1, client id null (int16 -1), one tagged field (tag 5, 2 bytes).
    // Body (Metadata v12): topics null, allowAutoTopicCreation 1, includeTopicAuthorizedOperations 0, no tags.
    const frame = hex('0003 000c 00000001 ffff 01 05 02 abcd 00 01 00 00');
    const decoded = decodeRequest(frame, apiCodecs(3)!, 12);
    expect(decoded.header).toEqual({ apiKey: 3, apiVersion: 12, correlationId: 1, clientId: null });
    expect(decoded.body.topics).toBeNull();
    expect(decoded.body.allowAutoTopicCreation).toBe(true);
  });

  it('request header v1 for a classic version: no tagged-field byte', () => {
    const frame = encodeRequest({ apiKey: 18, apiVersion: 2, correlationId: 1, clientId: null }, {});
    expect(frame.toString('hex')).toBe('0000000a' + '0012' + '0002' + '00000001' + 'ffff');
  });

  it('ApiVersions v3 response: header v0 (no tagged-field byte after the correlation id)', () => {
    const body = { errorCode: 0, apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }], throttleTimeMs: 0 };
    const frame = Buffer.concat(encodeResponse(apiCodecs(18)!.response, 18, 3, 0x01020304, body));
    expect(frame.toString('hex')).toBe(
      '00000013' + '01020304' + '0000' + '02' + '0012' + '0000' + '0004' + '00' + '00000000' + '00',
    );
    expect(decodeResponse(frame.subarray(4), 18, 3).body).toMatchObject(body);
  });

  it('a flexible response other than ApiVersions gets header v1 (one tagged-field byte)', () => {
    const v9 = Buffer.concat(encodeResponse(apiCodecs(3)!.response, 3, 9, 5, {}));
    const v8 = Buffer.concat(encodeResponse(apiCodecs(3)!.response, 3, 8, 5, {}));
    // Header v1 = correlation id + 0x00; the Metadata v9 body starts with throttle 0.
    expect(v9.subarray(4, 13).toString('hex')).toBe('00000005' + '00' + '00000000');
    expect(v8.subarray(4, 12).toString('hex')).toBe('00000005' + '00000000');
    expect(decodeResponse(v9.subarray(4), 3, 9).correlationId).toBe(5);
  });
});

describe('field names', () => {
  it('camelCase as Kafka does', () => {
    expect(camelCaseName('TopicName')).toBe('topicName');
    expect(camelCaseName('ISRNodes')).toBe('isrNodes');
    expect(camelCaseName('timeoutMs')).toBe('timeoutMs');
    expect(camelCaseName('ID')).toBe('id');
  });
});
