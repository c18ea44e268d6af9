/**
 * Robustness: hostile or damaged bytes must only ever produce a DecodeError (never a RangeError,
 * TypeError, hang or huge allocation), and the frame splitter must be exact under any chunking and
 * reject oversized or negative sizes as soon as the four size bytes are in.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageCodec } from '../../src/protocol/codec.js';
import { FrameDecoder, FrameTooLargeError } from '../../src/protocol/framing.js';
import { ALL_APIS } from '../../src/protocol/messages/index.js';
import { apiCodecs, decodeRequest, encodeRequest } from '../../src/protocol/protocol.js';
import { DecodeError } from '../../src/protocol/reader.js';
import { messageArb, versionsOf } from './spec-arbitrary.js';

/** Runs `fn`; passes when it returns or throws a DecodeError, fails on anything else. */
function onlyDecodeErrors(fn: () => unknown): 'ok' | 'decode-error' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    if (e instanceof DecodeError) return 'decode-error';
    throw new Error(`expected only DecodeError, got ${(e as Error)?.name}: ${(e as Error)?.message}`, { cause: e });
  }
}

/** Bytes biased towards the values that make lengths, counts and varints extreme. */
const hostileByte = fc.oneof(
  fc.integer({ min: 0, max: 255 }),
  fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff),
);
const hostileBytes = (maxLength: number) => fc.array(hostileByte, { maxLength }).map((a) => Buffer.from(a));

// Two fixed valid samples per message/version for the exhaustive truncation sweep (deterministic).
function samples(spec: (typeof ALL_APIS)[number]['request'], version: number, n: number) {
  return fc.sample(messageArb(spec, version, { bigRecords: false }), { numRuns: n, seed: 42 + version });
}

describe('decoding garbage throws only DecodeError', () => {
  for (const api of ALL_APIS) {
    describe(`${api.name} (key ${api.apiKey})`, () => {
      const codecs = apiCodecs(api.apiKey)!;
      for (const kind of ['request', 'response'] as const) {
        const spec = api[kind];
        const codec = new MessageCodec(spec);
        for (const version of versionsOf(spec)) {
          it(`${kind} v${version}: random bytes, truncations and byte flips`, () => {
            // 1. Random bytes.
            fc.assert(
              fc.property(hostileBytes(48), (buf) => {
                onlyDecodeErrors(() => codec.decode(buf, version));
              }),
              { numRuns: 30 },
            );

            // 2. Every truncation of valid encodings must fail, and only with DecodeError: parsing is
            //    deterministic, so a prefix can never be a complete message.
            for (const value of samples(spec, version, 2)) {
              const full = codec.encode(version, value);
              expect(onlyDecodeErrors(() => codec.decode(full, version))).toBe('ok');
              for (let len = 0; len < full.length; len++) {
                // Copy: the truncated message must not be able to read past its end into the original.
                const cut = Buffer.from(full.subarray(0, len));
                expect(onlyDecodeErrors(() => codec.decode(cut, version))).toBe('decode-error');
              }
              // Trailing garbage is rejected too.
              expect(onlyDecodeErrors(() => codec.decode(Buffer.concat([full, Buffer.from([0])]), version))).toBe('decode-error');
            }

            // 3. Valid encodings with a few random byte flips.
            fc.assert(
              fc.property(
                messageArb(spec, version, { bigRecords: false }),
                fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 4 }),
                (value, flips) => {
                  const buf = Buffer.from(codec.encode(version, value));
                  if (buf.length === 0) return;
                  for (const [pos, x] of flips) buf[pos % buf.length]! ^= x;
                  onlyDecodeErrors(() => codec.decode(buf, version));
                },
              ),
              { numRuns: 20 },
            );

            // 4. Whole request frames (header + body) through decodeRequest.
            if (kind === 'request') {
              const value = samples(spec, version, 1)[0]!;
              const frame = encodeRequest({ apiKey: api.apiKey, apiVersion: version, correlationId: 7, clientId: 'fuzz' }, value).subarray(4);
              expect(onlyDecodeErrors(() => decodeRequest(frame, codecs, version))).toBe('ok');
              for (let len = 0; len < frame.length; len++) {
                const cut = Buffer.from(frame.subarray(0, len));
                expect(onlyDecodeErrors(() => decodeRequest(cut, codecs, version))).toBe('decode-error');
              }
              fc.assert(
                fc.property(hostileBytes(64), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 255 })), { maxLength: 4 }), (garbage, flips) => {
                  onlyDecodeErrors(() => decodeRequest(garbage, codecs, version));
                  const damaged = Buffer.from(frame);
                  for (const [pos, x] of flips) damaged[pos % damaged.length]! ^= x;
                  onlyDecodeErrors(() => decodeRequest(damaged, codecs, version));
                }),
                { numRuns: 20 },
              );
            }
          });
        }
      }
    });
  }

  it('an unsupported version is a DecodeError', () => {
    const codec = new MessageCodec(ALL_APIS.find((a) => a.name === 'Fetch')!.request);
    expect(() => codec.decode(Buffer.alloc(64), 3)).toThrow(DecodeError);
    expect(() => codec.decode(Buffer.alloc(64), 19)).toThrow(DecodeError);
  });
});

