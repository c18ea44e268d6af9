/**
 * The declarative message schema: one object per request or response, shaped like Kafka's own
 * JSON message specs (clients/src/main/resources/common/message/*.json) so that a definition can be
 * checked line by line against the official one. The generic codec in ./codec.ts compiles these
 * into encoders and decoders per version; nothing else in kpg knows a message's byte layout.
 *
 * Field names keep Kafka's PascalCase here; decoded objects use the camelCase form
 * (`TopicName` -> `topicName`), which is what handlers see.
 */

/** A version range as Kafka writes it: "0+", "3-7", "5", or "none". */
export type VersionRange = string;

export type PrimitiveType =
  | 'bool'
  | 'int8'
  | 'int16'
  | 'uint16'
  | 'int32'
  | 'uint32'
  | 'int64'
  | 'float64'
  | 'string'
  | 'bytes'
  | 'records'
  | 'uuid';

export interface FieldSpec {
  /** Kafka's field name, PascalCase. */
  name: string;
  /**
   * A primitive, `[]primitive`, `StructName` or `[]StructName`. Struct types are defined either
   * inline by `fields` or by the message's `commonStructs`.
   */
  type: string;
  versions: VersionRange;
  nullableVersions?: VersionRange;
  /** Present when the field is a tagged field in flexible versions. */
  taggedVersions?: VersionRange;
  tag?: number;
  /** Kafka's default: a number/bigint/boolean/string, or null for nullable fields. */
  default?: number | bigint | boolean | string | null;
  /** Sub-fields when `type` is a struct or an array of structs defined inline. */
  fields?: FieldSpec[];
  /**
   * Overrides the message's flexible versions for this one field: the request header's ClientId is
   * `"none"`, so it keeps the int16-length string even in flexible header v2.
   */
  flexibleVersions?: VersionRange;
  /** Kafka marks some fields ignorable; kept for fidelity with the spec, not used by the codec. */
  ignorable?: boolean;
  /** Kafka's entityType / mapKey / about are documentation only: omitted. */
}

export interface StructSpec {
  name: string;
  versions: VersionRange;
  fields: FieldSpec[];
}

export interface MessageSpec {
  apiKey: number;
  type: 'request' | 'response';
  /** e.g. "ProduceRequest" */
  name: string;
  validVersions: VersionRange;
  flexibleVersions: VersionRange;
  fields: FieldSpec[];
  commonStructs?: StructSpec[];
}

/** A request spec and its response spec, registered together. */
export interface ApiSpec {
  apiKey: number;
  /** Kafka's API name, e.g. "Produce". */
  name: string;
  request: MessageSpec;
  response: MessageSpec;
}

export function parseVersionRange(range: VersionRange): { min: number; max: number } {
  const r = range.trim();
  if (r === 'none') return { min: 1, max: 0 };
  if (r.endsWith('+')) return { min: Number(r.slice(0, -1)), max: Number.POSITIVE_INFINITY };
  const dash = r.indexOf('-');
  if (dash >= 0) return { min: Number(r.slice(0, dash)), max: Number(r.slice(dash + 1)) };
  const v = Number(r);
  return { min: v, max: v };
}

export function inVersionRange(range: VersionRange | undefined, version: number): boolean {
  if (range === undefined) return false;
  const { min, max } = parseVersionRange(range);
  return version >= min && version <= max;
}

/** `TopicName` -> `topicName`; `ISR` style acronyms are lower-cased as a whole leading run. */
export function camelCaseName(kafkaName: string): string {
  let i = 0;
  while (i < kafkaName.length && kafkaName[i] === kafkaName[i]!.toUpperCase() && /[A-Z]/.test(kafkaName[i]!)) i++;
  if (i === 0) return kafkaName;
  // "ISRNodes" -> "isrNodes": keep the last capital of an acronym run when a lower-case letter follows.
  if (i > 1 && i < kafkaName.length && /[a-z]/.test(kafkaName[i]!)) i--;
  return kafkaName.slice(0, i).toLowerCase() + kafkaName.slice(i);
}
