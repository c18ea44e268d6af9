#!/usr/bin/env node
// kpg compatibility suite runner: every client x scenario against kpg and/or a reference
// Apache Kafka 4.x broker. Plain Node (no build step).
//
//   node compat/run.mjs [--target kpg|kafka|both] [--only client,...] [--scenarios s,...]
//                       [--check] [--jobs N] [--timeout SECONDS] [--no-write]
//
//   --target   kafka: start compat/reference-kafka.sh; kpg: start kpg (KPG_SERVE_CMD, see below);
//              both: one after the other. Default: kafka.
//   --check    compare with the committed docs/compat.md and exit 1 if a cell that was pass is no
//              longer pass (a regression); docs/compat.md is then left alone unless --write.
//   --bootstrap HOST:PORT  use an already running server instead of starting one (one target only).
//
// Exit status: 0 when no cell failed; 1 when any cell failed (a client that is not installed fails
// all its cells, and the runner says how to install it; kafkactl's wrapper reports n/a instead), a server did not start, or --check found a
// regression; 2 on bad arguments or a runner crash.
//
// kpg is started as `node dist/cli.js serve --port PORT --data-dir DIR` from the repository root;
// override with KPG_SERVE_CMD (a shell command; {port}, {dataDir} and {metricsPort} are substituted).
// With {metricsPort} in the command (the default), kpg's /metrics is scraped before and after every cell
// and the counters the scenario must move are checked (compat/lib/metrics-check.mjs).
// Per-cell logs go to ${KPG_CACHE:-~/.cache/kpg}/logs/compat/<target>/.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import net from 'node:net';
import { createTopics, waitReady } from './lib/kwire.mjs';
import { describeCheck, evaluate, expectedMetrics, freePort, scrape } from './lib/metrics-check.mjs';
import { USERS, addAuthAcls, authNames, authPki, authPorts, kafkaEnv, kpgServeArgs, writeSecurityFile } from './lib/auth-target.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..');
const CACHE = process.env.KPG_CACHE ?? join(homedir(), '.cache', 'kpg');
const DOC = join(ROOT, 'docs', 'compat.md');
const SCENARIOS = ['metadata', 'topic-admin', 'produce-consume', 'group-resume', 'list-offsets', 'describe-configs', 'admin-errors', 'group-admin', 'broker-configs', 'reassignments', 'acls-disabled', 'record-errors', 'fetch-close', 'bytes', 'offsets-topic', 'bulk', 'crash-retry', 'auth'];
/**
 * What some scenarios need beyond the defaults (150 s per cell, a one-partition topic, cells run two at a time):
 *   timeout     seconds per cell, unless --timeout is given
 *   partitions  partitions of the pre-created topic
 *   disrupt     the program may print a line `DISRUPT`; the runner then crashes the server (SIGKILL) and
 *               restarts it on the same port and data, waits until it serves again, and answers on the
 *               program's stdin with one line `DISRUPTED ok|n/a|fail <detail>`. Such cells run alone,
 *               after all other cells, since a crash would break whatever else is running.
 */
