/**
 * Frames captured from real clients (librdkafka via kcat, the Java AdminClient, kafka-python, ...)
 * live in test/golden/ as `<client>-<apiKey>-v<version>-<n>.req.bin` / `.resp.bin`. Every request
 * must decode with kpg and re-encode to the identical bytes; every response likewise (with the
 * response header version its API key and version call for).
 *
 * Files may hold the frame with or without its 4-byte size prefix: a leading int32 equal to the
 * rest of the file is taken as the prefix (for responses the paired request's correlation id
 * settles the rare ambiguous case).
 *
 * The `*-golden-` captures (the golden scenario of compat/capture-golden.sh: CreateTopics, Produce and
 * a consumer group's JoinGroup, SyncGroup, OffsetFetch, Fetch and OffsetCommit) are also checked for
 * what they say: the records kpg decodes from Produce requests and Fetch responses are the ones the
 * client sent, the group's member ids and generation carry over from JoinGroup to SyncGroup and
 * OffsetCommit, and so on.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { Struct } from '../../src/protocol/codec.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import {
  apiCodecs,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  peekRequestIds,
} from '../../src/protocol/protocol.js';
import { ZERO_UUID } from '../../src/protocol/reader.js';
import { computeBatchCrc, decodeBatchRecords, readBatchHeader, splitBatches } from '../../src/records/batch.js';

// KPG_GOLDEN_DIR points the test at another capture directory (e.g. while capturing).
const GOLDEN_DIR = process.env.KPG_GOLDEN_DIR ?? fileURLToPath(new URL('../golden/', import.meta.url));
const NAME = /^(?<client>.+)-(?<apiKey>\d+)-v(?<version>\d+)-(?<n>\d+)\.(?<kind>req|resp)\.bin$/;

interface GoldenFile {
  file: string;
  client: string;
  apiKey: number;
  version: number;
  n: string;
  kind: 'req' | 'resp';
  bytes: Buffer;
}

interface GoldenDir {
  files: GoldenFile[];
  /** `.bin` files whose names do not follow the convention. */
  misnamed: string[];
}

function loadGolden(dir: string): GoldenDir {
  const files: GoldenFile[] = [];
  const misnamed: string[] = [];
  for (const file of readdirSync(dir).sort()) {
    if (!file.endsWith('.bin')) continue;
    const m = NAME.exec(file);
    if (!m?.groups) {
      misnamed.push(file);
      continue;
    }
    files.push({
      file,
      client: m.groups.client!,
      apiKey: Number(m.groups.apiKey),
      version: Number(m.groups.version),
      n: m.groups.n!,
      kind: m.groups.kind as 'req' | 'resp',
      bytes: readFileSync(join(dir, file)),
    });
  }
  return { files, misnamed };
}

const hasSizePrefix = (b: Buffer) => b.length >= 4 && b.readInt32BE(0) === b.length - 4;
const withSizePrefix = (frame: Buffer) => {
  const size = Buffer.alloc(4);
  size.writeInt32BE(frame.length, 0);
  return Buffer.concat([size, frame]);
};

function requestFrame(g: GoldenFile): Buffer {
  // With a prefix the frame starts after it; the api key and version in the header must match the name.
  if (hasSizePrefix(g.bytes)) {
    const inner = g.bytes.subarray(4);
    if (inner.length >= 8) {
      const ids = peekRequestIds(inner);
      if (ids.apiKey === g.apiKey && ids.apiVersion === g.version) return inner;
    }
  }
  return g.bytes;
}

function responseFrame(g: GoldenFile, pairedCorrelationId: number | undefined): Buffer {
  if (!hasSizePrefix(g.bytes)) return g.bytes;
  const inner = g.bytes.subarray(4);
  if (pairedCorrelationId !== undefined && g.bytes.readInt32BE(0) === pairedCorrelationId && inner.readInt32BE(0) !== pairedCorrelationId) {
    return g.bytes; // the "size" was really the correlation id
  }
  return inner;
}

