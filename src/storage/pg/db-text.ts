/**
 * Strings clients send (group, member, instance and client ids, hosts, protocol names, commit metadata,
 * custom config values) may hold NUL and bytes that are not UTF-8 (kept as lone surrogates by the
 * protocol decoder, src/protocol/reader.ts). Postgres text holds neither, so such columns store an
 * escaped form: `\` is doubled, NUL and every byte that was not UTF-8 become `\xHH`, any other lone
 * surrogate `\uHHHH`. Strings without `\`, NUL or lone surrogates (nearly all of them) are stored
 * unchanged, so they read naturally in SQL; the form is reversible, so every gateway reads back exactly
 * what the client sent. Migration 0010 doubled the backslashes already stored.
 */

const NEEDS_ESCAPE = /[\\\0\uD800-\uDFFF]/;

export function toDbText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x5c) out += '\\\\';
    else if (c === 0) out += '\\x00';
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      out += s[i]! + s[i + 1]!;
      i++;
    } else if (c >= 0xdc80 && c <= 0xdcff) out += `\\x${(c & 0xff).toString(16)}`;
    else if (c >= 0xd800 && c <= 0xdfff) out += `\\u${c.toString(16)}`;
    else out += s[i]!;
  }
  return out;
}

export function fromDbText(t: string): string {
  if (!t.includes('\\')) return t;
  return t.replace(/\\(\\|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_, e: string) => {
    if (e === '\\') return '\\';
    const code = parseInt(e.slice(1), 16);
    if (e[0] === 'u') return String.fromCharCode(code);
    return String.fromCharCode(code === 0 ? 0 : 0xdc00 | code);
  });
}

export const toDbTextOrNull = (s: string | null): string | null => (s === null ? null : toDbText(s));
export const fromDbTextOrNull = (t: string | null): string | null => (t === null ? null : fromDbText(t));
