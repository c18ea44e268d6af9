// The compat runner's metrics checks (issue #16): kpg's /metrics is scraped before and after every cell,
// and the counters the cell's scenario must have moved are checked to have moved. Plain Node, no build.
//
// A check is { metric, labels, min, gauge }: the series of `metric` whose labels include `labels` are
// summed; a counter passes when after - before >= min, a gauge (kafka_consumergroup_*, read from Postgres
// at scrape time) when its value after the cell is >= min.
import http from 'node:http';
import net from 'node:net';

const REQUESTS = 'kafka_network_requestmetrics_requests_total';
const ERRORS = 'kafka_network_requestmetrics_errors_total';
const MESSAGES_IN = 'kafka_server_brokertopicmetrics_messagesin_total';
const BYTES_OUT = 'kafka_server_brokertopicmetrics_bytesout_total';

/** A port nothing listens on now (the kernel picks it), none of `avoid` (ports the server will listen on). */
export async function freePort(avoid = []) {
  for (;;) {
    const port = await new Promise((resolve, reject) => {
      const srv = net.createServer();
      srv.once('error', reject);
      srv.listen(0, '127.0.0.1', () => { const { port: p } = srv.address(); srv.close(() => resolve(p)); });
    });
    if (!avoid.includes(port)) return port;
  }
}

