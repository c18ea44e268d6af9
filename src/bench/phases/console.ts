/**
 * The console row, on a fresh gateway started with `--console-port 0` on the run's Postgres:
 *
 * - Tail latency: a librdkafka producer at a fixed rate (acks=all, linger.ms=1) writes 1 KB records whose
 *   values start with the monotonic time of their produce() call; an SSE client in this process, on the
 *   console's /api/topics/<t>/tail, notes when each event arrives. Both read CLOCK_MONOTONIC of this
 *   machine, so the difference is produce() to the browser's event, whole.
 * - Pages: the API calls the console's pages make, timed on a large topic (the consume phase's backlog
 *   when it ran in this run, else one written here): the first call on the fresh console, then the best
 *   of three more.
 */
import http from 'node:http';
import * as hdr from 'hdr-histogram-js';
import { startGatewayProcess, type GatewayProcess } from '../environment.js';
import { Loadgen, runTogether } from '../loadgen.js';
import type { Progress } from '../progress.js';
import { errorMessage, type ConsolePageCall, type ConsolePhase, type ConsoleTailRun } from '../result.js';
import { createTopics, topicName, writeRecords, type Target } from '../targets.js';
import { advertisedApis } from '../wire.js';
import { producePartitions } from './produce.js';

/** The key of the first record of partition 0 of the large topic: the key search finds it near the start. */
export const CONSOLE_MARKER_KEY = 'kpg-bench-console-marker';

export const CONSOLE_TAIL_SETTINGS = { acks: 'all', 'linger.ms': 1 } as const;
const RECORD_SIZE = 1024;
/** The message browser's page size (src/console/ui/messages.js). */
const PAGE_SIZE = 50;
const PROBE_TIMEOUT_MS = 30_000;
const DRAIN_MS = 10_000;
const CALL_TIMEOUT_MS = 60_000;
/** Each page call: the first on the fresh console, then this many, the best of which counts. */
const WARM_CALLS = 3;

export function emptyConsolePhase(): ConsolePhase {
  return {
    status: 'skipped', error: null, tail: [], topic: null, topic_records: null, topic_partitions: null, topic_source: null,
    json_topic_records: null, pages: [],
  };
}

interface TailEvent {
  value: string | null;
  valueEncoding: string;
}

/**
 * A Server-Sent Events reader over node:http, as a browser's EventSource reads the tail: every `message`
 * event is handed over with the time its bytes arrived.
 */
class TailReader {
  private request: http.ClientRequest | null = null;

  constructor(private readonly url: string, private readonly onMessage: (event: TailEvent, arrivedNs: bigint) => void) {}