/** Decodes one file with kpg and checks the re-encoding is identical (throws otherwise). */
/**
 * Requests real clients send with bytes after the body, which Kafka's brokers ignore: librdkafka 2.1x
 * appends three bytes to a Metadata v13 request for all topics.
 */
const TRAILING_BYTES_QUIRKS = [{ client: 'confluent-kafka', apiKey: 3, bytes: 3 }];

function checkGolden(g: GoldenFile, all: GoldenFile[]): void {
  const codecs = apiCodecs(g.apiKey)!;
  if (g.kind === 'req') {
    const frame = requestFrame(g);
    const decoded = decodeRequest(frame, codecs, g.version);
    expect(decoded.header.apiKey).toBe(g.apiKey);
    expect(decoded.header.apiVersion).toBe(g.version);
    const again = encodeRequest(decoded.header, decoded.body);
    const original = withSizePrefix(frame);
    const extra = original.length - again.length;
    if (extra > 0 && TRAILING_BYTES_QUIRKS.some((q) => q.client === g.client && q.apiKey === g.apiKey && q.bytes === extra)) {
      // The body re-encodes identically; the client's extra bytes after it are ignored, as Kafka ignores them.
      expect(again.subarray(4).toString('hex')).toBe(original.subarray(4, original.length - extra).toString('hex'));
      return;
    }
    expect(again.toString('hex')).toBe(original.toString('hex'));
  } else {
    const req = all.find((o) => o.kind === 'req' && o.client === g.client && o.apiKey === g.apiKey && o.version === g.version && o.n === g.n);
    const pairedCorrelationId = req ? peekRequestIds(requestFrame(req)).correlationId : undefined;
    const frame = responseFrame(g, pairedCorrelationId);
    const decoded = decodeResponse(frame, g.apiKey, g.version);
    if (pairedCorrelationId !== undefined) expect(decoded.correlationId).toBe(pairedCorrelationId);
    const again = Buffer.concat(encodeResponse(codecs.response, g.apiKey, g.version, decoded.correlationId, decoded.body));
    expect(again.toString('hex')).toBe(withSizePrefix(frame).toString('hex'));
  }
}

function unsupported(g: GoldenFile): string | undefined {
  const codecs = apiCodecs(g.apiKey);
  if (!codecs) return `kpg has no spec for API key ${g.apiKey}`;
  const codec = g.kind === 'req' ? codecs.request : codecs.response;
  if (!codec.supports(g.version)) return `kpg's ${codecs.spec.name} spec has no v${g.version}`;
  return undefined;
}

describe('golden frames captured from real clients (test/golden)', () => {
  if (!existsSync(GOLDEN_DIR)) {
    it.skip('test/golden/ does not exist: no frames from real clients have been captured yet', () => {});
    return;
  }
  const { files, misnamed } = loadGolden(GOLDEN_DIR);

  it('holds captured frames, all named <client>-<apiKey>-v<version>-<n>.req.bin / .resp.bin', () => {
    expect(misnamed).toEqual([]);
    expect(files.length).toBeGreaterThan(0);
  });

  for (const g of files) {
    const reason = unsupported(g);
    if (reason) it.skip(`${g.file}: ${reason}`, () => {});
    else it(`${g.file} decodes and re-encodes identically`, () => checkGolden(g, files));
  }
});

/** The records every client's golden scenario produces (compat/clients/*: golden), uncompressed. */
const GOLDEN_RECORDS = [0, 1].map((i) => ({ key: `golden-${i}`, value: `value-${i}`, headers: [{ key: 'idx', value: `${i}` }], timestamp: 1700000000000n + BigInt(i) }));

/**
 * The golden scenario's captures: the capture prefix, the topic the client created (its group is
 * `<topic>-group`) and the version of each API it used (all flexible but librdkafka's CreateTopics v4,
 * JoinGroup v5 and SyncGroup v3, the highest it has).
 */
