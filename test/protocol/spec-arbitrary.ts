/**
 * Spec-driven value generation for the protocol tests. Everything here reads the declarative
 * MessageSpec directly (not the compiled codec), so it is an independent oracle for the codec:
 * which fields exist in a version, which are tagged, which may be null, and what Kafka's default
 * for an unset tagged field is.
 */
import fc from 'fast-check';
import type { Struct } from '../../src/protocol/codec.js';
import {
  camelCaseName,
  inVersionRange,
  parseVersionRange,
  type FieldSpec,
  type MessageSpec,
} from '../../src/protocol/schema.js';

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function versionsOf(spec: MessageSpec): number[] {
  const { min, max } = parseVersionRange(spec.validVersions);
  const out: number[] = [];
  for (let v = min; v <= max; v++) out.push(v);
  return out;
}

/** How one field looks in one version of a message. */
interface FieldView {
  spec: FieldSpec;
  key: string;
  present: boolean;
  tagged: boolean;
  nullable: boolean;
  /** Whether this field uses compact (flexible) encodings; also what nested structs inherit. */
  flexible: boolean;
}

function structFields(message: MessageSpec, f: FieldSpec, type: string): FieldSpec[] {
  const fields = f.fields ?? message.commonStructs?.find((s) => s.name === type)?.fields;
  if (!fields) throw new Error(`${message.name}: no fields for struct ${type}`);
  return fields;
}

function view(fields: FieldSpec[], version: number, flexible: boolean): FieldView[] {
  return fields.map((f) => {
    const present = inVersionRange(f.versions, version);
    return {
      spec: f,
      key: camelCaseName(f.name),
      present,
      tagged: flexible && present && inVersionRange(f.taggedVersions, version),
      nullable: inVersionRange(f.nullableVersions, version),
      flexible: f.flexibleVersions === undefined ? flexible : inVersionRange(f.flexibleVersions, version),
    };
  });
}

const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
]);

// ---------------------------------------------------------------------------------------------
// Arbitraries

export interface GenOptions {
  /** Largest array generated (default 3). */
  maxArray?: number;
  /** Allow records payloads above the writer's zero-copy threshold (default true). */
  bigRecords?: boolean;
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const uuidArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(ZERO_UUID),
  fc.uuid(),
  fc.uint8Array({ minLength: 16, maxLength: 16 }).map((b) => {
    const h = hex(b);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }),
);

