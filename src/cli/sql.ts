/**
 * `kpg sql`: a SQL session on kpg's database.
 *
 *   kpg sql                      psql on the embedded Postgres of ./data (--data-dir), when psql is installed;
 *                                otherwise a minimal prompt of its own (statements end with ';', \q quits)
 *   kpg sql -c "SELECT ..."      runs the SQL through node-postgres and prints the rows as a table
 *   kpg sql --database-url URL   the same on another Postgres (env DATABASE_URL)
 *
 * With a data dir, it connects to the embedded Postgres of the kpg running there, over the Unix socket in
 * `<data-dir>/pg` (the TCP port when there is no socket) with the password in `<data-dir>/pg-password`.
 * When no kpg runs on that data dir, it starts the embedded Postgres for the session and stops it after
 * (holding the data dir meanwhile: a kpg started then is refused, naming this process). It never creates
 * a data dir. Exit status: 0, or 1 when the SQL failed or no database could be reached (psql's own status
 * in a psql session).
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import type { Command, Option } from 'commander';
import pg from 'pg';
import { DataDirInUseError, isProcessAlive, startEmbeddedPostgres, type EmbeddedPostgres } from '../embedded/postgres.js';
import { createLogger } from '../logging.js';
import { formatTable } from './topic.js';

const SUPERUSER = 'postgres';
const DATABASE = 'kpg';

export interface SqlOptions {
  databaseUrl?: string;
  dataDir: string;
  command?: string;
  psql: boolean;
}

/** A mistake of the user's, reported as one line without a stack. */
export class SqlCommandError extends Error {}

export interface Target {
  config: pg.ClientConfig;
  psqlArgs: string[];
  psqlEnv: Record<string, string>;
  /** The embedded Postgres this command started for the session, stopped at the end. */
  started?: EmbeddedPostgres;
}

/** What postmaster.pid says about a live postmaster: its port and first socket directory. */
function runningPostmaster(clusterDir: string): { port: number; socketDir: string } | undefined {
  let lines: string[];
  try {
    lines = readFileSync(path.join(clusterDir, 'postmaster.pid'), 'utf8').split('\n');
  } catch {
    return undefined;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!isProcessAlive(pid) || !Number.isInteger(port) || port <= 0) return undefined;
  return { port, socketDir: lines[4]?.trim() ?? '' };
}

/**
 * kpg's database for a command: --database-url, or the embedded Postgres of --data-dir (started for the
 * command when no kpg runs there). With `initialize`, a data dir that holds nothing yet gets its embedded
 * Postgres created, as `kpg serve` would (how the first SASL user and ACLs exist before kpg first serves).
 */
export async function resolveTarget(
  opts: Pick<SqlOptions, 'databaseUrl' | 'dataDir'>,
  command = 'kpg sql',
  { initialize = false }: { initialize?: boolean } = {},
): Promise<Target> {
  if (opts.databaseUrl) {
    return { config: { connectionString: opts.databaseUrl }, psqlArgs: [opts.databaseUrl], psqlEnv: {} };
  }
  const dataDir = path.resolve(opts.dataDir);
  if (initialize && !existsSync(path.join(dataDir, 'pg', 'PG_VERSION'))) {
    const started = await startEmbeddedPostgres({ dataDir, logger: createLogger('warn', process.stderr) });
    process.stderr.write(`${command}: created the embedded Postgres of ${opts.dataDir} (kpg serve --data-dir ${opts.dataDir} uses it)\n`);
    const url = new URL(started.connectionString);
    const password = decodeURIComponent(url.password);
    const host = started.socketDir ?? '127.0.0.1';
    return {
      config: { host, port: started.port, user: SUPERUSER, password, database: DATABASE },
      psqlArgs: ['-h', host, '-p', String(started.port), '-U', SUPERUSER, '-d', DATABASE],
      psqlEnv: { PGPASSWORD: password },
      started,
    };
  }
  if (!existsSync(dataDir)) {
    throw new SqlCommandError(`no data dir ${opts.dataDir} (${dataDir} does not exist); give the --data-dir kpg serve uses, or --database-url`);
  }
  const clusterDir = path.join(dataDir, 'pg');
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    throw new SqlCommandError(`${opts.dataDir} holds no embedded Postgres (${clusterDir} is not a PostgreSQL cluster); start kpg with --data-dir ${opts.dataDir} first, or give --database-url`);
  }
  const passwordFile = path.join(dataDir, 'pg-password');
  let password: string;
  try {
    password = readFileSync(passwordFile, 'utf8').trim();
  } catch (err) {
    throw new SqlCommandError(`cannot read the password of the embedded Postgres: ${(err as Error).message}`);
  }
  let host: string;
  let port: number;
  let started: EmbeddedPostgres | undefined;
  const running = runningPostmaster(clusterDir);
  if (running) {
    host = running.socketDir || '127.0.0.1';
    port = running.port;
  } else {
    try {
      started = await startEmbeddedPostgres({ dataDir, logger: createLogger('warn', process.stderr) });
    } catch (err) {
      if (err instanceof DataDirInUseError) {
        throw new SqlCommandError(`kpg process ${err.pid} holds ${opts.dataDir} but its Postgres is not running (still starting?); try again in a moment`);
      }
      throw err;
    }
    process.stderr.write(`${command}: no kpg is running on ${opts.dataDir}; started its embedded Postgres for this session\n`);
    host = started.socketDir ?? '127.0.0.1';
    port = started.port;
  }
  return {
    config: { host, port, user: SUPERUSER, password, database: DATABASE },
    psqlArgs: ['-h', host, '-p', String(port), '-U', SUPERUSER, '-d', DATABASE],
    psqlEnv: { PGPASSWORD: password },
    started,
  };
}