const SCENARIO_OPTS = {
  bulk: { timeout: 900 },
  'group-admin': { timeout: 480 }, // ~50 runs of the Kafka CLI tools (a JVM each) for cli-tools
  'offsets-topic': { timeout: 300 }, // two reads of __consumer_offsets that end after 8 s without records
  'crash-retry': { timeout: 600, partitions: 3, disrupt: true },
  // runs against the secured target (compat/lib/auth-target.mjs), started after the plain one
  auth: { timeout: 300, secured: true }, // cli-tools: about 25 runs of the Kafka tools
};
const DEFAULT_TIMEOUT_S = 150;
// The reference Kafka runs with group.initial.rebalance.delay.ms=0 (reference-kafka.sh): kpg too, on the same footing.
// {metricsPort}: a free port for /metrics, picked at each start (the runner's metrics checks need it).
const KPG_SERVE_CMD = process.env.KPG_SERVE_CMD ?? 'node dist/cli.js serve --port {port} --data-dir {dataDir} --metrics-port {metricsPort} --broker-config group.initial.rebalance.delay.ms=0';
// The secured kpg of the auth scenario: {dataDir} and {args} (listeners and security configs, auth-target.mjs)
const KPG_AUTH_SERVE_CMD = process.env.KPG_AUTH_SERVE_CMD ?? 'node dist/cli.js serve --data-dir {dataDir} --metrics-port {metricsPort} {args}';
// Its users, created straight in Postgres before the start: {dataDir}, {name}; the password on stdin
const KPG_USER_ADD_CMD = process.env.KPG_USER_ADD_CMD ?? 'node dist/cli.js user add {name} --password-stdin --data-dir {dataDir}';
const shellQuote = (a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`);

const node = (file) => [process.execPath, join(HERE, 'clients', 'node', file)];
const java = (v) => ['java', '-Xmx256m', '-XX:TieredStopAtLevel=1', '-Dorg.slf4j.simpleLogger.defaultLogLevel=warn',
  '-cp', `${join(process.env.KPG_JAVA_CLASSES ?? join(CACHE, 'java-classes'), v)}:${join(CACHE, `clients${v}`, 'lib')}/*`, 'Scenarios'];
const py = (venv, file) => [join(CACHE, venv, 'bin', 'python'), join(HERE, 'clients', 'python', file)];
// KPG_JAVA_CLASSES / KPG_GO_BIN: programs compiled elsewhere (a branch's own build) instead of install.sh's
const go = (c) => [process.env.KPG_GO_BIN ?? join(CACHE, 'go', 'bin', 'kpg-compat-go'), '--client', c];

/** Client families: name, how to run one scenario, where install.sh recorded its version. */
export const CLIENTS = [
  { name: 'kafkajs', cmd: node('kafkajs.mjs'), version: 'kafkajs' },
  { name: 'platformatic', label: '@platformatic/kafka', cmd: node('platformatic.mjs'), version: 'platformatic' },
  { name: 'confluent-kafka', label: 'confluent-kafka-python', cmd: py('venv', 'confluent_scenarios.py'), version: 'confluent-kafka' },
  { name: 'kafka-python', cmd: py('venv', 'kafka_python_scenarios.py'), version: 'kafka-python' },
  { name: 'kafka-python-2.0.2', cmd: py('venv-kafka-python-2.0.2', 'kafka_python_scenarios.py'), version: 'kafka-python-2.0.2' },
  { name: 'kcat', cmd: node('kcat.mjs'), version: 'kcat' },
  { name: 'java-3.9', label: 'Java kafka-clients 3.9', cmd: java('39'), version: 'java-3.9' },
  { name: 'java-4', label: 'Java kafka-clients 4.x', cmd: java('4'), version: 'java-4' },
  { name: 'cli-tools', label: 'Kafka CLI tools', cmd: node('cli-tools.mjs'), version: 'cli-tools' },
  { name: 'sarama', label: 'Sarama', cmd: go('sarama'), version: 'sarama' },
  { name: 'franz-go', cmd: go('franz-go'), version: 'franz-go' },
  { name: 'kafka-go', label: 'segmentio/kafka-go', cmd: go('kafka-go'), version: 'kafka-go' },
  // The Go module proxy refuses kafkactl here, so install.sh may leave it out: its wrapper then reports
  // every cell n/a with that reason (KAFKACTL=/path runs a binary built elsewhere).
  { name: 'kafkactl', cmd: node('kafkactl.mjs'), version: 'kafkactl', wrapperReportsMissing: true },
];

const NOT_INSTALLED = 'not installed';
const INSTALL_HINT = 'install the clients and the reference Kafka with `npm run test:compat:install` (compat/install.sh, cached in ${KPG_CACHE:-~/.cache/kpg})';

function versionOf(c) {
  if (c.name === 'kafkactl' && process.env.KAFKACTL) return `the binary KAFKACTL names (${process.env.KAFKACTL}); its version is in the cell details`;
  try { return readFileSync(join(CACHE, 'versions', c.version), 'utf8').trim(); } catch { return NOT_INSTALLED; }
}

/** install.sh records a version for every client it installed; without one the client's cells cannot run. */
const isInstalled = (c) => c.wrapperReportsMissing || versionOf(c) !== NOT_INSTALLED;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** true when something already accepts connections on 127.0.0.1:port */
function portInUse(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

/**
 * Run one command in its own process group; kill the group on timeout. With onDisrupt, the program's
 * stdin is a pipe, and each stdout line `DISRUPT` calls onDisrupt() (-> {status, detail}) and answers
 * `DISRUPTED <status> <detail>` on that pipe.
 */
function runCell(argv, timeoutMs, logFile, onDisrupt) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: [onDisrupt ? 'pipe' : 'ignore', 'pipe', 'pipe'], env: { ...process.env, KPG_CACHE: CACHE, PYTHONDONTWRITEBYTECODE: '1' } });
    let stdout = '', stderr = '', timedOut = false, pending = '', events = '';
    let disrupting = Promise.resolve();
    child.stdin?.on('error', () => { /* the program exited without reading */ });
    child.stdout.on('data', (d) => {
      stdout += d;
      if (!onDisrupt) return;
      pending += d;
      const lines = pending.split('\n');
      pending = lines.pop();
      for (const line of lines) {
        if (line.trim() !== 'DISRUPT') continue;
        const at = Date.now() - started;
        disrupting = disrupting.then(async () => {
          let r;
          try { r = await onDisrupt(); } catch (e) { r = { status: 'fail', detail: `restart failed: ${e.message}` }; }
          const reply = `DISRUPTED ${r.status} ${String(r.detail).replace(/\n/g, ' ')}`;
          events += `# ${at} ms: DISRUPT -> ${reply}\n`;
          console.log(`      ${reply}`);
          if (child.exitCode === null && child.stdin?.writable) child.stdin.write(`${reply}\n`);
        });
      }
    });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { timedOut = true; try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    const finish = (code, err) => {
      clearTimeout(timer);
      const ms = Date.now() - started;
      writeFileSync(logFile, `$ ${argv.join(' ')}\n# exit ${code} after ${ms} ms${err ? ` (${err})` : ''}\n${events}--- stdout\n${stdout}\n--- stderr\n${stderr}`);
      let result = null;
      for (const line of stdout.trim().split('\n').reverse()) {
        try { const j = JSON.parse(line); if (j && j.status) { result = j; break; } } catch { /* not JSON */ }
      }
      if (timedOut) result = { status: 'fail', detail: `timed out after ${timeoutMs / 1000}s${result ? ` (${result.detail})` : ''}` };
      else if (!result) {
        const tail = stderr.trim().split('\n').filter((l) => !/^\s+at /.test(l)).slice(-2).join(' | ');
        result = { status: 'fail', detail: `crashed: exit ${code}${err ? ` ${err}` : ''}: ${tail.slice(0, 300)}` };
      }
      resolve({ status: result.status, detail: String(result.detail ?? ''), ms });
    };
    child.on('error', (e) => finish(-1, e.message));
    child.on('close', (code) => { void disrupting.then(() => finish(code)); });
  });
}

