/**
 * Consumer lag as operators read it: `kafka-consumer-groups.sh --describe` (Kafka 4.x's
 * ConsumerGroupCommand, from the jars compat/install.sh caches) shows each partition's committed offset,
 * log end offset, lag and owning member. That output is only right if OffsetFetch, ListOffsets and
 * DescribeGroups are. Also checks offset retention for empty groups. The tool part is skipped when the
 * Kafka jars are not installed.
 */
import { execFile } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { kafkaClient } from '../support/kafkajs.js';
import { kafkaToolsMissing, realClientAvailable } from '../support/real-clients.js';
import { encodeAssignment } from './support/consumer-protocol.js';
import { createTopic, eventually, unique } from './support/helpers.js';
import { Api, RawMember } from './support/raw-member.js';
import { WireClient } from './support/wire-client.js';

const run = promisify(execFile);
const KAFKA_LIB = path.join(process.env.KPG_CACHE ?? path.join(os.homedir(), '.cache', 'kpg'), 'kafka', 'lib');
const toolAvailable = realClientAvailable('Kafka 4.1.2 command-line tools', await kafkaToolsMissing(), import.meta.url);

let kpg: TestGateway;
beforeAll(async () => {
  kpg = await startTestGateway({
    brokerConfigs: { 'group.initial.rebalance.delay.ms': '0', 'offsets.retention.check.interval.ms': '200' },
  });
});
afterAll(async () => {
  await kpg?.stop();
});

async function produceTo(topic: string, counts: number[]): Promise<void> {
  const producer = kafkaClient(kpg.bootstrap).producer();
  await producer.connect();
  for (const [partition, n] of counts.entries()) {
    if (n > 0) await producer.send({ topic, messages: Array.from({ length: n }, (_, i) => ({ value: `p${partition}-${i}`, partition })) });
  }
  await producer.disconnect();
}

/** The data rows of `kafka-consumer-groups.sh --describe`, as whitespace-split columns. */
async function describeWithTool(groupId: string): Promise<{ text: string; rows: string[][] }> {
  const { stdout, stderr } = await run(
    'java',
    ['-cp', `${KAFKA_LIB}/*`, 'org.apache.kafka.tools.consumer.group.ConsumerGroupCommand', '--bootstrap-server', kpg.bootstrap, '--describe', '--group', groupId],
    { timeout: 60_000 },
  );
  const rows = stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((cols) => cols[0] === groupId)
    .sort((a, b) => Number(a[2]) - Number(b[2]));
  return { text: stdout + stderr, rows };
}

describe.skipIf(!toolAvailable)('kafka-consumer-groups.sh --describe', () => {
  it('shows committed offset, log end offset, lag and the owning member of every partition', async () => {
    const topic = unique('lag');
    await createTopic(kpg, topic, 3);
    await produceTo(topic, [10, 20, 30]);
    const groupId = unique('lag-group');
    const m = await RawMember.connect(kpg.gateway.port, groupId, { topics: [topic], sessionTimeoutMs: 60_000 }, 'lag-client');
    try {
      await m.join();
      await m.sync([{ memberId: m.memberId, assignment: encodeAssignment({ [topic]: [0, 1, 2] }) }]);
      expect(await m.commit([{ topic, partition: 0, offset: 4n }, { topic, partition: 1, offset: 20n }])).toEqual([ErrorCode.NONE, ErrorCode.NONE]);
      const { rows } = await describeWithTool(groupId);
      // GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID
      expect(rows.map((r) => r.slice(1))).toEqual([
        [topic, '0', '4', '10', '6', m.memberId, '/127.0.0.1', 'lag-client'],
        [topic, '1', '20', '20', '0', m.memberId, '/127.0.0.1', 'lag-client'],
        [topic, '2', '-', '30', '-', m.memberId, '/127.0.0.1', 'lag-client'],
      ]);
    } finally {
      m.close();
    }
  }, 90_000);

  it('shows the offsets and lag of a group without active members', async () => {
    const topic = unique('lag-empty');
    await createTopic(kpg, topic, 2);
    await produceTo(topic, [7, 3]);
    const groupId = unique('lag-empty-group');
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    await admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: '2' }, { partition: 1, offset: '3' }] });
    await admin.disconnect();
    const { text, rows } = await describeWithTool(groupId);
    expect(text).toContain(`Consumer group '${groupId}' has no active members.`);
    expect(rows.map((r) => r.slice(1, 6))).toEqual([
      [topic, '0', '2', '7', '5'],
      [topic, '1', '3', '3', '0'],
    ]);
  }, 90_000);
});

describe('offset retention', () => {
  it('expires the offsets of a group empty for longer than offsets.retention.minutes, then the group', async () => {
    const topic = unique('retention');
    await createTopic(kpg, topic, 2);
    const expiring = unique('expiring');
    const kept = unique('kept');
    const admin = kafkaClient(kpg.bootstrap).admin();
    await admin.connect();
    await admin.setOffsets({ groupId: expiring, topic, partitions: [{ partition: 0, offset: '1' }] });
    await admin.setOffsets({ groupId: kept, topic, partitions: [{ partition: 0, offset: '1' }] });
    // kafkajs commits these as a consumer group that is now empty: its offsets expire once it has been
    // empty for the retention (7 days by default). Make the first group look empty for 8 days.
    await kpg.gateway.storage.pool.query(
      `UPDATE kpg.groups SET state_changed_ms = state_changed_ms - 8 * 86400000 WHERE group_id = $1`,
      [expiring],
    );
    const wire = await WireClient.connect(kpg.gateway.port);
    try {
      await eventually(async () => {
        const r = await wire.send<any>(Api.DescribeGroups, 5, { groups: [expiring], includeAuthorizedOperations: false });
        return r.groups[0].groupState === 'Dead';
      }, 30_000, 'the expired group to be gone');
      const offsets = await admin.fetchOffsets({ groupId: kept, topics: [topic] });
      expect(offsets[0]!.partitions.find((p) => p.partition === 0)!.offset).toBe('1');
      const gone = await admin.fetchOffsets({ groupId: expiring, topics: [topic] });
      expect(gone[0]!.partitions.find((p) => p.partition === 0)!.offset).toBe('-1');
    } finally {
      wire.destroy();
      await admin.disconnect();
    }
  });

  it('keeps the offsets of subscribed topics while the consumer group is active', async () => {
    const topic = unique('retention-active');
    await createTopic(kpg, topic, 1);
    const groupId = unique('active');
    const m = await RawMember.connect(kpg.gateway.port, groupId, { topics: [topic], sessionTimeoutMs: 30_000 });
    try {
      await m.join();
      await m.sync([{ memberId: m.memberId, assignment: encodeAssignment({ [topic]: [0] }) }]);
      expect(await m.commit([{ topic, partition: 0, offset: 3n }])).toEqual([ErrorCode.NONE]);
      await kpg.gateway.storage.pool.query(
        `UPDATE kpg.group_offsets SET commit_timestamp_ms = commit_timestamp_ms - 8 * 86400000
          WHERE group_key = (SELECT group_key FROM kpg.groups WHERE group_id = $1)`,
        [groupId],
      );
      // Several cleanup rounds pass; the offset stays because the Stable group subscribes to the topic.
      await new Promise((r) => setTimeout(r, 1_000));
      expect(await m.heartbeat()).toBe(ErrorCode.NONE);
      const r = await m.client.send<any>(Api.OffsetFetch, 8, { groups: [{ groupId, topics: null }], requireStable: false });
      expect(r.groups[0].topics[0].partitions[0].committedOffset).toBe(3n);
    } finally {
      m.close();
    }
  });
});