// ---------------------------------------------------------------------------------------------
// Running SQL through node-postgres

/** Every value as Postgres prints it (text format), as psql shows it. */
const asText = { getTypeParser: () => (value: string) => value };

function commandTag(result: pg.QueryResult): string {
  if (result.command === 'INSERT') return `INSERT 0 ${result.rowCount ?? 0}`;
  return result.rowCount === null ? result.command : `${result.command} ${result.rowCount}`;
}

function printResult(result: pg.QueryResult<unknown[]>): void {
  if (result.fields.length === 0) {
    process.stdout.write(`${commandTag(result)}\n`);
    return;
  }
  const rows = result.rows.map((row) => row.map((v) => (v === null ? '' : String(v))));
  const n = rows.length;
  process.stdout.write(formatTable(result.fields.map((f) => f.name), rows) + `(${n} row${n === 1 ? '' : 's'})\n`);
}

/** psql's form: `ERROR:  message`, then DETAIL and HINT lines. */
function printError(err: unknown): void {
  const e = err as pg.DatabaseError;
  const lines = [`${e.severity ?? 'ERROR'}:  ${e.message}`];
  if (e.detail) lines.push(`DETAIL:  ${e.detail}`);
  if (e.hint) lines.push(`HINT:  ${e.hint}`);
  process.stderr.write(lines.join('\n') + '\n');
}

/** Runs a script (one or more statements); prints each result. False when it failed. */
async function runScript(client: pg.Client, sql: string): Promise<boolean> {
  if (sql.trim() === '') return true;
  try {
    const out = (await client.query({ text: sql, rowMode: 'array' })) as unknown as pg.QueryResult<unknown[]> | pg.QueryResult<unknown[]>[];
    for (const result of Array.isArray(out) ? out : [out]) printResult(result);
    return true;
  } catch (err) {
    printError(err);
    return false;
  }
}

async function connect(target: Target): Promise<pg.Client> {
  const client = new pg.Client({ ...target.config, application_name: 'kpg sql', types: asText });
  client.on('error', () => undefined);
  client.on('notice', (notice) => process.stderr.write(`${notice.severity ?? 'NOTICE'}:  ${notice.message}\n`));
  try {
    await client.connect();
  } catch (err) {
    throw new SqlCommandError(`could not connect to Postgres: ${(err as Error).message}`);
  }
  return client;
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks).toString('utf8');
}

/** The prompt used without psql: statements end with ';' at the end of a line; \q quits. */
async function prompt(client: pg.Client): Promise<void> {
  process.stderr.write('psql is not installed: a minimal SQL prompt (end statements with ;, \\q to quit)\n');
  const rl = createInterface({ input: process.stdin, output: process.stdout, prompt: `${DATABASE}=> ` });
  let buffer = '';
  rl.prompt();
  for await (const line of rl) {
    if (buffer === '' && ['\\q', 'quit', 'exit'].includes(line.trim())) break;
    buffer += `${line}\n`;
    if (line.trimEnd().endsWith(';')) {
      rl.pause();
      await runScript(client, buffer);
      buffer = '';
      rl.resume();
    }
    rl.setPrompt(buffer === '' ? `${DATABASE}=> ` : `${DATABASE}-> `);
    rl.prompt();
  }
  rl.close();
}

// ---------------------------------------------------------------------------------------------
// psql

function psqlInstalled(): boolean {
  const probe = spawnSync('psql', ['--version'], { stdio: 'ignore' });
  return probe.status === 0;
}

async function runPsql(target: Target): Promise<number> {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('PG')) env[key] = value;
  Object.assign(env, target.psqlEnv);
  // Ctrl-C reaches psql and us (one process group): psql cancels the query, we carry on.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  try {
    const child = spawn('psql', target.psqlArgs, { stdio: 'inherit', env });
    return await new Promise<number>((resolve) => {
      child.once('error', () => resolve(1));
      child.once('close', (code) => resolve(code ?? 1));
    });
  } finally {
    process.off('SIGINT', ignore);
  }
}

// ---------------------------------------------------------------------------------------------

async function sqlCommand(opts: SqlOptions): Promise<number> {
  const usePsql = opts.command === undefined && opts.psql && psqlInstalled();
  const target = await resolveTarget(opts);
  try {
    if (usePsql) return await runPsql(target);
    const client = await connect(target);
    try {
      if (opts.command !== undefined) return (await runScript(client, opts.command)) ? 0 : 1;
      if (!process.stdin.isTTY) return (await runScript(client, await readAll(process.stdin))) ? 0 : 1;
      await prompt(client);
      return 0;
    } finally {
      await client.end().catch(() => undefined);
    }
  } finally {
    await target.started?.stop();
  }
}

export function registerSqlCommand(program: Command, databaseUrlOption: () => Option): void {
  program
    .command('sql')
    .description("open a SQL session on kpg's database (psql when installed), or run -c SQL and print the rows")
    .option('-c, --command <sql>', 'run this SQL (one or more statements), print the results and exit')
    .option('--data-dir <dir>', 'data directory of the embedded Postgres (used without --database-url)', './data')
    .addOption(databaseUrlOption())
    .option('--no-psql', 'use the built-in prompt even when psql is installed')
    .action(async (opts: SqlOptions) => {
      try {
        process.exitCode = await sqlCommand(opts);
      } catch (err) {
        process.stderr.write(`kpg sql: ${(err as Error).message.split('\n')[0]}\n`);
        process.exitCode = 1;
      }
    });
}