// ------------------------------------------------------------------ servers
async function startKafka(port, env = {}) {
  const r = spawnSync('bash', [join(HERE, 'reference-kafka.sh'), 'start', String(port)], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 180000, env: { ...process.env, ...env } });
  process.stdout.write(r.stdout);
  if (r.status !== 0) throw new Error('reference Kafka did not start');
  return {
    bootstrap: `127.0.0.1:${port}`,
    stop: async () => { spawnSync('bash', [join(HERE, 'reference-kafka.sh'), 'stop', String(port)], { stdio: 'inherit' }); },
    // SIGKILL the broker, start it again on the same log dir and port, wait for Metadata
    disrupt: async () => {
      const t0 = Date.now();
      const k = await spawnAsync('bash', [join(HERE, 'reference-kafka.sh'), 'crash-restart', String(port)], 180000);
      if (k.code !== 0) return { status: 'fail', detail: `reference Kafka did not come back: ${k.output.trim().split('\n').slice(-3).join(' | ')}` };
      return { status: 'ok', detail: `broker killed with SIGKILL and serving again after ${Date.now() - t0} ms` };
    },
  };
}

/** spawnAsync with `input` on the command's stdin */
function spawnAsyncInput(cmd, args, input, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.stdin.end(input);
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, output: e.message }); });
  });
}

/** spawn without blocking the event loop (cells keep streaming their output meanwhile) */
function spawnAsync(cmd, args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    const timer = setTimeout(() => { try { child.kill('SIGKILL'); } catch { /* gone */ } }, timeoutMs);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, output }); });
    child.on('error', (e) => { clearTimeout(timer); resolve({ code: -1, output: e.message }); });
  });
}

