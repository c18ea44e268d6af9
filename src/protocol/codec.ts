/**
 * The one generic encoder/decoder. A MessageSpec is compiled once per version into a flat list of
 * field codecs (closures), so the per-message cost is a loop over prepared functions rather than a
 * walk of the schema. Decoded objects use camelCase keys; fields that do not exist in a version are
 * filled with their default so handlers see one shape across versions.
 */
import { DecodeError, Reader, ZERO_UUID } from './reader.js';
import { Writer } from './writer.js';
import {
  camelCaseName,
  inVersionRange,
  parseVersionRange,
  type FieldSpec,
  type MessageSpec,
  type StructSpec,
} from './schema.js';

/**
 * Decoded message values are plain objects; their shapes are described by the generated types.
 * `any` rather than `unknown` so handlers can read fields of a decoded struct without a cast.
 */
export type Struct = Record<string, any>;

interface ValueCodec {
  read(r: Reader): unknown;
  write(w: Writer, v: unknown): void;
}

interface CompiledField {
  key: string;
  codec: ValueCodec;
  makeDefault: () => unknown;
  isDefault: (v: unknown) => boolean;
  tag: number;
}

interface CompiledStruct {
  /** Fields present in this version and not tagged, in wire order. */
  fields: CompiledField[];
  /** Tagged fields of this version, by tag, ascending. */
  tagged: CompiledField[];
  taggedByTag: Map<number, CompiledField>;
  /** Fields absent from this version: filled with defaults on read. */
  absent: CompiledField[];
  flexible: boolean;
}

const PRIMITIVES = new Set([
  'bool', 'int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'string', 'bytes', 'records', 'uuid',
]);

export class MessageCodec {
  private readonly compiled = new Map<number, CompiledStruct>();
  private readonly structs = new Map<string, StructSpec>();
  readonly minVersion: number;
  readonly maxVersion: number;

  constructor(readonly spec: MessageSpec) {
    for (const s of spec.commonStructs ?? []) this.structs.set(s.name, s);
    const { min, max } = parseVersionRange(spec.validVersions);
    this.minVersion = min;
    this.maxVersion = max;
  }

  supports(version: number): boolean {
    return version >= this.minVersion && version <= this.maxVersion;
  }

  isFlexible(version: number): boolean {
    return inVersionRange(this.spec.flexibleVersions, version);
  }

  read(r: Reader, version: number): Struct {
    return readStruct(r, this.forVersion(version));
  }

  write(w: Writer, version: number, value: Struct): void {
    writeStruct(w, this.forVersion(version), value);
  }

  /** Encodes into a fresh Buffer (tests, small messages). */
  encode(version: number, value: Struct): Buffer {
    const w = new Writer();
    this.write(w, version, value);
    return w.toBuffer();
  }

  /** Decodes a whole buffer; trailing bytes are an error. */
  decode(buf: Buffer, version: number): Struct {
    const r = new Reader(buf);
    const v = this.read(r, version);
    if (r.remaining !== 0) throw new DecodeError(`${r.remaining} unexpected trailing bytes in ${this.spec.name} v${version}`);
    return v;
  }

  /** A value with every field of this version at its default. */
  defaults(version: number): Struct {
    return defaultStruct(this.forVersion(version));
  }

  private forVersion(version: number): CompiledStruct {
    let c = this.compiled.get(version);
    if (!c) {
      if (!this.supports(version)) throw new DecodeError(`${this.spec.name} does not support version ${version}`);
      c = this.compileStruct(this.spec.fields, version, this.isFlexible(version));
      this.compiled.set(version, c);
    }
    return c;
  }

  private compileStruct(fieldSpecs: FieldSpec[], version: number, flexible: boolean): CompiledStruct {
    const fields: CompiledField[] = [];
    const tagged: CompiledField[] = [];
    const absent: CompiledField[] = [];
    for (const f of fieldSpecs) {
      const present = inVersionRange(f.versions, version);
      const isTagged = flexible && present && inVersionRange(f.taggedVersions, version);
      const compiled = this.compileField(f, version, present ? flexible : false, present);
      if (!present) absent.push(compiled);
      else if (isTagged) tagged.push(compiled);
      else fields.push(compiled);
    }
    tagged.sort((a, b) => a.tag - b.tag);
    return { fields, tagged, taggedByTag: new Map(tagged.map((f) => [f.tag, f])), absent, flexible };
  }

