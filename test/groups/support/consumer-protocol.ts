/**
 * The consumer protocol's subscription and assignment bytes (version 0 layout, which every client reads),
 * for raw test members that take part in groups with real clients.
 */

export function encodeSubscription(topics: readonly string[], userData: Buffer | null = null): Buffer {
  const parts: Buffer[] = [int16(0), int32(topics.length)];
  for (const t of topics) parts.push(str(t));
  parts.push(bytes(userData));
  return Buffer.concat(parts);
}

export function encodeAssignment(assignment: Readonly<Record<string, readonly number[]>>, userData: Buffer | null = null): Buffer {
  const entries = Object.entries(assignment);
  const parts: Buffer[] = [int16(0), int32(entries.length)];
  for (const [topic, partitions] of entries) {
    parts.push(str(topic), int32(partitions.length), ...partitions.map(int32));
  }
  parts.push(bytes(userData));
  return Buffer.concat(parts);
}

/** Topic -> partitions of an assignment; empty bytes (no assignment) decode to {}. */
export function decodeAssignment(buf: Buffer): Record<string, number[]> {
  if (buf.length === 0) return {};
  let pos = 2;
  const count = buf.readInt32BE(pos);
  pos += 4;
  const out: Record<string, number[]> = {};
  for (let i = 0; i < count; i++) {
    const len = buf.readInt16BE(pos);
    pos += 2;
    const topic = buf.toString('utf8', pos, pos + len);
    pos += len;
    const n = buf.readInt32BE(pos);
    pos += 4;
    const partitions: number[] = [];
    for (let j = 0; j < n; j++, pos += 4) partitions.push(buf.readInt32BE(pos));
    out[topic] = partitions;
  }
  return out;
}

function int16(v: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(v);
  return b;
}

function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(v);
  return b;
}

function str(s: string): Buffer {
  const body = Buffer.from(s, 'utf8');
  return Buffer.concat([int16(body.length), body]);
}

function bytes(b: Buffer | null): Buffer {
  return b === null ? int32(-1) : Buffer.concat([int32(b.length), b]);
}