async function startKpg(port, { serveCmd = KPG_SERVE_CMD, logName = 'server.log', afterStart } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'kpg-compat-data-'));
  // the same metrics port for a restart (disrupt): the command line is reused as it is. Not one of the
  // Kafka ports (the secured target listens on port..port+3, auth-target.mjs).
  const metricsPort = serveCmd.includes('{metricsPort}') ? await freePort([port, port + 1, port + 2, port + 3]) : undefined;
  const cmd = serveCmd.replaceAll('{port}', String(port)).replaceAll('{dataDir}', dataDir).replaceAll('{metricsPort}', String(metricsPort));
  const logDir = join(CACHE, 'logs', 'compat', 'kpg');
  mkdirSync(logDir, { recursive: true });
  const log = join(logDir, logName);
  console.log(`starting kpg: ${cmd} (log ${log})`);
  const fs = await import('node:fs');
  const startTimeoutMs = Number(process.env.KPG_START_TIMEOUT ?? 120) * 1000;
  // One kpg process; a crash-restart (disrupt) replaces it with another on the same port and data dir.
  let proc;
  const spawnKpg = async (flags) => {
    const out = fs.openSync(log, flags);
    const child = spawn('bash', ['-c', `exec ${cmd}`], { cwd: ROOT, detached: true, stdio: ['ignore', out, out] });
    fs.closeSync(out);
    const p = { child, exited: null };
    p.exitedP = new Promise((resolve) => child.once('exit', (code, signal) => { p.exited = code ?? signal; resolve(); }));
    proc = p;
    await Promise.race([
      waitReady(`127.0.0.1:${port}`, startTimeoutMs),
      p.exitedP.then(() => { throw new Error(`kpg exited (${p.exited}) before serving; see ${log}`); }),
    ]);
  };
  const stop = async () => {
    // SIGTERM lets kpg stop its embedded PostgreSQL; SIGKILL the group after 10s
    if (!proc) { stopOrphanPostgres(dataDir); rmSync(dataDir, { recursive: true, force: true }); return; }
    const { child, exitedP } = proc;
    try { process.kill(-child.pid, 'SIGTERM'); } catch { /* gone */ }
    await Promise.race([exitedP, sleep(10000)]);
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
    stopOrphanPostgres(dataDir);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await spawnKpg('w');
    if (afterStart) await afterStart(dataDir, log);
  } catch (e) { await stop(); throw e; }
  const server = {
    bootstrap: `127.0.0.1:${port}`,
    metricsPort,
    /** starts of kpg since the first: a cell across a restart compares its counters with 0 */
    restarts: 0,
    stop,
    // SIGKILL kpg (its process group: kpg alone, the embedded Postgres runs in a group of its own and
    // survives as an orphan), then start a new kpg on the same port and data dir, which stops that
    // orphan and starts Postgres again (src/embedded/postgres.ts)
    disrupt: async () => {
      const t0 = Date.now();
      const { child, exitedP } = proc;
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      await exitedP;
      fs.appendFileSync(log, `\n----- compat runner: kpg (pid ${child.pid}) killed with SIGKILL; starting it again on the same data dir\n`);
      server.restarts += 1;
      await spawnKpg('a');
      return { status: 'ok', detail: `kpg killed with SIGKILL and serving again (same port and data dir) after ${Date.now() - t0} ms` };
    },
  };
  return server;
}

