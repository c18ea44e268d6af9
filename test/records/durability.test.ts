/**
 * An idempotent kafkajs producer keeps sending while its gateway stops and a new gateway starts on
 * the same database and port: the producer's sequence state lives in Postgres, so no record is lost
 * and none is stored twice, even when a batch was stored but its answer never reached the producer.
 * (compat/run.mjs --scenarios crash-retry does the same with SIGKILL and the Java and librdkafka
 * producers.)
 */
import net from 'node:net';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startGateway, type Gateway } from '../../src/gateway.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { Kafka, logLevel } from '../support/kafkajs.js';
import { readPartition } from '../support/read-partition.js';
import { createTopic } from '../support/gateway.js';

let database: TestDatabase;
const running = new Set<Gateway>();

beforeAll(async () => {
  database = await createTestDatabase();
});

afterEach(async () => {
  for (const g of running) await g.stop();
  running.clear();
});

afterAll(async () => {
  await database?.drop();
});

/** Warnings and errors every gateway of this file logged (the gateways run in this process). */
const warnings: string[] = [];

async function gatewayOn(port: number, advertisedPort?: number): Promise<Gateway> {
  const g = await startGateway({
    host: '127.0.0.1',
    port,
    advertisedPort,
    databaseUrl: database.url,
    dataDir: '',
    logger: pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) }),
  });
  running.add(g);
  return g;
}

async function restart(old: Gateway, advertisedPort?: number): Promise<Gateway> {
  running.delete(old);
  await old.stop();
  return gatewayOn(old.port, advertisedPort);
}

function idempotentProducer(bootstrap: string) {
  // Retries on the client too: its connection retries are what see the refused connections.
  const retry = { retries: 30, initialRetryTime: 100, maxRetryTime: 1000 };
  const kafka = new Kafka({ brokers: [bootstrap], clientId: 'kpg-durability', logLevel: logLevel.NOTHING, retry });
  // kafkajs allows idempotence only with one request in flight
  return kafka.producer({ idempotent: true, maxInFlightRequests: 1, allowAutoTopicCreation: false, retry });
}

const SENDS = 60;
const PER_SEND = 25;

/** Sends SENDS batches of numbered records; calls midway() once, while sends continue. */
async function sendAll(producer: ReturnType<typeof idempotentProducer>, topic: string, midway: () => Promise<void>): Promise<void> {
  let disruption: Promise<void> | undefined;
  for (let s = 0; s < SENDS; s++) {
    if (s === SENDS / 2) disruption = midway();
    await producer.send({
      topic,
      acks: -1,
      messages: Array.from({ length: PER_SEND }, (_, j) => ({ key: `k${s * PER_SEND + j}`, value: `record-${s * PER_SEND + j}` })),
    });
  }
  await disruption;
}

async function expectEachRecordOnce(bootstrap: string, topic: string): Promise<void> {
  const { records, highWatermark } = await readPartition(bootstrap, topic, 0);
  const total = SENDS * PER_SEND;
  expect(highWatermark).toBe(BigInt(total));
  expect(records.map((r) => r.offset)).toEqual(Array.from({ length: total }, (_, i) => BigInt(i)));
  expect(records.map((r) => r.value)).toEqual(Array.from({ length: total }, (_, i) => `record-${i}`));
}

describe('idempotent producer across a gateway restart', () => {
  it('loses and duplicates nothing when the gateway stops and another starts on the same database and port', async () => {
    let gateway = await gatewayOn(0);
    const bootstrap = `127.0.0.1:${gateway.port}`;
    const topic = 'restart-plain';
    await createTopic(gateway, topic);
    const producer = idempotentProducer(bootstrap);
    await producer.connect();
    try {
      await sendAll(producer, topic, async () => {
        gateway = await restart(gateway);
      });
    } finally {
      await producer.disconnect();
    }
    await expectEachRecordOnce(bootstrap, topic);
    // the stopped gateway answered what it had received and closed the producer's connection itself,
    // rather than waiting for its shutdown grace period to end and then cutting it
    expect(warnings.filter((w) => w.includes('grace period'))).toEqual([]);
  });

  it('stores a batch once when it was stored, its answer was lost, and the producer retries against the new gateway', async () => {
    const proxy = await LossyProxy.start();
    let gateway: Gateway | undefined;
    try {
      gateway = await gatewayOn(0, proxy.port);
      proxy.target = gateway.port;
      const topic = 'restart-lost-answer';
      await createTopic(gateway, topic);
      const producer = idempotentProducer(`127.0.0.1:${proxy.port}`);
      await producer.connect();
      try {
        await sendAll(producer, topic, async () => {
          // the next produce request reaches the gateway and is stored; its answer is dropped, the
          // producer's connection closed and new ones refused until the gateway has been replaced, so
          // the producer's retry of that batch reaches the new gateway
          await proxy.dropNextProduceAnswer();
          gateway = await restart(gateway!, proxy.port);
          proxy.refusing = false;
        });
      } finally {
        await producer.disconnect();
      }
      expect(proxy.droppedAnswers).toBe(1);
      await expectEachRecordOnce(`127.0.0.1:${gateway.port}`, topic);
    } finally {
      await proxy.close();
    }
  });
});

/**
 * A TCP proxy in front of a gateway (clients reach it because the gateway advertises the proxy's
 * port) that, when armed, forwards the next Produce request but drops its answer and closes that
 * client's connection, as a network failure right after the broker stored the batch would; from then
 * on it refuses connections until `refusing` is cleared.
 */
class LossyProxy {
  target = 0;
  droppedAnswers = 0;
  refusing = false;
  private armed: (() => void) | undefined;
  private readonly sockets = new Set<net.Socket>();

  private constructor(private readonly server: net.Server, readonly port: number) {}

  static async start(): Promise<LossyProxy> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const proxy = new LossyProxy(server, (server.address() as net.AddressInfo).port);
    server.on('connection', (client) => proxy.accept(client));
    return proxy;
  }

  /** Resolves once the answer to the next Produce request has been dropped. */
  dropNextProduceAnswer(): Promise<void> {
    return new Promise((resolve) => {
      this.armed = resolve;
    });
  }

  private accept(client: net.Socket): void {
    if (this.refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect({ host: '127.0.0.1', port: this.target });
    this.sockets.add(client).add(upstream);
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('error', closeBoth).on('close', closeBoth);
    upstream.on('error', closeBoth).on('close', closeBoth);
    let dropId: number | undefined;
    let onDropped: (() => void) | undefined;
    frames(client, (frame) => {
      const apiKey = frame.readInt16BE(4);
      const correlationId = frame.readInt32BE(8);
      if (apiKey === 0 && this.armed && dropId === undefined) {
        dropId = correlationId;
        onDropped = this.armed;
        this.armed = undefined;
      }
      upstream.write(frame);
    });
    frames(upstream, (frame) => {
      const correlationId = frame.readInt32BE(4);
      if (correlationId === dropId) {
        this.droppedAnswers++;
        this.refusing = true;
        closeBoth();
        onDropped?.();
        return;
      }
      client.write(frame);
    });
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Calls onFrame with each size-prefixed Kafka frame (size included) read from the socket. */
function frames(socket: net.Socket, onFrame: (frame: Buffer) => void): void {
  let pending = Buffer.alloc(0);
  socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    while (pending.length >= 4 && pending.length >= 4 + pending.readInt32BE(0)) {
      const size = 4 + pending.readInt32BE(0);
      onFrame(pending.subarray(0, size));
      pending = pending.subarray(size);
    }
  });
}