  private compileField(f: FieldSpec, version: number, messageFlexible: boolean, present: boolean): CompiledField {
    const flexible = f.flexibleVersions === undefined ? messageFlexible : inVersionRange(f.flexibleVersions, version);
    // A field absent from this version is only ever filled with its default, which is Kafka's declared
    // one: `default: null` stays null (e.g. GroupInstanceId in JoinGroup v0-4, TransactionalId in
    // Produce v0-2) even though the field is not nullable in a version that does not have it.
    const nullable = present
      ? inVersionRange(f.nullableVersions, version)
      : f.nullableVersions !== undefined && f.nullableVersions !== 'none';
    const { codec, makeDefault, isDefault } = this.compileType(f, f.type, version, flexible, nullable);
    return { key: camelCaseName(f.name), codec, makeDefault, isDefault, tag: f.tag ?? -1 };
  }

  private compileType(
    f: FieldSpec,
    type: string,
    version: number,
    flexible: boolean,
    nullable: boolean,
  ): Pick<CompiledField, 'codec' | 'makeDefault' | 'isDefault'> {
    if (type.startsWith('[]')) {
      const elemType = type.slice(2);
      const elem = this.compileType(f, elemType, version, flexible, false);
      const nullDefault = f.default === null && nullable;
      const codec: ValueCodec = {
        read(r) {
          const n = r.arrayLength(flexible);
          if (n < 0) {
            if (!nullable) throw new DecodeError(`null array for non-nullable field ${f.name}`);
            return null;
          }
          const out = new Array<unknown>(n);
          for (let i = 0; i < n; i++) out[i] = elem.codec.read(r);
          return out;
        },
        write(w, v) {
          if (v === null || v === undefined) {
            w.arrayLength(nullable ? null : 0, flexible);
            return;
          }
          const arr = v as unknown[];
          w.arrayLength(arr.length, flexible);
          for (const item of arr) elem.codec.write(w, item);
        },
      };
      return {
        codec,
        makeDefault: () => (nullDefault ? null : []),
        isDefault: (v) => v === undefined || (nullDefault ? v === null : v === null || (v as unknown[]).length === 0),
      };
    }
    if (PRIMITIVES.has(type)) return primitive(f, type, flexible, nullable);
    return this.compileStructType(f, type, version, flexible, nullable);
  }

  private compileStructType(
    f: FieldSpec,
    type: string,
    version: number,
    flexible: boolean,
    nullable: boolean,
  ): Pick<CompiledField, 'codec' | 'makeDefault' | 'isDefault'> {
    const fieldSpecs = f.fields ?? this.structs.get(type)?.fields;
    if (!fieldSpecs) throw new Error(`${this.spec.name}: unknown struct type ${type} for field ${f.name}`);
    // Nested structs are flexible exactly when the message version is (they carry their own tagged section).
    const inner = this.compileStruct(fieldSpecs, version, flexible);
    const isArrayElement = f.type.startsWith('[]');
    const codec: ValueCodec = {
      read(r) {
        if (nullable && !isArrayElement) {
          if (r.int8() < 0) return null;
        }
        return readStruct(r, inner);
      },
      write(w, v) {
        if (nullable && !isArrayElement) {
          if (v === null || v === undefined) {
            w.int8(-1);
            return;
          }
          w.int8(1);
        }
        writeStruct(w, inner, (v ?? {}) as Struct);
      },
    };
    const nullDefault = nullable && f.default === null;
    // A tagged struct is left out when it equals its default, as Kafka does (`!x.equals(new X())`);
    // otherwise a decoded absent tag (filled with the default struct) would be written back.
    let defaultBytes: Buffer | undefined;
    const encodeInner = (v: Struct) => {
      const w = new Writer(64);
      writeStruct(w, inner, v);
      return w.toBuffer();
    };
    return {
      codec,
      makeDefault: () => (nullDefault ? null : defaultStruct(inner)),
      isDefault: (v) => {
        if (v === undefined) return true;
        if (v === null) return nullDefault || !nullable;
        if (nullDefault) return false;
        defaultBytes ??= encodeInner(defaultStruct(inner));
        return encodeInner(v as Struct).equals(defaultBytes);
      },
    };
  }
}

function readStruct(r: Reader, c: CompiledStruct): Struct {
  const out: Struct = {};
  for (const f of c.fields) out[f.key] = f.codec.read(r);
  for (const f of c.absent) out[f.key] = f.makeDefault();
  if (c.flexible) {
    for (const f of c.tagged) out[f.key] = f.makeDefault();
    const count = r.uvarint();
    if (count > r.remaining) throw new DecodeError(`tagged field count ${count} exceeds the bytes left`);
    let lastTag = -1;
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      if (tag <= lastTag) throw new DecodeError(`tagged fields out of order: ${tag} after ${lastTag}`);
      lastTag = tag;
      const size = r.uvarint();
      const body = r.rawBytes(size);
      const field = c.taggedByTag.get(tag);
      if (!field) continue; // unknown tags are skipped, as Kafka does
      const sub = new Reader(body);
      out[field.key] = field.codec.read(sub);
      if (sub.remaining !== 0) throw new DecodeError(`tagged field ${tag} has ${sub.remaining} trailing bytes`);
    }
  }
  return out;
}

