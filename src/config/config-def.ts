/**
 * What a config value is, the way Kafka's ConfigDef sees it: a type, an optional validator, and the
 * parsing rules and error texts that go with them. Broker and topic configs share this, so a bad value
 * is refused with the same words Kafka uses ("Invalid value abc for configuration retention.ms: Not a
 * number of type LONG").
 */

export type ConfigType = 'boolean' | 'short' | 'int' | 'long' | 'double' | 'string' | 'list' | 'password' | 'class';

/** A parsed value: numbers for short/int/double, bigint for long, string[] for list. */
export type ConfigValue = boolean | number | bigint | string | readonly string[] | null;

/** Returns why a parsed value is not acceptable (Kafka's wording), or null when it is. */
export interface Validator {
  check(value: ConfigValue): string | null;
  /** How Kafka's documentation describes the valid values, e.g. "[1,...]". */
  readonly describe: string;
}

/** A broker config: Kafka's name, type and default (broker-config.ts and broker-config-kafka.ts list them). */
export interface ConfigDefinition {
  name: string;
  type: ConfigType;
  /** Kafka's default as Kafka reports it, or null when it has none. */
  defaultValue: string | null;
  documentation: string;
  /** Whether kpg acts on it; the rest are accepted and reported for compatibility. */
  honoured: boolean;
  /** Whether AlterConfigs may change it at runtime (see broker-config-kafka.ts); read-only otherwise. */
  dynamic?: boolean;
  validator?: Validator;
}

/** DescribeConfigs ConfigType ids (DescribeConfigsResponse.ConfigType). */
const CONFIG_TYPE_IDS: Record<ConfigType, number> = {
  boolean: 1,
  string: 2,
  int: 3,
  short: 4,
  long: 5,
  double: 6,
  list: 7,
  class: 8,
  password: 9,
};

export function configTypeId(type: ConfigType | undefined): number {
  return type === undefined ? 0 : CONFIG_TYPE_IDS[type];
}

/** DescribeConfigs / CreateTopics config source ids (DescribeConfigsResponse.ConfigSource). */
export const ConfigSourceId = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export class ConfigValueError extends Error {}

function invalid(name: string, raw: unknown, reason: string): ConfigValueError {
  return new ConfigValueError(`Invalid value ${String(raw)} for configuration ${name}: ${reason}`);
}

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT16_MIN = -32768;
const INT16_MAX = 32767;
export const LONG_MAX = 9223372036854775807n;
const LONG_MIN = -9223372036854775808n;

/** Java's Integer.parseInt / Long.parseLong accept an optional sign and decimal digits, nothing else. */
const INTEGER_TEXT = /^[+-]?\d+$/;

function parseInteger(text: string, min: bigint, max: bigint): bigint | null {
  if (!INTEGER_TEXT.test(text)) return null;
  const n = BigInt(text);
  return n < min || n > max ? null : n;
}

/** Java's Double.parseDouble, close enough: decimal and exponent forms, NaN and Infinity. */
function parseDouble(text: string): number | null {
  if (/^[+-]?(NaN|Infinity)$/.test(text)) return Number(text.replace(/^\+/, ''));
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[fFdD]?$/.test(text)) return null;
  return Number(text.replace(/[fFdD]$/, ''));
}

/**
 * Parses a config value given as text, as ConfigDef.parseType does (surrounding whitespace is ignored),
 * then applies the validator. Throws ConfigValueError with Kafka's message.
 */
export function parseConfigValue(name: string, type: ConfigType, raw: string, validator?: Validator): ConfigValue {
  const trimmed = raw.trim();
  let value: ConfigValue;
  switch (type) {
    case 'boolean': {
      const lower = trimmed.toLowerCase();
      if (lower !== 'true' && lower !== 'false') throw invalid(name, raw, 'Expected value to be either true or false');
      value = lower === 'true';
      break;
    }
    case 'short': {
      const n = parseInteger(trimmed, BigInt(INT16_MIN), BigInt(INT16_MAX));
      if (n === null) throw invalid(name, raw, 'Not a number of type SHORT');
      value = Number(n);
      break;
    }
    case 'int': {
      const n = parseInteger(trimmed, BigInt(INT32_MIN), BigInt(INT32_MAX));
      if (n === null) throw invalid(name, raw, 'Not a number of type INT');
      value = Number(n);
      break;
    }
    case 'long': {
      const n = parseInteger(trimmed, LONG_MIN, LONG_MAX);
      if (n === null) throw invalid(name, raw, 'Not a number of type LONG');
      value = n;
      break;
    }
    case 'double': {
      const n = parseDouble(trimmed);
      if (n === null) throw invalid(name, raw, 'Not a number of type DOUBLE');
      value = n;
      break;
    }
    case 'list':
      value = trimmed === '' ? [] : trimmed.split(/\s*,\s*/);
      break;
    case 'password':
      value = raw;
      break;
    case 'string':
    case 'class':
      value = trimmed;
      break;
  }
  if (validator) {
    // A list is checked element by element, and the message names the element (ConfigDef.ValidList).
    const reason = validator.check(value);
    if (reason !== null) throw invalid(name, offendingText(value, validator), reason);
  }
  return value;
}

