#!/usr/bin/env node
// Golden-bytes capture proxy: forwards TCP from a local port to an upstream Kafka broker and
// records every request frame and its matching response frame (matched by correlation id) as
//   <outDir>/<client>-<apiKey>-v<version>-<n>.req.bin / .resp.bin
// where n counts frames of that client/api/version. Frames are stored whole, including the
// 4-byte length prefix. A small index.tsv lists what was recorded.
//
//   node compat/capture-proxy.mjs --listen 39094 --upstream 127.0.0.1:39092 --out DIR --client NAME [--quiet]
//                                 [--keys 0,1,...] [--max-per-version N]
//
// --keys records only those API keys and --max-per-version only the first N frames of each
// client/api/version (a consumer's repeated Fetch and Heartbeat would otherwise bloat the golden set);
// everything is forwarded all the same.
//
// Responses are forwarded unchanged, so a client reconnects to whatever address the broker
// advertises: to keep every connection on the proxy, start the reference broker with
// KPG_KAFKA_ADVERTISED_PORT=<listen port> (compat/reference-kafka.sh) as compat/capture-golden.sh does.
//
// Responses are matched per connection: Kafka answers requests on one connection in order,
// and carries the request's correlation id in the response header.
import net from 'node:net';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const API_NAMES = {
  0: 'Produce', 1: 'Fetch', 2: 'ListOffsets', 3: 'Metadata', 8: 'OffsetCommit', 9: 'OffsetFetch', 10: 'FindCoordinator',
  11: 'JoinGroup', 12: 'Heartbeat', 13: 'LeaveGroup', 14: 'SyncGroup', 15: 'DescribeGroups', 16: 'ListGroups',
  17: 'SaslHandshake', 18: 'ApiVersions', 19: 'CreateTopics', 20: 'DeleteTopics', 22: 'InitProducerId', 32: 'DescribeConfigs',
  33: 'AlterConfigs', 36: 'SaslAuthenticate', 44: 'IncrementalAlterConfigs', 60: 'DescribeCluster', 71: 'GetTelemetrySubscriptions',
  75: 'DescribeTopicPartitions',
};

/** Splits a byte stream into length-prefixed frames. */
class Framer {
  constructor(onFrame) { this.buf = Buffer.alloc(0); this.onFrame = onFrame; }
  push(chunk) {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 4) {
      const len = this.buf.readInt32BE(0);
      if (this.buf.length < 4 + len) break;
      this.onFrame(this.buf.subarray(0, 4 + len));
      this.buf = this.buf.subarray(4 + len);
    }
  }
}

export function startCaptureProxy({ listenPort, listenHost = '127.0.0.1', upstream, outDir, client, keys = null, maxPerVersion = Infinity, log = () => {} }) {
  mkdirSync(outDir, { recursive: true });
  const [uhost, uport] = [upstream.slice(0, upstream.lastIndexOf(':')), Number(upstream.slice(upstream.lastIndexOf(':') + 1))];
  const counters = new Map();
  let conn = 0;
  const server = net.createServer((down) => {
    const id = ++conn;
    const up = net.connect({ host: uhost, port: uport });
    const pending = new Map(); // correlation id -> {apiKey, version, name}
    const reqFramer = new Framer((frame) => {
      if (frame.length >= 12) {
        const apiKey = frame.readInt16BE(4), version = frame.readInt16BE(6), corr = frame.readInt32BE(8);
        const k = `${client}-${apiKey}-v${version}`;
        const n = (counters.get(k) ?? 0) + 1;
        counters.set(k, n);
        const name = `${k}-${n}`;
        if ((keys === null || keys.includes(apiKey)) && n <= maxPerVersion) {
          writeFileSync(join(outDir, `${name}.req.bin`), frame);
          pending.set(corr, { apiKey, version, name });
          appendFileSync(join(outDir, 'index.tsv'), `${name}\tconn ${id}\t${API_NAMES[apiKey] ?? `api ${apiKey}`} v${version}\tcorrelation ${corr}\t${frame.length} bytes request\n`);
        }
        log(`conn ${id} -> ${API_NAMES[apiKey] ?? apiKey} v${version} corr ${corr} (${frame.length} bytes)`);
      }
      up.write(frame);
    });
    const respFramer = new Framer((frame) => {
      if (frame.length >= 8) {
        const corr = frame.readInt32BE(4);
        const req = pending.get(corr);
        if (req) {
          pending.delete(corr);
          writeFileSync(join(outDir, `${req.name}.resp.bin`), frame);
          log(`conn ${id} <- corr ${corr} (${frame.length} bytes)`);
        } else {
          log(`conn ${id} <- correlation id ${corr} (not recorded)`);
        }
      }
      down.write(frame);
    });
    down.on('data', (d) => reqFramer.push(d));
    up.on('data', (d) => respFramer.push(d));
    const close = () => { down.destroy(); up.destroy(); };
    down.on('error', close); up.on('error', close);
    down.on('close', close); up.on('close', close);
  });
  return new Promise((resolve) => server.listen(listenPort, listenHost, () => resolve(server)));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      listen: { type: 'string', default: '39094' },
      upstream: { type: 'string', default: '127.0.0.1:39092' },
      out: { type: 'string', default: 'capture' },
      client: { type: 'string', default: 'client' },
      quiet: { type: 'boolean', default: false },
      keys: { type: 'string' },
      'max-per-version': { type: 'string' },
    },
  });
  await startCaptureProxy({
    listenPort: Number(values.listen), upstream: values.upstream, outDir: values.out, client: values.client,
    keys: values.keys ? values.keys.split(',').map(Number) : null,
    maxPerVersion: values['max-per-version'] ? Number(values['max-per-version']) : Infinity,
    log: values.quiet ? () => {} : (m) => console.error(m),
  });
  console.error(`capture-proxy: 127.0.0.1:${values.listen} -> ${values.upstream}, recording ${values.client} frames into ${values.out}`);
}