  /** Resolves once the stream answered 200: records appended from then on are streamed. */
  open(): Promise<void> {
    return new Promise((resolve, reject) => {
      const request = http.get(this.url, { headers: { Accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`GET ${this.url}: HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        res.setEncoding('utf8');
        let pending = '';
        let type = 'message';
        let data: string[] = [];
        res.on('data', (chunk: string) => {
          const arrived = process.hrtime.bigint();
          const lines = (pending + chunk).split('\n');
          pending = lines.pop()!;
          for (const raw of lines) {
            const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
            if (line === '') {
              // A blank line ends an event.
              if (type === 'message' && data.length > 0) this.onMessage(JSON.parse(data.join('\n')) as TailEvent, arrived);
              type = 'message';
              data = [];
            } else if (line.startsWith('event:')) {
              type = line.slice(6).trim();
            } else if (line.startsWith('data:')) {
              data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
            }
            // Lines starting with ':' are comments (the keep-alive).
          }
        });
        resolve();
      });
      request.on('error', reject);
      this.request = request;
    });
  }

  close(): void {
    this.request?.destroy();
  }
}

function toMs(us: number): number {
  return Math.round(us) / 1000;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, 5));
  }
  return true;
}

async function tailRun(options: {
  target: Target;
  consoleUrl: string;
  topic: string;
  rate: number;
  seconds: number;
  warmupSeconds: number;
  progress: Progress;
}): Promise<ConsoleTailRun> {
  const run: ConsoleTailRun = {
    rate: options.rate, record_size: RECORD_SIZE, sent: null, received: null, samples: null,
    p50_ms: null, p99_ms: null, p999_ms: null, max_ms: null, error: null,
  };
  const latenciesUs: number[] = [];
  let probeSeen = false;
  let received = 0;
  let warmUntil: bigint | null = null;
  const warmupNs = BigInt(Math.round(options.warmupSeconds * 1e9));
  const reader = new TailReader(`${options.consoleUrl}/api/topics/${encodeURIComponent(options.topic)}/tail`, (event, arrived) => {
    const value = event.value === null ? null : Buffer.from(event.value, event.valueEncoding === 'base64' ? 'base64' : 'utf8');
    if (value === null || value.length < 8) return;
    const sent = value.readBigUInt64BE(0);
    if (sent === 0n) {
      probeSeen = true;
      return;
    }
    received++;
    warmUntil ??= sent + warmupNs;
    if (sent >= warmUntil) latenciesUs.push(Number(arrived - sent) / 1000);
  });
  const step = options.progress.timed(`console tail at ${options.rate} records/s`, options.seconds);
  try {
    await reader.open();
    const gen = new Loadgen('paced', {
      bootstrap: options.target.bootstrap, topic: options.topic, rate: options.rate, duration_s: options.seconds,
      record_size: RECORD_SIZE, linger_ms: CONSOLE_TAIL_SETTINGS['linger.ms'],
    });
    const [result] = await runTogether([gen], {
      // The probe record, seen on the tail, proves the whole path is in place before the clock starts.
      beforeGo: async () => {
        if (!(await waitFor(() => probeSeen, PROBE_TIMEOUT_MS))) throw new Error(`the tail did not show the probe record within ${PROBE_TIMEOUT_MS / 1000} s`);
      },
    });
    run.sent = Number(result!.sent);
    await waitFor(() => received >= run.sent!, DRAIN_MS);
    run.received = received;
    run.samples = latenciesUs.length;
    const lost = Number(result!.unacknowledged) + Number(result!.failed);
    if (lost > 0) throw new Error(`${lost} of ${run.sent} records were not acknowledged; errors: ${JSON.stringify(result!.errors)}`);
    if (latenciesUs.length === 0) throw new Error(`no record arrived on the tail (${received} of ${run.sent})`);
    const histogram = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
    for (const us of latenciesUs) histogram.recordValue(Math.max(1, Math.round(us)));
    run.p50_ms = toMs(histogram.getValueAtPercentile(50));
    run.p99_ms = toMs(histogram.getValueAtPercentile(99));
    run.p999_ms = toMs(histogram.getValueAtPercentile(99.9));
    run.max_ms = toMs(histogram.maxValue);
    histogram.destroy();
    if (received < run.sent) run.error = `${run.sent - received} of ${run.sent} records never arrived on the tail`;
    step.done(`p50 ${run.p50_ms} ms, p99 ${run.p99_ms} ms, p99.9 ${run.p999_ms} ms, ${received} / ${run.sent} received`);
  } catch (err) {
    run.error = errorMessage(err);
    step.done(`failed: ${run.error}`);
  } finally {
    reader.close();
  }
  return run;
}

type Answer = Record<string, unknown>;

async function getJson(url: string): Promise<{ ms: number; body: Answer }> {
  const started = performance.now();
  const response = await fetch(url, { headers: { Accept: 'application/json' }, signal: AbortSignal.timeout(CALL_TIMEOUT_MS) });
  const text = await response.text();
  const ms = performance.now() - started;
  if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${text.slice(0, 200)}`);
  return { ms, body: JSON.parse(text) as Answer };
}

/** Times one call as the page makes it: the first, then the best of WARM_CALLS more. */
async function timeCall(consoleUrl: string, call: string, request: string, found: (body: Answer) => number): Promise<ConsolePageCall> {
  const result: ConsolePageCall = { call, request, first_ms: null, best_ms: null, found: null, next_offset: null, error: null };
  const round = (ms: number): number => Math.round(ms * 10) / 10;
  try {
    const first = await getJson(`${consoleUrl}${request}`);
    result.first_ms = round(first.ms);
    result.found = found(first.body);
    result.next_offset = first.body.nextOffset !== undefined;
    let best = Infinity;
    for (let i = 0; i < WARM_CALLS; i++) best = Math.min(best, (await getJson(`${consoleUrl}${request}`)).ms);
    result.best_ms = round(best);
  } catch (err) {
    result.error = errorMessage(err);
  }
  return result;
}

const messagesFound = (body: Answer): number => (body.messages as unknown[]).length;

function messagesRequest(topic: string, params: Record<string, string | number>): string {
  const query = new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]));
  return `/api/topics/${encodeURIComponent(topic)}/messages?${query.toString()}`;
}

export async function runConsole(options: {
  databaseUrl: string;
  postgresPid: number | null;
  /** How to run `kpg`. */
  command?: readonly string[];
  rates: number[];
  seconds: number;
  warmupSeconds: number;
  /** The consume phase's backlog of this run (its partition 0 starting with the marker key), when there is one. */
  backlog: { topic: string; partitions: number } | null;
  /** Records and partitions of the large topic written here when there is no backlog. */
  topicRecords: number;
  topicPartitions: number;
  jsonRecords: number;
  progress: Progress;
}): Promise<ConsolePhase> {
  const phase = emptyConsolePhase();
  let gateway: GatewayProcess | null = null;
  try {
    gateway = await startGatewayProcess({ databaseUrl: options.databaseUrl, command: options.command, consolePort: 0 });
    const consoleUrl = gateway.consoleUrl;
    if (consoleUrl === null) throw new Error('the gateway started with --console-port 0 did not log its console URL');
    if (gateway.nodeId === null) throw new Error('the gateway did not print its node id at start-up');
    const target: Target = {
      name: 'kpg', bootstrap: gateway.bootstrap, description: `kpg serving its console on ${consoleUrl} (pid ${gateway.pid})`,
      brokerPid: gateway.pid, postgresPid: options.postgresPid, apis: await advertisedApis(gateway.bootstrap), databaseUrl: options.databaseUrl,
    };
    const leader = gateway.nodeId;

    // Led by this gateway: its producers and its tail meet on one process, as on a single-gateway cluster.
    const tailTopics = options.rates.map((rate) => topicName(`console-tail-${rate}`));
    await createTopics(target, tailTopics.map((name) => ({ name, partitions: 1, leader })));
    for (const [i, rate] of options.rates.entries()) {
      phase.tail.push(await tailRun({
        target, consoleUrl, topic: tailTopics[i]!, rate, seconds: options.seconds, warmupSeconds: options.warmupSeconds, progress: options.progress,
      }));
    }

    let large = options.backlog;
    if (large) {
      phase.topic_source = 'consume backlog';
    } else {
      large = { topic: topicName('console-pages'), partitions: options.topicPartitions };
      await createTopics(target, [{ name: large.topic, partitions: large.partitions, leader }]);
      const perPartition = Math.ceil(options.topicRecords / large.partitions);
      const fillStep = options.progress.step('console: writing the large topic', perPartition * large.partitions, 'records');
      await writeRecords(target, { topic: large.topic, partition: 0, records: 1, firstKey: CONSOLE_MARKER_KEY });
      const fill = await producePartitions({
        target, topic: large.topic, producers: large.partitions, recordSize: RECORD_SIZE, recordsPerBatch: 100,
        recordsPerProducer: perPartition, onProgress: (n) => fillStep.update(n),
      });
      if (fill.errors.length > 0) throw new Error(`writing the large topic: ${fill.errors.slice(0, 3).join('; ')}`);
      fillStep.done(`${fill.records + 1} records`);
      phase.topic_source = 'filled';
    }
    phase.topic = large.topic;
    phase.topic_partitions = large.partitions;
    const jsonTopic = topicName('console-json');
    await createTopics(target, [{ name: jsonTopic, partitions: 1, leader }]);
    await writeRecords(target, { topic: jsonTopic, partition: 0, records: options.jsonRecords, json: true });
    phase.json_topic_records = options.jsonRecords;

    const step = options.progress.step('console: page calls on the large topic', 7, 'calls');
    const topicPath = `/api/topics/${encodeURIComponent(large.topic)}`;
    const pages = phase.pages;
    pages.push(await timeCall(consoleUrl, 'list', '/api/topics?internal=false', (b) => (b.topics as unknown[]).length));
    step.update(1);
    const topicCall = await timeCall(consoleUrl, 'topic', topicPath, (b) => (b.partitions as unknown[]).length);
    pages.push(topicCall);
    step.update(2);
    // The records in the topic, from the topic page's own answer (end minus start offsets, summed).
    const described = await getJson(`${consoleUrl}${topicPath}`);
    const partitionsOf = described.body.partitions as { partition: number; startOffset: string; endOffset: string; records: number }[];
    phase.topic_records = partitionsOf.reduce((n, p) => n + p.records, 0);
    pages.push(await timeCall(consoleUrl, 'first_page', messagesRequest(large.topic, { partition: 0, limit: PAGE_SIZE, direction: 'backward' }), messagesFound));
    step.update(3);
    pages.push(await timeCall(
      consoleUrl, 'key_search', messagesRequest(large.topic, { partition: 0, limit: PAGE_SIZE, direction: 'forward', key: CONSOLE_MARKER_KEY }), messagesFound,
    ));
    step.update(4);
    // A second of record time (what the page's datetime inputs give) around partition 0's middle record.
    const p0 = partitionsOf.find((p) => p.partition === 0)!;
    const middle = (BigInt(p0.startOffset) + BigInt(p0.endOffset)) / 2n;
    const middleRecord = await getJson(`${consoleUrl}${messagesRequest(large.topic, { partition: 0, offset: middle.toString(), limit: 1, direction: 'forward' })}`);
    const middleMs = Date.parse((middleRecord.body.messages as { timestamp: string }[])[0]!.timestamp);
    const from = new Date(Math.floor(middleMs / 1000) * 1000);
    const range = { from: from.toISOString(), to: new Date(from.getTime() + 1000).toISOString() };
    pages.push(await timeCall(consoleUrl, 'time_search', messagesRequest(large.topic, { partition: 0, limit: PAGE_SIZE, direction: 'forward', ...range }), messagesFound));
    step.update(5);
    // The same range newest first, the browser's default order.
    pages.push(await timeCall(
      consoleUrl, 'time_search_newest_first', messagesRequest(large.topic, { partition: 0, limit: PAGE_SIZE, direction: 'backward', ...range }), messagesFound,
    ));
    step.update(6);
    // The large topic's values are random bytes: the JSON path search runs on the small JSON topic.
    pages.push(await timeCall(
      consoleUrl, 'json_search', messagesRequest(jsonTopic, { partition: 0, limit: PAGE_SIZE, direction: 'backward', jsonPath: '$.customer.id', jsonValue: 'c7' }),
      messagesFound,
    ));
    step.done(pages.map((p) => `${p.call} ${p.best_ms ?? '-'} ms`).join(', '));
    // Answers a user would see as wrong fail their call: the marker found once, the middle second not empty.
    const expect = (call: string, ok: (found: number) => boolean, what: string): void => {
      const c = pages.find((p) => p.call === call)!;
      if (c.error === null && !ok(c.found ?? 0)) c.error = `${call} found ${c.found} records, expected ${what}`;
    };
    expect('key_search', (n) => n === 1, `the one keyed ${CONSOLE_MARKER_KEY}`);
    expect('time_search', (n) => n > 0, 'the records of the middle second');
    expect('first_page', (n) => n === PAGE_SIZE, `a full page of ${PAGE_SIZE}`);
    const failed = [...phase.tail, ...pages].filter((r) => r.error !== null);
    const total = phase.tail.length + pages.length;
    phase.status = failed.length === 0 ? 'ok' : failed.length === total ? 'failed' : 'partial';
    phase.error = failed[0]?.error ?? null;
  } catch (err) {
    phase.status = 'failed';
    phase.error = errorMessage(err);
  } finally {
    await gateway?.stop();
  }
  return phase;
}
