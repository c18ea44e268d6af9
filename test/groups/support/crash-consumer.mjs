// A kafkajs consumer in its own process, so a test can kill it without any goodbye (SIGKILL): to the
// group it simply stops heartbeating. Prints one JSON line per group join, per message and per commit.
// It commits each record below offset COMMIT_BELOW of its partition (committing offset + 1), and none after.
//
//   node crash-consumer.mjs BOOTSTRAP GROUP TOPIC SESSION_TIMEOUT_MS [COMMIT_BELOW]
import kafkajs from 'kafkajs';

const { Kafka, logLevel } = kafkajs;
const [bootstrap, groupId, topic, sessionTimeout, commitBelow = '0'] = process.argv.slice(2);
const kafka = new Kafka({ brokers: [bootstrap], clientId: 'crash-consumer', logLevel: logLevel.NOTHING });
const consumer = kafka.consumer({ groupId, sessionTimeout: Number(sessionTimeout), heartbeatInterval: 300, rebalanceTimeout: 10000, maxWaitTimeInMs: 300 });
consumer.on(consumer.events.GROUP_JOIN, (e) => {
  console.log(JSON.stringify({ event: 'join', memberId: e.payload.memberId, assignment: e.payload.memberAssignment }));
});
await consumer.connect();
await consumer.subscribe({ topic, fromBeginning: true });
await consumer.run({
  autoCommit: false,
  eachMessage: async ({ partition, message }) => {
    console.log(JSON.stringify({ event: 'message', partition, offset: Number(message.offset) }));
    const next = Number(message.offset) + 1;
    if (next <= Number(commitBelow)) {
      await consumer.commitOffsets([{ topic, partition, offset: String(next) }]);
      console.log(JSON.stringify({ event: 'committed', partition, offset: next }));
    }
  },
});
