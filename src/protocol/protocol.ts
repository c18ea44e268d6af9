/**
 * Request and response framing on top of the generic codec: which header version an (API key,
 * version) pair uses, decoding a request frame, encoding a response frame. Still pure: no sockets.
 */
import { MessageCodec, type Struct } from './codec.js';
import { RequestHeader as RequestHeaderSpec, ResponseHeader as ResponseHeaderSpec } from './messages/headers.js';
import { ALL_APIS } from './messages/index.js';
import { DecodeError, Reader } from './reader.js';
import type { ApiSpec } from './schema.js';
import { Writer } from './writer.js';

export const API_VERSIONS_KEY = 18;

export interface ApiCodecs {
  spec: ApiSpec;
  request: MessageCodec;
  response: MessageCodec;
}

const codecsByKey = new Map<number, ApiCodecs>(
  ALL_APIS.map((spec) => [spec.apiKey, { spec, request: new MessageCodec(spec.request), response: new MessageCodec(spec.response) }]),
);

export function apiCodecs(apiKey: number): ApiCodecs | undefined {
  return codecsByKey.get(apiKey);
}

const requestHeaderCodec = new MessageCodec(RequestHeaderSpec);
const responseHeaderCodec = new MessageCodec(ResponseHeaderSpec);

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** The first eight bytes of any request, readable even when the API or version is unknown. */
export function peekRequestIds(frame: Buffer): { apiKey: number; apiVersion: number; correlationId: number } {
  const r = new Reader(frame);
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  return { apiKey, apiVersion, correlationId };
}

/** Request header v2 for flexible request versions, v1 otherwise. */
export function requestHeaderVersion(codecs: ApiCodecs, apiVersion: number): number {
  return codecs.request.isFlexible(apiVersion) ? 2 : 1;
}

/** Response header v1 for flexible versions, v0 otherwise; ApiVersions always v0 (clients parse it before they know). */
export function responseHeaderVersion(apiKey: number, flexible: boolean): number {
  if (apiKey === API_VERSIONS_KEY) return 0;
  return flexible ? 1 : 0;
}

export interface DecodedRequest {
  header: RequestHeader;
  body: Struct;
}

/**
 * Decodes a request frame whose API and version are known to be served. Any malformation is a
 * DecodeError; trailing bytes after the body are not (see below).
 */
export function decodeRequest(frame: Buffer, codecs: ApiCodecs, apiVersion: number): DecodedRequest {
  const r = new Reader(frame);
  const h = requestHeaderCodec.read(r, requestHeaderVersion(codecs, apiVersion));
  const body = codecs.request.read(r, apiVersion);
  // Bytes after the body are ignored, as Kafka's brokers ignore them: librdkafka 2.1x sends three extra
  // bytes after a Metadata v13 request, and a broker that refused them would lock those clients out.
  return {
    header: { apiKey: h.requestApiKey, apiVersion: h.requestApiVersion, correlationId: h.correlationId, clientId: h.clientId },
    body,
  };
}

/** Encodes the size-prefixed response frame as a list of chunks ready for the socket. */
export function encodeResponse(
  codec: MessageCodec,
  apiKey: number,
  apiVersion: number,
  correlationId: number,
  body: Struct,
): Buffer[] {
  const w = new Writer(512);
  w.int32(0); // size, patched below
  responseHeaderCodec.write(w, responseHeaderVersion(apiKey, codec.isFlexible(apiVersion)), { correlationId });
  codec.write(w, apiVersion, body);
  const size = w.length - 4;
  const chunks = w.chunks();
  chunks[0]!.writeInt32BE(size, 0);
  return chunks;
}

/** Encodes a request frame (clients, tests and the benchmark use this). */
export function encodeRequest(header: RequestHeader, body: Struct): Buffer {
  const codecs = apiCodecs(header.apiKey);
  if (!codecs) throw new Error(`unknown api key ${header.apiKey}`);
  const w = new Writer(256);
  w.int32(0);
  requestHeaderCodec.write(w, requestHeaderVersion(codecs, header.apiVersion), {
    requestApiKey: header.apiKey,
    requestApiVersion: header.apiVersion,
    correlationId: header.correlationId,
    clientId: header.clientId,
  });
  codecs.request.write(w, header.apiVersion, body);
  const buf = w.toBuffer();
  buf.writeInt32BE(buf.length - 4, 0);
  return buf;
}

/** Decodes a response frame body (without size prefix); for clients and tests. */
export function decodeResponse(frame: Buffer, apiKey: number, apiVersion: number): { correlationId: number; body: Struct } {
  const codecs = apiCodecs(apiKey);
  if (!codecs) throw new Error(`unknown api key ${apiKey}`);
  const r = new Reader(frame);
  const h = responseHeaderCodec.read(r, responseHeaderVersion(apiKey, codecs.response.isFlexible(apiVersion)));
  const body = codecs.response.read(r, apiVersion);
  if (r.remaining !== 0) throw new DecodeError(`${r.remaining} trailing bytes after response`);
  return { correlationId: h.correlationId, body };
}