const GOLDEN_SCENARIO_CAPTURES = [
  { client: 'java4-golden', topic: 'golden-java4', versions: { 0: 13, 1: 18, 8: 9, 9: 9, 11: 9, 14: 5, 19: 7 } },
  { client: 'confluent-kafka-golden', topic: 'golden-confluent-kafka', versions: { 0: 10, 1: 16, 8: 9, 9: 9, 11: 5, 14: 3, 19: 4 } },
  { client: 'franz-go-golden', topic: 'golden-franz-go', versions: { 0: 13, 1: 18, 8: 9, 9: 9, 11: 9, 14: 5, 19: 7 } },
] as const;

interface Exchange {
  version: number;
  request: Struct;
  /** undefined when the client closed the connection before the answer. */
  response: Struct | undefined;
}

/** A client's requests (and responses) of one API, in the order it sent them per version. */
function exchanges(files: GoldenFile[], client: string, apiKey: number): Exchange[] {
  const requests = files.filter((f) => f.client === client && f.apiKey === apiKey && f.kind === 'req')
    .sort((a, b) => a.version - b.version || Number(a.n) - Number(b.n));
  return requests.map((req) => {
    const frame = requestFrame(req);
    const resp = files.find((f) => f.kind === 'resp' && f.client === client && f.apiKey === apiKey && f.version === req.version && f.n === req.n);
    const correlationId = peekRequestIds(frame).correlationId;
    return {
      version: req.version,
      request: decodeRequest(frame, apiCodecs(apiKey)!, req.version).body,
      response: resp && decodeResponse(responseFrame(resp, correlationId), apiKey, req.version).body,
    };
  });
}

/** Every record of a records blob, with its absolute offset, after checking each batch's CRC-32C. */
async function recordsOf(blob: Buffer): Promise<{ offset: bigint; key: string | undefined; value: string | undefined; headers: { key: string; value: string | undefined }[]; timestamp: bigint }[]> {
  const out = [];
  for (const batch of splitBatches(blob)) {
    const header = readBatchHeader(batch);
    expect(computeBatchCrc(batch)).toBe(header.crc);
    for (const r of await decodeBatchRecords(batch)) {
      out.push({
        offset: header.baseOffset + BigInt(r.offsetDelta),
        key: r.key?.toString(),
        value: r.value?.toString(),
        headers: r.headers.map((h) => ({ key: h.key, value: h.value?.toString() })),
        timestamp: header.baseTimestamp + r.timestampDelta,
      });
    }
  }
  return out;
}

const withoutOffsets = <T extends { offset: bigint }>(records: T[]) => records.map(({ offset: _offset, ...rest }) => rest);

