/**
 * How the console shows bytes: UTF-8 text when they are valid UTF-8, else base64, and says which.
 */
import type { FoundRecord } from '../storage/record-search.js';

export type Encoding = 'utf8' | 'base64';

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function showBytes(bytes: Buffer | null): { text: string | null; encoding: Encoding } {
  if (bytes === null) return { text: null, encoding: 'utf8' };
  try {
    return { text: strictUtf8.decode(bytes), encoding: 'utf8' };
  } catch {
    return { text: bytes.toString('base64'), encoding: 'base64' };
  }
}

/** Bytes from text sent by a client: UTF-8 unless it says base64. */
export function bytesOf(text: string, encoding: unknown): Buffer {
  return encoding === 'base64' ? Buffer.from(text, 'base64') : Buffer.from(text, 'utf8');
}

export interface MessageJson {
  partition: number;
  offset: string;
  timestamp: string;
  key: string | null;
  keyEncoding: Encoding;
  value: string | null;
  valueEncoding: Encoding;
  headers: { key: string; value: string | null; valueEncoding: Encoding }[];
  /** Key, value and header bytes. */
  size: number;
}

export function messageJson(partition: number, r: FoundRecord): MessageJson {
  const key = showBytes(r.key);
  const value = showBytes(r.value);
  let size = (r.key?.length ?? 0) + (r.value?.length ?? 0);
  const headers = r.headers.map((h) => {
    size += Buffer.byteLength(h.key) + (h.value?.length ?? 0);
    const shown = showBytes(h.value);
    return { key: h.key, value: shown.text, valueEncoding: shown.encoding };
  });
  return {
    partition,
    offset: r.offset.toString(),
    timestamp: new Date(Number(r.timestampMs)).toISOString(),
    key: key.text,
    keyEncoding: key.encoding,
    value: value.text,
    valueEncoding: value.encoding,
    headers,
    size,
  };
}