describe('oversized lengths are rejected before allocating', () => {
  const api = (name: string) => ALL_APIS.find((a) => a.name === name)!;
  const int32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(n);
    return b;
  };

  /** Decodes and returns the DecodeError, failing if it took long (an allocation of GBs would). */
  function rejectFast(codec: MessageCodec, buf: Buffer, version: number): DecodeError {
    const start = performance.now();
    let err: unknown;
    try {
      codec.decode(buf, version);
    } catch (e) {
      err = e;
    }
    const ms = performance.now() - start;
    expect(err).toBeInstanceOf(DecodeError);
    expect(ms).toBeLessThan(50);
    return err as DecodeError;
  }

  it('a 2^31-1 array count in a tiny buffer (non-compact)', () => {
    // DescribeGroups v0 request: Groups []string comes first.
    const codec = new MessageCodec(api('DescribeGroups').request);
    const err = rejectFast(codec, Buffer.concat([int32(0x7fffffff), Buffer.from([0, 1, 0x61])]), 0);
    expect(err.message).toMatch(/array length 2147483647/);
  });

  it('a 2^32-2 compact array count (uvarint 0xffffffff)', () => {
    // DescribeGroups v5 request (flexible): compact Groups first.
    const codec = new MessageCodec(api('DescribeGroups').request);
    rejectFast(codec, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x02, 0x61]), 5);
  });

  it('nested arrays with huge counts', () => {
    // Metadata v0 response: Brokers [] (empty), then Topics with a huge count.
    const codec = new MessageCodec(api('Metadata').response);
    rejectFast(codec, Buffer.concat([int32(0), int32(0x7ffffff0), Buffer.alloc(6)]), 0);
  });

  it('a 2^31-1 bytes length and a 32767 string length in a few bytes', () => {
    const sasl = new MessageCodec(api('SaslAuthenticate').request);
    rejectFast(sasl, Buffer.concat([int32(0x7fffffff), Buffer.from('abc')]), 0);
    // Compact bytes: uvarint 0xffffffff - 1.
    rejectFast(sasl, Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x00]), 2);
    const handshake = new MessageCodec(api('SaslHandshake').request);
    rejectFast(handshake, Buffer.from([0x7f, 0xff, 0x61, 0x62]), 0);
    // Negative lengths other than -1 are malformed.
    rejectFast(handshake, Buffer.from([0xff, 0xfe]), 0);
    rejectFast(sasl, int32(-2), 0);
  });

  it('a huge tagged-field count or size', () => {
    // ApiVersions v3 request: two compact strings then the tagged section.
    const codec = new MessageCodec(api('ApiVersions').request);
    rejectFast(codec, Buffer.from([0x01, 0x01, 0xff, 0xff, 0xff, 0xff, 0x0f]), 3);
    rejectFast(codec, Buffer.from([0x01, 0x01, 0x01, 0x05, 0xff, 0xff, 0xff, 0xff, 0x0f]), 3);
  });

  it('varints longer than 5 bytes', () => {
    const codec = new MessageCodec(api('ApiVersions').request);
    rejectFast(codec, Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 3);
  });
});

describe('FrameDecoder', () => {
  const frameOf = (body: Buffer) => {
    const b = Buffer.alloc(4 + body.length);
    b.writeInt32BE(body.length, 0);
    body.copy(b, 4);
    return b;
  };

  it('yields exactly the frames of a stream, however it is chunked', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u)), { maxLength: 12 }),
        fc.array(fc.nat(), { maxLength: 30 }),
        (bodies, cutSeeds) => {
          const stream = Buffer.concat(bodies.map(frameOf));
          const cuts = [...new Set(cutSeeds.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort((a, b) => a - b);
          const dec = new FrameDecoder(1024);
          const out: Buffer[] = [];
          let prev = 0;
          for (const cut of [...cuts, stream.length]) {
            // Chunks are copies (like socket reads), and empty chunks are allowed.
            for (const f of dec.push(Buffer.from(stream.subarray(prev, cut)))) out.push(Buffer.from(f));
            prev = cut;
          }
          expect(out).toEqual(bodies);
          expect(dec.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('one byte at a time', () => {
    const bodies = [Buffer.from('hello'), Buffer.alloc(0), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8, 9])];
    const stream = Buffer.concat(bodies.map(frameOf));
    const dec = new FrameDecoder(100);
    const out: Buffer[] = [];
    for (let i = 0; i < stream.length; i++) out.push(...dec.push(stream.subarray(i, i + 1)).map((f) => Buffer.from(f)));
    expect(out).toEqual(bodies);
  });

  it('accepts a frame of exactly the maximum size', () => {
    const dec = new FrameDecoder(16);
    expect(dec.push(frameOf(Buffer.alloc(16, 7)))).toEqual([Buffer.alloc(16, 7)]);
  });

  it.each([
    ['max + 1', 1025],
    ['2^31 - 1', 0x7fffffff],
    ['-1', -1],
    ['-2^31', -0x80000000],
  ])('rejects a size of %s as soon as the 4 size bytes arrived, without the body', (_label, size) => {
    const header = Buffer.alloc(4);
    header.writeInt32BE(size, 0);
    const dec = new FrameDecoder(1024);
    // A complete frame first: it is still delivered.
    expect(dec.push(frameOf(Buffer.from('ok')))).toEqual([Buffer.from('ok')]);
    for (let i = 0; i < 3; i++) expect(dec.push(header.subarray(i, i + 1))).toEqual([]);
    let err: unknown;
    try {
      dec.push(header.subarray(3, 4));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FrameTooLargeError);
    expect((err as FrameTooLargeError).size).toBe(size);
    expect((err as FrameTooLargeError).limit).toBe(1024);
    expect(dec.bufferedBytes).toBeLessThanOrEqual(4);
  });

  it('rejects an oversized size that arrives together with other frames in one chunk', () => {
    const bad = Buffer.alloc(4);
    bad.writeInt32BE(2000, 0);
    const dec = new FrameDecoder(1024);
    expect(() => dec.push(Buffer.concat([frameOf(Buffer.from('a')), bad, Buffer.alloc(10)]))).toThrow(FrameTooLargeError);
  });
});