/** A crashed kpg start can leave the embedded Postgres of our data dir running: stop it (it is ours). */
function stopOrphanPostgres(dataDir) {
  try {
    const pid = Number(readFileSync(join(dataDir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
    // only a postgres running on this very data dir (the pid may have been reused since)
    if (pid > 0 && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir)) process.kill(pid, 'SIGQUIT');
  } catch { /* no Postgres left */ }
}

/**
 * The secured target of the auth scenario on ports base.. (auth-target.mjs): certificates, users and
 * the scenario's ACLs (added through the PLAINTEXT listener with kafka-acls, as an operator would).
 */
async function startAuthTarget(target, base) {
  const dir = mkdtempSync(join(tmpdir(), 'kpg-compat-auth-'));
  const pki = authPki(join(dir, 'pki'));
  const ports = authPorts(base);
  let server;
  try {
    if (target === 'kafka') {
      server = await startKafka(base, kafkaEnv(pki, ports, dir));
    } else {
      const args = kpgServeArgs(pki, ports).map(shellQuote).join(' ');
      server = await startKpg(base, {
        serveCmd: KPG_AUTH_SERVE_CMD.replaceAll('{args}', args),
        logName: 'server-auth.log',
        // `kpg user add` needs the embedded Postgres that the first start creates: users are added while
        // kpg runs (they take effect at once, through kpg's change notifications)
        afterStart: async (dataDir, log) => {
          for (const [name, password] of Object.entries(USERS)) {
            const cmd = KPG_USER_ADD_CMD.replaceAll('{name}', name).replaceAll('{dataDir}', dataDir);
            const r = await spawnAsyncInput('bash', ['-c', cmd], `${password}\n`, 120000);
            writeFileSync(log, `\n----- compat runner: $ ${cmd}\n${r.output}`, { flag: 'a' });
            if (r.code !== 0) throw new Error(`${cmd}: exit ${r.code}: ${r.output.trim().split('\n').slice(-2).join(' | ')}`);
          }
        },
      });
    }
    await addAuthAcls(server.bootstrap);
  } catch (e) {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  const stop = server.stop;
  return {
    ...server,
    disrupt: undefined,
    stop: async () => { await stop(); rmSync(dir, { recursive: true, force: true }); },
    /** the cell's topics to pre-create and the program's extra arguments */
    cellSetup: (cellId) => {
      const names = authNames(cellId);
      return { topics: [names.topic, names.deniedTopic], topic: names.topic, args: ['--security', writeSecurityFile(join(dir, `${cellId}.json`), pki, ports, names)] };
    },
  };
}

// ------------------------------------------------------------------ matrix + docs
const REQUESTS_METRIC = 'kafka_network_requestmetrics_requests_total';
/** The metrics checks of a kpg run, per scenario: how many passing cells were checked, and what. */
function metricsSummaryText(summary) {
  const names = Object.keys(summary);
  if (!names.length) return 'metrics checked: none (no passing cell, or no {metricsPort} in the kpg command, or --bootstrap)';
  const lines = ['metrics checked (kpg /metrics before and after each passing cell; per scenario, what its cells had to move; TOPIC is the cell\'s topic):'];
  for (const s of names) {
    const { cells, failedCells, checks } = summary[s];
    // the request counters as one selector: requests_total{request=~"Metadata|Produce|..."}
    const apis = [...checks].filter((c) => c.startsWith('request:')).map((c) => c.slice('request:'.length));
    const others = [...checks].filter((c) => !c.startsWith('request:'));
    const shown = [...(apis.length ? [`${REQUESTS_METRIC}{request=~"${apis.join('|')}"}`] : []), ...others];
    lines.push(`  ${s}: ${cells} cell run(s)${failedCells ? `, ${failedCells} failed` : ''}: ${shown.join(', ')}`);
  }
  return lines.join('\n');
}

const CELL = { pass: 'pass', fail: 'FAIL', 'n/a': 'n/a' };

function matrixText(target, clients, scenarios, results) {
  const w = Math.max(...clients.map((c) => c.name.length), 6);
  const lines = [`[${target}]`, `${'client'.padEnd(w)} ${scenarios.map((s) => s.padEnd(Math.max(s.length, 4))).join(' ')}`];
  for (const c of clients) {
    lines.push(`${c.name.padEnd(w)} ${scenarios.map((s) => (CELL[results[c.name]?.[s]?.status] ?? '-').padEnd(Math.max(s.length, 4))).join(' ')}`);
  }
  return lines.join('\n');
}

function sectionMarkdown(target, meta, clients, scenarios, results) {
  const out = [`## Target: ${target}`, '', `${meta}`, '', `| client | version | ${scenarios.join(' | ')} |`, `|---|---|${scenarios.map(() => '---').join('|')}|`];
  for (const c of clients) out.push(`| ${c.name} | ${versionOf(c)} | ${scenarios.map((s) => results[c.name]?.[s]?.status ?? '-').join(' | ')} |`);
  out.push('', '<details><summary>details</summary>', '');
  for (const c of clients) {
    for (const s of scenarios) {
      const r = results[c.name]?.[s];
      if (r) out.push(`- **${c.name} / ${s}**: ${r.status} — ${r.detail.replace(/\|/g, '\\|').replace(/\n/g, ' ')}`);
    }
  }
  out.push('', '</details>', '');
  return out.join('\n');
}

/** Parse the tables of docs/compat.md: {target: {client: {scenario: status}}} and raw sections. */
export function parseDoc(text) {
  const targets = {}, sections = {}, details = {};
  const parts = text.split(/^## Target: /m);
  for (const part of parts.slice(1)) {
    const target = part.split('\n')[0].trim();
    sections[target] = `## Target: ${part.trimEnd()}\n`;
    const rows = part.split('\n').filter((l) => l.startsWith('|'));
    if (rows.length < 2) continue;
    const head = rows[0].split('|').slice(1, -1).map((s) => s.trim());
    const cells = {};
    for (const row of rows.slice(2)) {
      const cols = row.split('|').slice(1, -1).map((s) => s.trim());
      cells[cols[0]] = {};
      head.forEach((h, i) => { if (i >= 2) cells[cols[0]][h] = cols[i]; });
    }
    targets[target] = cells;
    details[target] = {};
    for (const m of part.matchAll(/^- \*\*(.+?) \/ (.+?)\*\*: \S+ — (.*)$/gm)) (details[target][m[1]] ??= {})[m[2]] = m[3].replace(/\\\|/g, '|');
  }
  return { targets, sections, details };
}

function writeDoc(sections) {
  const order = ['kpg', 'kafka', ...Object.keys(sections).filter((t) => t !== 'kpg' && t !== 'kafka')];
  const body = order.filter((t) => sections[t]).map((t) => sections[t].trimEnd() + '\n').join('\n');
  const text = `# Kafka client compatibility

Generated by \`npm run test:compat\` (compat/run.mjs); do not edit by hand. Each client runs the same
scenarios against kpg and against a reference Apache Kafka broker (single node, KRaft). \`n/a\` means the
client cannot express the scenario (the details say why). Scenarios are described in compat/README.md.
\`npm run test:compat -- --check\` fails when a cell that is \`pass\` here stops passing.

${body}`;
  mkdirSync(dirname(DOC), { recursive: true });
  writeFileSync(DOC, text);
}

// ------------------------------------------------------------------ main
async function main() {
  const { values } = parseArgs({
    options: {
      target: { type: 'string', default: 'kafka' },
      only: { type: 'string' },
      scenarios: { type: 'string' },
      check: { type: 'boolean', default: false },
      write: { type: 'boolean', default: false },
      'no-write': { type: 'boolean', default: false },
      jobs: { type: 'string', default: '2' },
      timeout: { type: 'string' },
      port: { type: 'string' },
      'auth-port': { type: 'string' },
      bootstrap: { type: 'string' },
    },
  });
  const targets = values.target === 'both' ? ['kafka', 'kpg'] : [values.target];
  if (!targets.every((t) => t === 'kafka' || t === 'kpg')) throw new Error(`--target must be kpg, kafka or both`);
  const only = values.only ? values.only.split(',').map((s) => s.trim()) : null;
  const unknown = (only ?? []).filter((n) => !CLIENTS.some((c) => c.name === n));
  if (unknown.length) throw new Error(`unknown client(s) ${unknown.join(',')}; known: ${CLIENTS.map((c) => c.name).join(',')}`);
  const clients = CLIENTS.filter((c) => !only || only.includes(c.name));
  const scenarios = values.scenarios ? values.scenarios.split(',') : SCENARIOS;
  const jobs = Math.max(1, Number(values.jobs));
  const timeoutMsOf = (s) => Number(values.timeout ?? SCENARIO_OPTS[s]?.timeout ?? DEFAULT_TIMEOUT_S) * 1000;
  const old = existsSync(DOC) ? parseDoc(readFileSync(DOC, 'utf8')) : { targets: {}, sections: {}, details: {} };
  const sections = { ...old.sections };
  const regressions = [];
  const failures = [];
  const missingClients = clients.filter((c) => !isInstalled(c));
  const runId = Date.now().toString(36);

  for (const target of targets) {
    const results = {};
    /** scenario -> { cells, failedCells, checks: Set of check texts } (kpg only) */
    const metricsSummary = {};
    const t0 = Date.now();
    const logDir = join(CACHE, 'logs', 'compat', target);
    mkdirSync(logDir, { recursive: true });
    // The plain target serves every scenario but auth; the secured one (started after it) serves auth.
    const phases = [
      { secured: false, scenarios: scenarios.filter((s) => !SCENARIO_OPTS[s]?.secured) },
      { secured: true, scenarios: scenarios.filter((s) => SCENARIO_OPTS[s]?.secured) },
    ].filter((p) => p.scenarios.length);
    for (const phase of phases) {
    const port = phase.secured
      ? Number(values['auth-port'] ?? (target === 'kafka' ? 39292 : 39392))
      : Number(values.port ?? (target === 'kafka' ? 39092 : 39192));
    let server = null;
    try {
      if (phase.secured && values.bootstrap) throw new Error('the auth scenario needs the secured target the runner starts (not --bootstrap)');
      const ports = phase.secured ? Object.values(authPorts(port)) : [port];
      for (const p of ports) if (!values.bootstrap && await portInUse(p)) throw new Error(`port ${p} is already in use (another server would answer instead); pass ${phase.secured ? '--auth-port' : '--port'}`);
      const start = () => (phase.secured ? startAuthTarget(target, port) : target === 'kafka' ? startKafka(port) : startKpg(port));
      // A server that fails to start is tried once more: fixed ports sit in Linux's ephemeral range, so a
      // client connection of an earlier cell can hold one for a moment; the first error is printed.
      server = values.bootstrap ? { bootstrap: values.bootstrap, stop: async () => {} }
        : await start().catch(async (e) => {
          console.error(`${phase.secured ? `${target} (secured, auth)` : target}: did not start (${e.message}); trying once more in 5 s`);
          await new Promise((r) => setTimeout(r, 5000));
          return start();
        });
    } catch (e) {
      const what = phase.secured ? `${target} (secured, auth)` : target;
      console.error(`${what}: could not start: ${e.message}`);
      failures.push(`${what}: the server did not start (${e.message})`);
      if (values.check && old.targets[target]) regressions.push(`${what}: server did not start`);
      for (const c of clients) for (const s of phase.scenarios) (results[c.name] ??= {})[s] = { status: 'fail', detail: `the server did not start: ${e.message}`.slice(0, 300), ms: 0 };
      continue;
    }
    const cells = clients.flatMap((c) => phase.scenarios.map((s) => ({ c, s })));
    const shared = cells.filter(({ s }) => !SCENARIO_OPTS[s]?.disrupt);
    const alone = cells.filter(({ s }) => SCENARIO_OPTS[s]?.disrupt);
    const onDisrupt = async () => (server.disrupt ? server.disrupt()
      : { status: 'n/a', detail: 'the runner did not start this server (--bootstrap), so it cannot restart it' });
    const runOne = async ({ c, s }, attempt = 1) => {
      // A second attempt gets fresh topic names: the first may have left its topics behind.
      const cellId = `${c.name}-${s}-${runId}${attempt > 1 ? `-r${attempt}` : ''}`.replace(/[^a-zA-Z0-9._-]/g, '-');
      const setup = server.cellSetup ? server.cellSetup(cellId) : { topics: [`compat-${cellId}`], topic: `compat-${cellId}`, args: [] };
      const topic = setup.topic;
      let r;
      if (!isInstalled(c)) {
        r = { status: 'fail', detail: `${c.name} is ${NOT_INSTALLED} (npm run test:compat:install)`, ms: 0 };
        (results[c.name] ??= {})[s] = r;
        console.log(`${target.padEnd(5)} ${c.name.padEnd(18)} ${s.padEnd(16)} ${CELL.fail.padEnd(4)}     -  ${c.name} is ${NOT_INSTALLED}`);
        return;
      }
      const cellLog = join(logDir, `${c.name}-${s}.log`);
      // kpg only (the reference Kafka has no /metrics): scraped before and after the cell
      const metricsPort = target === 'kpg' ? server.metricsPort : undefined;
      try {
        await createTopics(server.bootstrap, setup.topics, SCENARIO_OPTS[s]?.partitions ?? 1);
        const before = metricsPort ? { text: await scrape(metricsPort).catch((e) => e), restarts: server.restarts } : null;
        r = await runCell([...c.cmd, '--bootstrap', server.bootstrap, '--scenario', s, '--topic', topic, ...setup.args], timeoutMsOf(s),
          cellLog, SCENARIO_OPTS[s]?.disrupt ? onDisrupt : undefined);
        if (before && r.status === 'pass') r = await checkMetrics(r, { client: c.name, scenario: s, topic, before, cellLog });
      } catch (e) {
        r = { status: 'fail', detail: `setup (pre-creating ${setup.topics.join(', ')} with the runner's own CreateTopics): ${e.message}`, ms: 0 };
      }
      (results[c.name] ??= {})[s] = r;
      console.log(`${target.padEnd(5)} ${c.name.padEnd(18)} ${s.padEnd(16)} ${(CELL[r.status] ?? r.status).padEnd(4)} ${String(Math.round(r.ms / 100) / 10).padStart(5)}s  ${r.detail.slice(0, 140)}`);
    };
    /**
     * A passing cell's metrics checks: a counter it must have moved that did not fails the cell, with the
     * metric and the scrape values in the detail and in the cell's log. Failed and n/a cells are not checked.
     */
    const checkMetrics = async (r, { client, scenario, topic, before, cellLog }) => {
      const checks = expectedMetrics(scenario, { client, topic, bulkRecords: Number(process.env.KPG_COMPAT_BULK_N ?? 100000) });
      let failed;
      try {
        if (before.text instanceof Error) throw before.text;
        const after = await scrape(server.metricsPort);
        failed = evaluate(checks, server.restarts === before.restarts ? before.text : null, after).failed;
      } catch (e) {
        failed = [`could not scrape /metrics on port ${server.metricsPort}: ${e.message}`];
      }
      const stats = (metricsSummary[scenario] ??= { cells: 0, failedCells: 0, checks: new Set() });
      stats.cells += 1;
      for (const ch of checks) stats.checks.add(ch.metric === REQUESTS_METRIC ? `request:${ch.labels.request}` : describeCheck(ch).replaceAll(topic, 'TOPIC'));
      if (!failed.length) return r;
      stats.failedCells += 1;
      writeFileSync(cellLog, `\n--- metrics checks (kpg /metrics before and after the cell)\n${failed.join('\n')}\n`, { flag: 'a' });
      return { ...r, status: 'fail', detail: `metrics: ${failed.join('; ')} (the scenario itself passed: ${r.detail})` };
    };
    let next = 0;
    const cleanup = async () => { await server?.stop(); };
    const onSignal = async () => { await cleanup(); process.exit(130); };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    try {
      await Promise.all(Array.from({ length: jobs }, async () => {
        while (next < shared.length) await runOne(shared[next++]);
      }));
      // cells that crash the server run one at a time, after the others
      for (const cell of alone) await runOne(cell);
      // A failed cell runs once more, alone: the machine is shared and clients time out under load, while
      // a real regression fails twice. The first failure stays visible in the detail.
      for (const cell of cells.filter(({ c, s }) => results[c.name]?.[s]?.status === 'fail' && isInstalled(c))) {
        const first = results[cell.c.name][cell.s];
        await runOne(cell, 2);
        const second = results[cell.c.name][cell.s];
        if (second.status === 'pass') second.detail = `${second.detail} (passed on a second attempt; the first failed: ${first.detail.slice(0, 160)})`;
      }
    } finally {
      await cleanup();
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    }
    const cells = clients.flatMap((c) => scenarios.map((s) => ({ c, s })));
    console.log(`\n${matrixText(target, clients, scenarios, results)}\n(${Math.round((Date.now() - t0) / 1000)}s)\n`);
    if (target === 'kpg') console.log(`${metricsSummaryText(metricsSummary)}\n`);
    writeFileSync(join(logDir, 'results.json'), JSON.stringify(results, null, 1));
    for (const { c, s } of cells) {
      const r = results[c.name]?.[s];
      if (r?.status === 'fail') failures.push(`${target} ${c.name} ${s}: ${r.detail.slice(0, 200)}`);
    }

    const meta = target === 'kafka'
      ? `Reference: Apache Kafka ${(() => { try { return readFileSync(join(CACHE, 'versions', 'kafka'), 'utf8').trim(); } catch { return '?'; } })()} (KRaft, single node), ${new Date().toISOString().slice(0, 10)}.`
      : `kpg ${JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version} (${KPG_SERVE_CMD.replace(/\{\w+\}/g, '…')}), ${new Date().toISOString().slice(0, 10)}.`;
    // merge: cells not run this time keep their previous status
    const merged = {};
    const allClients = CLIENTS.filter((c) => results[c.name] || old.targets[target]?.[c.name]);
    for (const c of allClients) {
      merged[c.name] = {};
      for (const s of SCENARIOS) {
        merged[c.name][s] = results[c.name]?.[s] ?? (old.targets[target]?.[c.name]?.[s] ? { status: old.targets[target][c.name][s], detail: old.details?.[target]?.[c.name]?.[s] ?? '(not rerun)' } : undefined);
      }
    }
    sections[target] = sectionMarkdown(target, meta, allClients, SCENARIOS, merged);

    if (values.check) {
      for (const [client, row] of Object.entries(old.targets[target] ?? {})) {
        for (const [s, status] of Object.entries(row)) {
          const now = results[client]?.[s];
          if (status === 'pass' && now && now.status !== 'pass') regressions.push(`${target} ${client} ${s}: was pass, now ${now.status} (${now.detail})`);
        }
      }
    }
  }

  const write = values.check ? values.write : !values['no-write'];
  if (write) { writeDoc(sections); console.log(`wrote ${DOC}`); }
  let status = 0;
  if (regressions.length) {
    console.error(`\n${regressions.length} regression(s) against docs/compat.md:\n  ${regressions.join('\n  ')}`);
    status = 1;
  } else if (values.check) console.log('no regressions against docs/compat.md');
  if (failures.length) {
    console.error(`\n${failures.length} failure(s):\n  ${failures.join('\n  ')}`);
    status = 1;
  }
  if (missingClients.length) {
    console.error(`\nnot installed: ${missingClients.map((c) => c.name).join(', ')} (no version recorded in ${join(CACHE, 'versions')});\n${INSTALL_HINT}`);
  } else if (failures.some((f) => f.startsWith('kafka: the server did not start'))) {
    console.error(`\nif the reference Kafka is not installed: ${INSTALL_HINT}`);
  }
  return status;
}

main().then((status) => process.exit(status), (e) => { console.error(e?.stack ?? e); process.exit(2); });
