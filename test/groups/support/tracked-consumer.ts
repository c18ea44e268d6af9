/**
 * kafkajs consumers that remember what a user would look at: their current assignment (from the group
 * join events) and every record they received.
 */
import type { Consumer } from 'kafkajs';
import { kafkaClient } from '../../support/kafkajs.js';

export interface Received {
  partition: number;
  offset: string;
  value: string;
}

export interface TrackedConsumer {
  consumer: Consumer;
  memberId: string;
  /** Partitions of the subscribed topic assigned in the last completed rebalance. */
  assignment: number[];
  received: Received[];
  joins: number;
  stop(): Promise<void>;
}

export interface TrackedConsumerOptions {
  bootstrap: string;
  groupId: string;
  topic: string;
  sessionTimeout?: number;
  clientId?: string;
  autoCommitThreshold?: number;
}

export async function startConsumer(o: TrackedConsumerOptions): Promise<TrackedConsumer> {
  const consumer = kafkaClient(o.bootstrap, o.clientId ?? 'tracked-consumer').consumer({
    groupId: o.groupId,
    sessionTimeout: o.sessionTimeout ?? 6_000,
    heartbeatInterval: 300,
    rebalanceTimeout: 15_000,
    // kafkajs heartbeats between fetches: short fetch waits let it notice rebalances quickly.
    maxWaitTimeInMs: 300,
  });
  const tracked: TrackedConsumer = {
    consumer,
    memberId: '',
    assignment: [],
    received: [],
    joins: 0,
    stop: async () => {
      await consumer.disconnect();
    },
  };
  consumer.on(consumer.events.GROUP_JOIN, (e) => {
    tracked.memberId = e.payload.memberId;
    tracked.assignment = [...(e.payload.memberAssignment[o.topic] ?? [])].sort((a, b) => a - b);
    tracked.joins++;
  });
  await consumer.connect();
  await consumer.subscribe({ topic: o.topic, fromBeginning: true });
  await consumer.run({
    autoCommitThreshold: o.autoCommitThreshold ?? 1,
    eachMessage: async ({ partition, message }) => {
      tracked.received.push({ partition, offset: message.offset, value: message.value?.toString() ?? '' });
    },
  });
  return tracked;
}

/** The partitions each consumer holds, if together they hold every partition exactly once. */
export function assignedExactlyOnce(consumers: readonly TrackedConsumer[], partitions: number): boolean {
  const all = consumers.flatMap((c) => c.assignment).sort((a, b) => a - b);
  return all.length === partitions && all.every((p, i) => p === i);
}