export const stringArb: fc.Arbitrary<string> = fc.oneof(
  fc.constant(''),
  fc.string({ maxLength: 12 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
  // Any code point, including astral ones (4-byte UTF-8) but no lone surrogates.
  fc.string({ unit: 'binary', maxLength: 6 }),
);

const bytesArb: fc.Arbitrary<Buffer> = fc.uint8Array({ maxLength: 24 }).map((b) => Buffer.from(b));

function primitiveArb(type: string, opts: GenOptions): fc.Arbitrary<unknown> {
  switch (type) {
    case 'bool':
      return fc.boolean();
    case 'int8':
      return fc.integer({ min: -128, max: 127 });
    case 'int16':
      return fc.integer({ min: -32768, max: 32767 });
    case 'uint16':
      return fc.integer({ min: 0, max: 65535 });
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'uint32':
      return fc.integer({ min: 0, max: 4294967295 });
    case 'int64':
      return fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
    case 'float64':
      return fc.double({ noNaN: true });
    case 'string':
      return stringArb;
    case 'bytes':
      return bytesArb;
    case 'records':
      return opts.bigRecords === false
        ? bytesArb
        : fc.oneof(
            { weight: 4, arbitrary: bytesArb },
            // Above the writer's 1 KiB zero-copy threshold: exercises the chunked output path.
            { weight: 1, arbitrary: fc.uint8Array({ minLength: 1024, maxLength: 1300 }).map((b) => Buffer.from(b)) },
          );
    case 'uuid':
      return uuidArb;
    default:
      throw new Error(`unknown primitive ${type}`);
  }
}

function typeArb(message: MessageSpec, f: FieldSpec, type: string, version: number, flexible: boolean, opts: GenOptions): fc.Arbitrary<unknown> {
  if (type.startsWith('[]')) {
    const elem = typeArb(message, f, type.slice(2), version, flexible, opts);
    return fc.array(elem, { maxLength: opts.maxArray ?? 3 });
  }
  if (PRIMITIVES.has(type)) return primitiveArb(type, opts);
  return structArb(message, structFields(message, f, type), version, flexible, opts);
}

function fieldArb(message: MessageSpec, fv: FieldView, version: number, opts: GenOptions): fc.Arbitrary<unknown> {
  const base = typeArb(message, fv.spec, fv.spec.type, version, fv.flexible, opts);
  return fv.nullable ? fc.oneof({ weight: 3, arbitrary: base }, { weight: 1, arbitrary: fc.constant(null) }) : base;
}

const UNSET = Symbol('unset');

function structArb(message: MessageSpec, fields: FieldSpec[], version: number, flexible: boolean, opts: GenOptions): fc.Arbitrary<Struct> {
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const fv of view(fields, version, flexible)) {
    if (!fv.present) continue;
    const arb = fieldArb(message, fv, version, opts);
    // Tagged fields are set about half of the time; unset ones are left out of the object.
    model[fv.key] = fv.tagged ? fc.oneof(fc.constant(UNSET), arb) : arb;
  }
  return fc.record(model).map((r) => {
    const out: Struct = {};
    for (const [k, v] of Object.entries(r)) if (v !== UNSET) out[k] = v;
    return out;
  });
}

/** Values for every field present in `version` of `message` (tagged fields sometimes unset). */
export function messageArb(message: MessageSpec, version: number, opts: GenOptions = {}): fc.Arbitrary<Struct> {
  return structArb(message, message.fields, version, inVersionRange(message.flexibleVersions, version), opts);
}

// ---------------------------------------------------------------------------------------------
// Kafka's defaults and the "present fields" projection

/**
 * Kafka's default for a field, from the spec alone (as Kafka's generated Java classes define it: one
 * default per field, whatever the version). `default: null` is only legal for a field that is
 * nullable in some version, so a field absent from `version` keeps a null default too.
 */
export function kafkaDefault(message: MessageSpec, f: FieldSpec, version: number, flexible: boolean): unknown {
  const nullable = inVersionRange(f.versions, version)
    ? inVersionRange(f.nullableVersions, version)
    : f.nullableVersions !== undefined && f.nullableVersions !== 'none';
  const d = f.default;
  if (f.type.startsWith('[]')) return nullable && d === null ? null : [];
  switch (f.type) {
    case 'bool':
      return d === true || d === 'true';
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64':
      return d === undefined || d === null ? 0 : typeof d === 'string' && d.startsWith('0x') ? parseInt(d, 16) : Number(d);
    case 'int64':
      return d === undefined || d === null ? 0n : BigInt(d as string | number | bigint);
    case 'uuid':
      return ZERO_UUID;
    case 'string':
      return nullable && d === null ? null : typeof d === 'string' ? d : '';
    case 'bytes':
      return nullable && d === null ? null : Buffer.alloc(0);
    case 'records':
      return nullable ? null : Buffer.alloc(0);
    default: {
      if (nullable && d === null) return null;
      const out: Struct = {};
      for (const fv of view(structFields(message, f, f.type), version, flexible)) {
        out[fv.key] = kafkaDefault(message, fv.spec, version, fv.flexible);
      }
      return out;
    }
  }
}

/**
 * Keeps only the fields present in `version`, recursively; an unset tagged field becomes Kafka's
 * default. Applied to a generated input it gives what decoding must return for those fields.
 */
export function presentFields(message: MessageSpec, version: number, value: Struct): Struct {
  return projectStruct(message, message.fields, version, inVersionRange(message.flexibleVersions, version), value);
}

function projectStruct(message: MessageSpec, fields: FieldSpec[], version: number, flexible: boolean, value: Struct): Struct {
  const out: Struct = {};
  for (const fv of view(fields, version, flexible)) {
    if (!fv.present) continue;
    let v = value[fv.key];
    if (v === undefined && fv.tagged) v = kafkaDefault(message, fv.spec, version, fv.flexible);
    out[fv.key] = projectValue(message, fv.spec, fv.spec.type, version, fv.flexible, v);
  }
  return out;
}

function projectValue(message: MessageSpec, f: FieldSpec, type: string, version: number, flexible: boolean, v: unknown): unknown {
  if (v === null || v === undefined) return v;
  if (type.startsWith('[]')) {
    return (v as unknown[]).map((e) => projectValue(message, f, type.slice(2), version, flexible, e));
  }
  if (PRIMITIVES.has(type)) return v;
  return projectStruct(message, structFields(message, f, type), version, flexible, v as Struct);
}

/**
 * Every key a decoded struct must carry (present and absent fields alike, so handlers see one
 * shape across versions), checked recursively through present nested structs. Returns the paths
 * that are missing or unexpected.
 */
export function shapeProblems(message: MessageSpec, version: number, decoded: Struct): string[] {
  const problems: string[] = [];
  checkShape(message, message.fields, version, inVersionRange(message.flexibleVersions, version), decoded, message.name, problems);
  return problems;
}

function checkShape(message: MessageSpec, fields: FieldSpec[], version: number, flexible: boolean, value: Struct, path: string, problems: string[]): void {
  const views = view(fields, version, flexible);
  const expected = new Set(views.map((fv) => fv.key));
  for (const k of expected) if (!(k in value)) problems.push(`${path}.${k} missing`);
  for (const k of Object.keys(value)) if (!expected.has(k)) problems.push(`${path}.${k} unexpected`);
  for (const fv of views) {
    if (!fv.present) {
      // Absent fields carry Kafka's default.
      const want = kafkaDefault(message, fv.spec, version, false);
      if (!sameValue(value[fv.key], want)) {
        problems.push(`${path}.${fv.key} (absent in v${version}) is ${show(value[fv.key])}, Kafka's default is ${show(want)}`);
      }
      continue;
    }
    const v = value[fv.key];
    const elemType = fv.spec.type.startsWith('[]') ? fv.spec.type.slice(2) : fv.spec.type;
    if (PRIMITIVES.has(elemType) || v === null || v === undefined) continue;
    const sub = structFields(message, fv.spec, elemType);
    const items = fv.spec.type.startsWith('[]') ? (v as Struct[]) : [v as Struct];
    items.forEach((item, i) => checkShape(message, sub, version, fv.flexible, item, `${path}.${fv.key}[${i}]`, problems));
  }
}

function show(v: unknown): string {
  return typeof v === 'bigint' ? `${v}n` : Buffer.isBuffer(v) ? `<Buffer ${v.toString('hex')}>` : JSON.stringify(v);
}

/** Deep equality for decoded values (bigints, Buffers, arrays, plain objects). */
function sameValue(a: unknown, b: unknown): boolean {
  if (Buffer.isBuffer(a) || Buffer.isBuffer(b)) return Buffer.isBuffer(a) && Buffer.isBuffer(b) && a.equals(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => sameValue(x, b[i]));
  }
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object);
    const kb = Object.keys(b as object);
    return ka.length === kb.length && ka.every((k) => sameValue((a as Struct)[k], (b as Struct)[k]));
  }
  return Object.is(a, b);
}