describe('golden scenario frames say what the clients did (test/golden/*-golden-*)', () => {
  if (!existsSync(GOLDEN_DIR)) return;
  const { files } = loadGolden(GOLDEN_DIR);

  for (const { client, topic, versions } of GOLDEN_SCENARIO_CAPTURES) {
    const group = `${topic}-group`;
    describe(client, () => {
      // Each check reads what it needs from the other frames itself, so any one of them runs alone.
      // The topic id (CreateTopics v7+) that Produce v13 and Fetch v13+ address the topic by:
      const createdTopicId = (): string | undefined => {
        const [create] = exchanges(files, client, 19);
        return create && create.version >= 7 ? create.response?.topics[0]?.topicId : undefined;
      };
      // The member id and generation the second JoinGroup answered.
      const joined = (): { memberId?: string; generationId?: number } => exchanges(files, client, 11)[1]?.response ?? {};

      it('holds each API at the expected version', () => {
        const seen = Object.fromEntries(Object.keys(versions).map((k) => [k, [...new Set(exchanges(files, client, Number(k)).map((e) => e.version))]]));
        expect(seen).toEqual(Object.fromEntries(Object.entries(versions).map(([k, v]) => [k, [v]])));
      });

      it('CreateTopics: the topic with 1 partition and replication factor 1, created', () => {
        const [create] = exchanges(files, client, 19);
        expect(create!.request.topics).toMatchObject([{ name: topic, numPartitions: 1, replicationFactor: 1 }]);
        const result = create!.response!.topics[0];
        expect(result).toMatchObject({ name: topic, errorCode: ErrorCode.NONE });
        if (create!.version >= 5) expect(result).toMatchObject({ numPartitions: 1, replicationFactor: 1 });
        if (create!.version >= 7) expect(result.topicId).not.toBe(ZERO_UUID);
      });

      it('Produce: acks=all, the records the client sent (CRC-32C valid), appended at offset 0', async () => {
        const topicId = createdTopicId();
        const produced = [];
        for (const { version, request, response } of exchanges(files, client, 0)) {
          expect(request.acks).toBe(-1);
          expect(request.topicData).toHaveLength(1);
          const [data] = request.topicData;
          if (version >= 13) {
            expect(data.topicId).not.toBe(ZERO_UUID);
            if (topicId) expect(data.topicId).toBe(topicId);
          } else {
            expect(data.name).toBe(topic);
          }
          expect(data.partitionData).toHaveLength(1);
          expect(data.partitionData[0].index).toBe(0);
          produced.push(...(await recordsOf(data.partitionData[0].records)));
          expect(response!.responses[0].partitionResponses[0]).toMatchObject({ index: 0, errorCode: ErrorCode.NONE, baseOffset: 0n });
        }
        expect(withoutOffsets(produced)).toEqual(GOLDEN_RECORDS);
      });

      it('JoinGroup: MEMBER_ID_REQUIRED, then the rejoin with that id makes the one member leader', () => {
        const [first, second] = exchanges(files, client, 11);
        for (const { request } of [first!, second!]) {
          expect(request).toMatchObject({ groupId: group, protocolType: 'consumer' });
          expect(request.protocols.length).toBeGreaterThan(0);
          // each protocol's metadata is a consumer subscription naming the topic
          for (const p of request.protocols) expect((p.metadata as Buffer).includes(topic)).toBe(true);
        }
        expect(first!.request.memberId).toBe('');
        expect(first!.response!.errorCode).toBe(ErrorCode.MEMBER_ID_REQUIRED);
        const memberId = first!.response!.memberId;
        expect(memberId).toMatch(/./);
        expect(second!.request.memberId).toBe(memberId);
        expect(second!.response).toMatchObject({ errorCode: ErrorCode.NONE, leader: memberId, memberId });
        expect(second!.response!.members.map((m: Struct) => m.memberId)).toEqual([memberId]);
        expect(second!.response!.generationId).toBeGreaterThanOrEqual(1);
      });

      it('SyncGroup: the leader\'s assignment comes back verbatim', () => {
        const [sync] = exchanges(files, client, 14);
        const { memberId, generationId } = joined();
        expect(memberId).toMatch(/./);
        expect(sync!.request).toMatchObject({ groupId: group, generationId, memberId });
        expect(sync!.request.assignments.map((a: Struct) => a.memberId)).toEqual([memberId]);
        const assignment = sync!.request.assignments[0].assignment as Buffer;
        expect(assignment.includes(topic)).toBe(true);
        expect(sync!.response!.errorCode).toBe(ErrorCode.NONE);
        expect((sync!.response!.assignment as Buffer).equals(assignment)).toBe(true);
      });

      it('OffsetFetch: the group has no committed offset yet', () => {
        const [fetch] = exchanges(files, client, 9);
        expect(fetch!.request.groups).toMatchObject([{ groupId: group }]);
        const [answer] = fetch!.response!.groups;
        expect(answer).toMatchObject({ groupId: group, errorCode: ErrorCode.NONE });
        for (const t of answer.topics) for (const p of t.partitions) expect(p.committedOffset).toBe(-1n);
      });

      it('Fetch: the records produced come back at offsets 0 and 1, below a high watermark of 2', async () => {
        const topicId = createdTopicId();
        const fetched = [];
        for (const { version, request, response } of exchanges(files, client, 1)) {
          for (const t of request.topics) {
            if (version >= 13) {
              expect(t.topicId).not.toBe(ZERO_UUID);
              if (topicId) expect(t.topicId).toBe(topicId);
            } else {
              expect(t.topic).toBe(topic);
            }
          }
          expect(response?.errorCode ?? ErrorCode.NONE).toBe(ErrorCode.NONE);
          for (const t of response?.responses ?? []) {
            for (const p of t.partitions) {
              expect(p).toMatchObject({ partitionIndex: 0, errorCode: ErrorCode.NONE, highWatermark: 2n });
              if (p.records) fetched.push(...(await recordsOf(p.records)));
            }
          }
        }
        expect(fetched.map((r) => r.offset)).toEqual([0n, 1n]);
        expect(withoutOffsets(fetched)).toEqual(GOLDEN_RECORDS);
      });

      it('OffsetCommit: offset 2 committed by the member, in its generation', () => {
        const [commit] = exchanges(files, client, 8);
        const { memberId, generationId } = joined();
        expect(memberId).toMatch(/./);
        expect(commit!.request).toMatchObject({ groupId: group, generationIdOrMemberEpoch: generationId, memberId });
        expect(commit!.request.topics).toMatchObject([{ name: topic, partitions: [{ partitionIndex: 0, committedOffset: 2n }] }]);
        expect(commit!.response!.topics).toMatchObject([{ name: topic, partitions: [{ partitionIndex: 0, errorCode: ErrorCode.NONE }] }]);
      });
    });
  }
});