/** GET http://127.0.0.1:port/metrics -> its text; rejects on a non-200 answer or after timeoutMs. */
export function scrape(port, timeoutMs = 15000) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/metrics', timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`GET /metrics on port ${port}: HTTP ${res.statusCode}`))));
    });
    req.on('timeout', () => req.destroy(new Error(`GET /metrics on port ${port}: no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
  });
}

const unescape = (v) => v.replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));

/** Prometheus text format -> [{ name, labels, value }] (comments and blank lines skipped). */
export function parseMetrics(text) {
  const samples = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (!m) continue;
    const labels = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = unescape(l[2]);
    samples.push({ name: m[1], labels, value: Number(m[3]) });
  }
  return samples;
}

/** Sum of the series of `name` whose labels include every one of `labels` (0 when there is none). */
export function sumOf(samples, name, labels = {}) {
  let sum = 0;
  for (const s of samples) {
    if (s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)) sum += s.value;
  }
  return sum;
}

/** `name{a="x",b="y"}`, as the failure detail and the summary print a check. */
export function describeCheck({ metric, labels = {} }) {
  const ls = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
  return ls ? `${metric}{${ls}}` : metric;
}

const requests = (...apis) => apis.map((request) => ({ metric: REQUESTS, labels: { request } }));
const errors = (error, request) => ({ metric: ERRORS, labels: request ? { request, error } : { error } });
const messagesIn = (topic, min) => ({ metric: MESSAGES_IN, labels: { topic }, min });
const bytesOut = (topic) => ({ metric: BYTES_OUT, labels: { topic } });
const groupOffset = (group, topic, min) => ({ metric: 'kafka_consumergroup_current_offset_sum', labels: { consumergroup: group, topic }, min, gauge: true });

// kafka-python 2.0.2 sends its SASL tokens as raw frames after the handshake, not as SaslAuthenticate
// requests, and kpg counts no request for them (seen in a run of the auth scenario).
const RAW_SASL_TOKENS = new Set(['kafka-python-2.0.2']);

/**
 * What a passing cell of `scenario` must have moved on kpg, derived from the scenario's definition in
 * compat/README.md. Only what every client that passes the scenario does is listed (a client's program may
 * reach the same outcome with other requests: e.g. a consumer with or without a group).
 *   client   the client family's name; topic: the cell's pre-created topic; group: `${topic}-group`
 */
export function expectedMetrics(scenario, { client, topic, bulkRecords = 100000 }) {
  const group = `${topic}-group`;
  // every client of the suite asks for ApiVersions first (Sarama too, at the protocol version it picks)
  const base = requests('Metadata', 'ApiVersions');
  switch (scenario) {
    case 'metadata': return base;
    case 'topic-admin': return [...base, ...requests('CreateTopics', 'DescribeConfigs', 'DeleteTopics')];
    case 'produce-consume': return [...base, ...requests('Produce', 'Fetch'), messagesIn(topic, 3), bytesOut(topic)];
    case 'group-resume': return [...base, ...requests('Produce', 'Fetch', 'FindCoordinator', 'OffsetCommit', 'OffsetFetch'),
      messagesIn(topic, 6), bytesOut(topic), groupOffset(group, topic, 3)];
    case 'list-offsets': return [...base, ...requests('Produce', 'ListOffsets'), messagesIn(topic, 3)];
    case 'describe-configs': return [...base, ...requests('DescribeConfigs')];
    case 'admin-errors': return [...base, ...requests('CreateTopics', 'DeleteTopics', 'CreatePartitions', 'DescribeConfigs', 'IncrementalAlterConfigs', 'DeleteRecords', 'ListOffsets'),
      errors('TOPIC_ALREADY_EXISTS', 'CreateTopics'), errors('INVALID_PARTITIONS', 'CreateTopics'), errors('INVALID_REPLICATION_FACTOR', 'CreateTopics'),
      errors('INVALID_CONFIG', 'CreateTopics'), errors('UNKNOWN_TOPIC_OR_PARTITION', 'DeleteTopics')];
    case 'group-admin': return [...base, ...requests('ListGroups', 'DescribeGroups', 'JoinGroup', 'SyncGroup', 'OffsetCommit', 'OffsetFetch', 'OffsetDelete', 'DeleteGroups')];
    case 'broker-configs': return [...base, ...requests('DescribeConfigs', 'IncrementalAlterConfigs')];
    case 'reassignments': return [...base, ...requests('AlterPartitionReassignments', 'ListPartitionReassignments')];
    case 'acls-disabled': return [...base, ...requests('DescribeAcls', 'CreateAcls'), errors('SECURITY_DISABLED', 'DescribeAcls'), errors('SECURITY_DISABLED', 'CreateAcls')];
    case 'record-errors': return [...base, ...requests('Produce'), errors('INVALID_RECORD', 'Produce'), messagesIn(`${topic}-compact`, 1)];
    case 'fetch-close': return [...base, ...requests('Fetch'), bytesOut(topic)];
    case 'bytes': return [...base, ...requests('FindCoordinator', 'OffsetCommit', 'OffsetFetch', 'DescribeGroups')];
    case 'offsets-topic': return [...base, ...requests('OffsetCommit', 'Fetch'), bytesOut('__consumer_offsets')];
    case 'bulk': return [...base, ...requests('Produce', 'Fetch'), messagesIn(topic, bulkRecords), bytesOut(topic)];
    // The server is restarted halfway: counters start again from 0, so these count the second half only.
    case 'crash-retry': return [...requests('Produce', 'Fetch'), messagesIn(topic, 1)];
    case 'auth': return [...base, ...requests('SaslHandshake', 'Produce', 'Fetch'), messagesIn(topic, 3), bytesOut(topic), errors('TOPIC_AUTHORIZATION_FAILED'),
      ...(RAW_SASL_TOKENS.has(client) ? [] : [...requests('SaslAuthenticate'), errors('SASL_AUTHENTICATION_FAILED', 'SaslAuthenticate')])];
    default: return base;
  }
}

/**
 * The checks against two scrapes (before may be null: the server restarted during the cell, so every
 * counter counts from 0). -> { failed: [text], checked: number }
 */
export function evaluate(checks, beforeText, afterText) {
  const before = beforeText === null ? [] : parseMetrics(beforeText);
  const after = parseMetrics(afterText);
  const failed = [];
  for (const c of checks) {
    const min = c.min ?? 1;
    const a = sumOf(after, c.metric, c.labels);
    if (c.gauge) {
      if (!(a >= min)) failed.push(`${describeCheck(c)} = ${a} after the cell, expected >= ${min}`);
      continue;
    }
    const b = sumOf(before, c.metric, c.labels);
    if (!(a - b >= min)) failed.push(`${describeCheck(c)} ${a - b < 1 ? 'did not move' : `moved by ${a - b}`} (before ${b}, after ${a})${min > 1 ? `, expected +${min}` : ''}`);
  }
  return { failed, checked: checks.length };
}
