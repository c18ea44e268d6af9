/**
 * The records of __consumer_offsets in Kafka's own format (group-coordinator's OffsetCommitKey/Value and
 * GroupMetadataKey/Value: OffsetCommitValue v1, v3 and v4 (flexible), GroupMetadataValue v0-3), as kpg writes them (src/storage/pg/sql/65-offsets-topic.sql)
 * and tools read them (kafka-console-consumer's OffsetsMessageFormatter / GroupMetadataMessageFormatter).
 * The key starts with an int16 record type: 0 and 1 are offset commits, 2 group metadata.
 */

/** The partition of __consumer_offsets holding a group's records: abs(javaHashCode(groupId)) % partitions. */
export function offsetsTopicPartition(groupId: string, partitionCount: number): number {
  let h = 0;
  for (let i = 0; i < groupId.length; i++) h = (Math.imul(31, h) + groupId.charCodeAt(i)) | 0;
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitionCount;
}

export type OffsetsTopicKey =
  | { type: 'offsetCommit'; group: string; topic: string; partition: number }
  | { type: 'groupMetadata'; group: string };

export interface OffsetCommitValue {
  version: number;
  offset: bigint;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: bigint;
  expireTimestamp: bigint;
}

export interface GroupMetadataMember {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeout: number;
  sessionTimeout: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupMetadataValue {
  version: number;
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: bigint;
  members: GroupMetadataMember[];
}

class Cursor {
  pos = 0;
  constructor(private readonly buf: Buffer) {}
  int16(): number { const v = this.buf.readInt16BE(this.pos); this.pos += 2; return v; }
  int32(): number { const v = this.buf.readInt32BE(this.pos); this.pos += 4; return v; }
  int64(): bigint { const v = this.buf.readBigInt64BE(this.pos); this.pos += 8; return v; }
  string(): string | null {
    const n = this.int16();
    if (n < 0) return null;
    const s = this.buf.toString('utf8', this.pos, this.pos + n);
    this.pos += n;
    return s;
  }
  uvarint(): number {
    let v = 0;
    for (let shift = 0; ; shift += 7) {
      const b = this.buf[this.pos++]!;
      v += (b & 0x7f) * 2 ** shift;
      if ((b & 0x80) === 0) return v;
    }
  }
  compactString(): string {
    const n = this.uvarint() - 1;
    const s = this.buf.toString('utf8', this.pos, this.pos + Math.max(0, n));
    this.pos += Math.max(0, n);
    return s;
  }
  bytes(): Buffer {
    const n = this.int32();
    const b = this.buf.subarray(this.pos, this.pos + Math.max(0, n));
    this.pos += Math.max(0, n);
    return b;
  }
}

export function decodeOffsetsTopicKey(key: Buffer): OffsetsTopicKey {
  const c = new Cursor(key);
  const type = c.int16();
  if (type === 0 || type === 1) return { type: 'offsetCommit', group: c.string()!, topic: c.string()!, partition: c.int32() };
  if (type === 2) return { type: 'groupMetadata', group: c.string()! };
  throw new Error(`unknown __consumer_offsets record type ${type}`);
}

export function decodeOffsetCommitValue(value: Buffer): OffsetCommitValue {
  const c = new Cursor(value);
  const version = c.int16();
  if (version > 4) throw new Error(`OffsetCommitValue version ${version} is not read here`);
  const offset = c.int64();
  const leaderEpoch = version >= 3 ? c.int32() : -1;
  const metadata = version >= 4 ? c.compactString() : (c.string() ?? '');
  const commitTimestamp = c.int64();
  const expireTimestamp = version === 1 ? c.int64() : -1n;
  return { version, offset, leaderEpoch, metadata, commitTimestamp, expireTimestamp };
}

export function decodeGroupMetadataValue(value: Buffer): GroupMetadataValue {
  const c = new Cursor(value);
  const version = c.int16();
  if (version > 3) throw new Error(`GroupMetadataValue version ${version} is not read here`);
  const protocolType = c.string() ?? '';
  const generation = c.int32();
  const protocol = c.string();
  const leader = c.string();
  const currentStateTimestamp = version >= 2 ? c.int64() : -1n;
  const count = c.int32();
  const members: GroupMetadataMember[] = [];
  for (let i = 0; i < count; i++) {
    const memberId = c.string()!;
    const groupInstanceId = version >= 3 ? c.string() : null;
    const clientId = c.string()!;
    const clientHost = c.string()!;
    const rebalanceTimeout = version >= 1 ? c.int32() : -1;
    const sessionTimeout = c.int32();
    members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeout, sessionTimeout, subscription: c.bytes(), assignment: c.bytes() });
  }
  return { version, protocolType, generation, protocol, leader, currentStateTimestamp, members };
}
