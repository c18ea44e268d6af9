/**
 * Generates TypeScript interfaces for every message from the declarative specs, so handlers are
 * type-checked against the same definitions the codec runs on. The output is committed as
 * src/protocol/messages/types.ts; `npm run gen:types` rewrites it and a test fails when it is stale.
 *
 * Requests are typed with every field required (the decoder fills absent ones with defaults);
 * responses with every field optional (the encoder writes defaults for what a handler leaves out).
 */
import type { ApiSpec, FieldSpec, MessageSpec } from './schema.js';
import { camelCaseName } from './schema.js';

const PRIMITIVE_TS: Record<string, string> = {
  bool: 'boolean',
  int8: 'number',
  int16: 'number',
  uint16: 'number',
  int32: 'number',
  uint32: 'number',
  int64: 'bigint',
  float64: 'number',
  string: 'string',
  bytes: 'Buffer',
  records: 'Buffer',
  uuid: 'string',
};

export function generateTypes(apis: readonly ApiSpec[]): string {
  const out: string[] = [
    '// Generated from the message specs by src/protocol/typegen.ts (npm run gen:types). Do not edit.',
    '',
  ];
  for (const api of apis) {
    for (const message of [api.request, api.response]) out.push(...messageTypes(message));
  }
  return out.join('\n') + '\n';
}

function messageTypes(message: MessageSpec): string[] {
  const optional = message.type === 'response';
  const emitted: string[] = [];
  const structs = new Map((message.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const seen = new Set<string>();

  const emitInterface = (name: string, fields: FieldSpec[]): void => {
    if (seen.has(name)) return;
    seen.add(name);
    const lines = [`export interface ${name} {`];
    for (const f of fields) {
      const q = optional ? '?' : '';
      lines.push(`  ${camelCaseName(f.name)}${q}: ${fieldType(f)};`);
    }
    lines.push('}', '');
    emitted.push(...lines);
  };

  const fieldType = (f: FieldSpec): string => {
    const isArray = f.type.startsWith('[]');
    const elem = isArray ? f.type.slice(2) : f.type;
    let ts: string;
    if (PRIMITIVE_TS[elem]) {
      ts = PRIMITIVE_TS[elem]!;
      // Records may be handed to the encoder as stored batches back to back.
      if (elem === 'records' && optional) ts = 'Buffer | Buffer[]';
    } else {
      // Kafka often names structs after their message already (MetadataResponseTopic).
      const structName = elem.startsWith(message.name) ? elem : message.name + elem;
      const fields = f.fields ?? structs.get(elem);
      if (!fields) throw new Error(`${message.name}: no struct ${elem}`);
      emitInterface(structName, fields);
      ts = structName;
    }
    if (isArray) ts = ts.includes('|') ? `(${ts})[]` : `${ts}[]`;
    if (f.nullableVersions !== undefined && f.nullableVersions !== 'none') ts += ' | null';
    return ts;
  };

  emitInterface(message.name, message.fields);
  // The top-level interface first, then the structs it uses, for readability.
  const topEnd = emitted.indexOf('', 0);
  const top = emitted.slice(0, topEnd + 1);
  const rest = emitted.slice(topEnd + 1);
  return rest.length ? [...rest, ...top] : top;
}