describe('golden-file loader (self-check on synthetic frames)', () => {
  it('finds, pairs and checks frames with and without size prefix, and notices a bad byte', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kpg-golden-'));
    try {
      const req = encodeRequest({ apiKey: 3, apiVersion: 12, correlationId: 41, clientId: 'rdkafka' }, { topics: null, allowAutoTopicCreation: false });
      const resp = Buffer.concat(encodeResponse(apiCodecs(3)!.response, 3, 12, 41, {
        brokers: [{ nodeId: 1, host: 'localhost', port: 9092, rack: null }], clusterId: 'c', controllerId: 1, topics: [],
      }));
      const av = Buffer.concat(encodeResponse(apiCodecs(18)!.response, 18, 3, 1, { apiKeys: [{ apiKey: 18, minVersion: 0, maxVersion: 4 }] }));
      writeFileSync(join(dir, 'kcat-3-v12-1.req.bin'), req); // with size prefix
      writeFileSync(join(dir, 'kcat-3-v12-1.resp.bin'), resp.subarray(4)); // without
      writeFileSync(join(dir, 'kafka-python-18-v3-1.resp.bin'), av);
      writeFileSync(join(dir, 'java-99-v0-1.req.bin'), Buffer.from([0, 99, 0, 0, 0, 0, 0, 1, 0xff, 0xff]));
      writeFileSync(join(dir, 'notes.txt'), 'ignored');
      writeFileSync(join(dir, 'bad-name.bin'), Buffer.alloc(1));

      const { files, misnamed } = loadGolden(dir);
      expect(misnamed).toEqual(['bad-name.bin']);
      expect(files.map((f) => [f.client, f.apiKey, f.version, f.kind])).toEqual([
        ['java', 99, 0, 'req'],
        ['kafka-python', 18, 3, 'resp'],
        ['kcat', 3, 12, 'req'],
        ['kcat', 3, 12, 'resp'],
      ]);
      expect(unsupported(files[0]!)).toMatch(/no spec for API key 99/);
      for (const g of files.slice(1)) {
        expect(unsupported(g)).toBeUndefined();
        checkGolden(g, files);
      }
      // A byte that still decodes but does not re-encode the same must fail the check: bool 0x02
      // (AllowAutoTopicCreation, third byte from the end of the Metadata v12 body) comes back as 0x01.
      const damaged = { ...files[2]!, bytes: Buffer.from(files[2]!.bytes) };
      damaged.bytes[damaged.bytes.length - 3] = 0x02;
      expect(() => checkGolden(damaged, files)).toThrow(/expected/);
      // And a truncated capture fails to decode.
      expect(() => checkGolden({ ...files[3]!, bytes: files[3]!.bytes.subarray(0, 10) }, files)).toThrow();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