function offendingText(value: ConfigValue, validator: Validator): string {
  if (Array.isArray(value)) {
    const bad = (value as string[]).find((v) => validator.check([v]) !== null);
    return bad ?? `[${value.join(', ')}]`;
  }
  return String(value);
}

/** The canonical text of a parsed value (ConfigDef.convertToString). */
export function formatConfigValue(value: ConfigValue): string | null {
  if (value === null) return null;
  if (Array.isArray(value)) return value.join(',');
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  if (typeof value === 'number') return javaDouble(value);
  return String(value);
}

/** Doubles print as Java prints them: "0.5", "1.0E-4", "1.7976931348623157E308". */
function javaDouble(n: number): string {
  if (!Number.isFinite(n)) return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
  const abs = Math.abs(n);
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mantissa, exponent] = n.toExponential().split('e');
  const m = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

/** Normalises a value given as text to its canonical text, validating it on the way. */
export function normaliseConfigValue(name: string, type: ConfigType, raw: string, validator?: Validator): string {
  if (type === 'password') {
    parseConfigValue(name, type, raw, validator);
    return raw;
  }
  return formatConfigValue(parseConfigValue(name, type, raw, validator))!;
}

const asBig = (v: ConfigValue): bigint | null =>
  typeof v === 'bigint' ? v : typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : null;

function compare(v: ConfigValue, bound: number | bigint): number {
  const big = asBig(v);
  if (big !== null && (typeof bound === 'bigint' || Number.isInteger(bound))) {
    const b = BigInt(bound);
    return big < b ? -1 : big > b ? 1 : 0;
  }
  const n = Number(v);
  const b = Number(bound);
  return n < b ? -1 : n > b ? 1 : 0;
}

/** ConfigDef.Range.atLeast */
export function atLeast(min: number | bigint): Validator {
  return {
    describe: `[${min},...]`,
    check: (v) => (v === null || compare(v, min) >= 0 ? null : `Value must be at least ${min}`),
  };
}

/** ConfigDef.Range.between */
export function between(min: number | bigint, max: number | bigint): Validator {
  return {
    describe: `[${min},...,${max}]`,
    check: (v) => {
      if (v === null) return null;
      if (compare(v, min) < 0) return `Value must be at least ${min}`;
      if (compare(v, max) > 0) return `Value must be no more than ${max}`;
      return null;
    },
  };
}

/** ConfigDef.ValidString.in (case-sensitive) */
export function oneOf(...allowed: string[]): Validator {
  return {
    describe: `[${allowed.join(', ')}]`,
    check: (v) => (v === null || allowed.includes(String(v)) ? null : `String must be one of: ${allowed.join(', ')}`),
  };
}

/** ConfigDef.ValidList.in: every element must be one of `allowed`. */
export function listOf(...allowed: string[]): Validator {
  return {
    describe: `[${allowed.join(', ')}]`,
    check: (v) => {
      for (const item of (v as readonly string[] | null) ?? []) {
        if (!allowed.includes(item)) return `String must be one of: ${allowed.join(', ')}`;
      }
      return null;
    },
  };
}

/** gzip levels: 1-9, or -1 for the codec's default. */
export function gzipLevel(): Validator {
  return {
    describe: '[1,...,9] or -1',
    check: (v) => {
      const n = Number(v);
      return n === -1 || (n >= 1 && n <= 9) ? null : 'Value must be between 1 and 9, or -1';
    },
  };
}

/** Kafka's replica throttle lists: "*" or partition:broker pairs. */
export function throttledReplicaList(): Validator {
  return {
    describe: '[partitionId]:[brokerId],[partitionId]:[brokerId],...',
    check: (v) => {
      const items = (v as readonly string[] | null) ?? [];
      if (items.length === 1 && items[0] === '*') return null;
      if (items.every((item) => /^\d+:\d+$/.test(item))) return null;
      return 'Must be the wildcard (*) or of format [partitionId]:[brokerId],[partitionId]:[brokerId],...';
    },
  };
}