function writeStruct(w: Writer, c: CompiledStruct, v: Struct): void {
  for (const f of c.fields) {
    const value = v[f.key];
    f.codec.write(w, value === undefined ? f.makeDefault() : value);
  }
  if (!c.flexible) return;
  const present = c.tagged.filter((f) => !f.isDefault(v[f.key]));
  w.uvarint(present.length);
  for (const f of present) {
    const body = new Writer(64);
    f.codec.write(body, v[f.key]);
    const bytes = body.toBuffer();
    w.uvarint(f.tag);
    w.uvarint(bytes.length);
    w.raw(bytes);
  }
}

function defaultStruct(c: CompiledStruct): Struct {
  const out: Struct = {};
  for (const f of c.fields) out[f.key] = f.makeDefault();
  for (const f of c.tagged) out[f.key] = f.makeDefault();
  for (const f of c.absent) out[f.key] = f.makeDefault();
  return out;
}

function primitive(
  f: FieldSpec,
  type: string,
  flexible: boolean,
  nullable: boolean,
): Pick<CompiledField, 'codec' | 'makeDefault' | 'isDefault'> {
  const d = f.default;
  switch (type) {
    case 'bool': {
      const def = d === true || d === 'true';
      return fixed((r) => r.bool(), (w, v) => w.bool(Boolean(v)), def);
    }
    case 'int8':
      return fixed((r) => r.int8(), (w, v) => w.int8(v as number), numberDefault(d));
    case 'int16':
      return fixed((r) => r.int16(), (w, v) => w.int16(v as number), numberDefault(d));
    case 'uint16':
      return fixed((r) => r.uint16(), (w, v) => w.uint16(v as number), numberDefault(d));
    case 'int32':
      return fixed((r) => r.int32(), (w, v) => w.int32(v as number), numberDefault(d));
    case 'uint32':
      return fixed((r) => r.uint32(), (w, v) => w.uint32(v as number), numberDefault(d));
    case 'float64':
      return fixed((r) => r.float64(), (w, v) => w.float64(v as number), numberDefault(d));
    case 'int64': {
      const def = d === undefined || d === null ? 0n : BigInt(d as string | number | bigint);
      return fixed((r) => r.int64(), (w, v) => w.int64(typeof v === 'bigint' ? v : BigInt(v as number)), def);
    }
    case 'uuid':
      return fixed((r) => r.uuid(), (w, v) => w.uuid(v as string), ZERO_UUID);
    case 'string': {
      const def: string | null = d === null && nullable ? null : typeof d === 'string' ? d : '';
      return {
        codec: {
          read(r) {
            const s = r.stringOrNull(flexible);
            if (s === null && !nullable) throw new DecodeError(`null string for non-nullable field ${f.name}`);
            return s;
          },
          write(w, v) {
            w.string(v === null || v === undefined ? (nullable ? null : '') : (v as string), flexible);
          },
        },
        makeDefault: () => def,
        isDefault: (v) => v === undefined || v === def,
      };
    }
    case 'bytes':
    case 'records': {
      const nullDefault = nullable && (type === 'records' || d === null);
      return {
        codec: {
          read(r) {
            const b = r.bytesOrNull(flexible);
            if (b === null && !nullable) throw new DecodeError(`null bytes for non-nullable field ${f.name}`);
            return b;
          },
          write(w, v) {
            if (v === null || v === undefined) w.bytes(nullable ? null : EMPTY, flexible);
            else w.bytes(v as Buffer | Buffer[], flexible);
          },
        },
        makeDefault: () => (nullDefault ? null : EMPTY),
        isDefault: (v) => v === undefined || v === null || (Buffer.isBuffer(v) && v.length === 0),
      };
    }
    default:
      throw new Error(`unknown primitive type ${type}`);
  }
}

const EMPTY = Buffer.alloc(0);

function numberDefault(d: FieldSpec['default']): number {
  if (d === undefined || d === null) return 0;
  if (typeof d === 'string' && d.startsWith('0x')) return parseInt(d, 16);
  return Number(d);
}

function fixed<T>(
  read: (r: Reader) => T,
  write: (w: Writer, v: unknown) => void,
  def: T,
): Pick<CompiledField, 'codec' | 'makeDefault' | 'isDefault'> {
  return {
    codec: {
      read,
      write(w, v) {
        write(w, v === undefined || v === null ? def : v);
      },
    },
    makeDefault: () => def,
    isDefault: (v) => v === undefined || v === def,
  };
}
