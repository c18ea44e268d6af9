/**
 * Frames captured from real clients (librdkafka via kcat, the Java AdminClient, kafka-python, ...)
 * live in test/golden/ as `<client>-<apiKey>-v<version>-<n>.req.bin` / `.resp.bin`. Every request
 * must decode with kpg and re-encode to the identical bytes; every response likewise (with the
 * response header version its API key and version call for).
 *
 * Files may hold the frame with or without its 4-byte size prefix: a leading int32 equal to the
 * rest of the file is taken as the prefix (for responses the paired request's correlation id
 * settles the rare ambiguous case).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  apiCodecs,
  decodeRequest,
  decodeResponse,
  encodeRequest,
  encodeResponse,
  peekRequestIds,
} from '../../src/protocol/protocol.js';

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
