/**
 * Spec-driven round trips: for every API, both directions and every valid version, generated values
 * encode, decode back to the same values (for the fields that exist in that version) and re-encode
 * to identical bytes, both through MessageCodec and through the framed request/response helpers.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MessageCodec, type Struct } from '../../src/protocol/codec.js';
import { ALL_APIS } from '../../src/protocol/messages/index.js';
import {
  apiCodecs,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  type RequestHeader,
} from '../../src/protocol/protocol.js';
import { messageArb, presentFields, shapeProblems, stringArb, versionsOf } from './spec-arbitrary.js';

const NUM_RUNS = 25;

const headerArb = (apiKey: number, apiVersion: number): fc.Arbitrary<RequestHeader> =>
  fc.record({
    apiKey: fc.constant(apiKey),
    apiVersion: fc.constant(apiVersion),
    correlationId: fc.integer({ min: -2147483648, max: 2147483647 }),
    clientId: fc.option(stringArb, { nil: null }),
  });

const concat = (chunks: Buffer[]) => Buffer.concat(chunks);

describe('spec-driven round trips', () => {
  it('covers all 37 APIs', () => {
    expect(ALL_APIS).toHaveLength(37);
    expect(new Set(ALL_APIS.map((a) => a.apiKey)).size).toBe(37);
  });

  for (const api of ALL_APIS) {
    describe(`${api.name} (key ${api.apiKey})`, () => {
      for (const kind of ['request', 'response'] as const) {
        const spec = api[kind];
        const codec = new MessageCodec(spec);
        for (const version of versionsOf(spec)) {
          it(`${kind} v${version}: decode(encode(x)) = x and re-encoding is byte-identical`, () => {
            fc.assert(
              fc.property(messageArb(spec, version), (value) => {
                const bytes = codec.encode(version, value);
                const decoded = codec.decode(bytes, version);
                expect(presentFields(spec, version, decoded)).toEqual(presentFields(spec, version, value));
                expect(shapeProblems(spec, version, decoded)).toEqual([]);
                expect(codec.encode(version, decoded).equals(bytes)).toBe(true);
              }),
              { numRuns: NUM_RUNS },
            );
          });

          it(`${kind} v${version}: defaults encode and decode`, () => {
            const defaults = codec.defaults(version);
            expect(shapeProblems(spec, version, defaults)).toEqual([]);
            const bytes = codec.encode(version, defaults);
            const decoded = codec.decode(bytes, version);
            expect(decoded).toEqual(defaults);
            expect(codec.encode(version, decoded).equals(bytes)).toBe(true);
            // An empty object means "everything at its default": same bytes.
            expect(codec.encode(version, {}).equals(bytes)).toBe(true);
          });

          if (kind === 'request') {
            it(`request v${version}: framed encodeRequest/decodeRequest round trip`, () => {
              const codecs = apiCodecs(api.apiKey)!;
              fc.assert(
                fc.property(headerArb(api.apiKey, version), messageArb(spec, version, { bigRecords: false }), (header, body) => {
                  const frame = encodeRequest(header, body);
                  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
                  const decoded = decodeRequest(frame.subarray(4), codecs, version);
                  expect(decoded.header).toEqual(header);
                  expect(presentFields(spec, version, decoded.body)).toEqual(presentFields(spec, version, body));
                  expect(encodeRequest(decoded.header, decoded.body).equals(frame)).toBe(true);
                }),
                { numRuns: 10 },
              );
            });
          } else {
            it(`response v${version}: framed encodeResponse/decodeResponse round trip`, () => {
              const codecs = apiCodecs(api.apiKey)!;
              fc.assert(
                fc.property(fc.integer({ min: -2147483648, max: 2147483647 }), messageArb(spec, version), (correlationId, body) => {
                  const frame = concat(encodeResponse(codecs.response, api.apiKey, version, correlationId, body));
                  expect(frame.readInt32BE(0)).toBe(frame.length - 4);
                  const decoded = decodeResponse(frame.subarray(4), api.apiKey, version);
                  expect(decoded.correlationId).toBe(correlationId);
                  expect(presentFields(spec, version, decoded.body)).toEqual(presentFields(spec, version, body));
                  const again = concat(encodeResponse(codecs.response, api.apiKey, version, decoded.correlationId, decoded.body));
                  expect(again.equals(frame)).toBe(true);
                }),
                { numRuns: 10 },
              );
            });
          }
        }
      }
    });
  }
});

describe('round-trip oracle sanity', () => {
  // The comparisons above must be able to fail: a changed Buffer byte, bigint or nested value is seen.
  it('presentFields comparison notices differences', () => {
    const spec = ALL_APIS.find((a) => a.name === 'Produce')!.request;
    const a: Struct = { transactionalId: null, acks: 1, timeoutMs: 5, topicData: [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1, 2]) }] }] };
    const b: Struct = structuredClone({ ...a, topicData: [] });
    b.topicData = [{ name: 't', partitionData: [{ index: 0, records: Buffer.from([1, 3]) }] }];
    expect(presentFields(spec, 3, a)).not.toEqual(presentFields(spec, 3, b));
    const fetch = ALL_APIS.find((x) => x.name === 'Fetch')!.request;
    expect(presentFields(fetch, 12, { replicaId: 1n })).not.toEqual(presentFields(fetch, 12, { replicaId: 2n }));
  });
});
