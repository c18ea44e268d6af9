/**
 * `kpg user`: SASL users (SCRAM credentials) written straight to kpg's Postgres, so the first
 * administrator exists before any SASL listener accepts anyone. Every gateway sees a change at once
 * (logins read Postgres; the change is announced as usersChanged).
 *
 *   kpg user add NAME (--password PW | --password-stdin) [--mechanism SCRAM-SHA-512|SCRAM-SHA-256|both] [--iterations N]
 *   kpg user passwd NAME (--password PW | --password-stdin) [--mechanism M] [--iterations N]
 *   kpg user list [--json]
 *   kpg user remove NAME [--mechanism M]
 *
 * The database is --database-url (env DATABASE_URL) or the embedded Postgres of --data-dir, as for
 * `kpg sql`. Only salted keys are stored (RFC 5802: salt, iterations, StoredKey, ServerKey), never the
 * password, and the password is never printed. `add` refuses a user that already has a credential (use
 * `passwd`); `passwd` changes the mechanisms the user has unless --mechanism says which.
 * Exit status: 0, or 1 on any failure.
 */
import type { Command } from 'commander';
import { InvalidArgumentError, Option } from 'commander';
import pg from 'pg';
import {
  deriveScramKeys, SCRAM_DEFAULT_ITERATIONS, SCRAM_MAX_ITERATIONS, SCRAM_MECHANISMS, SCRAM_MIN_ITERATIONS, type ScramMechanism,
} from '../security/scram-keys.js';
import { PgUserStorage } from '../storage/pg/users.js';
import type { UserCredentialInfo } from '../storage/users.js';
import { applyMigrations } from '../storage/pg/migrate.js';
import { resolveTarget, SqlCommandError } from './sql.js';
import { formatTable } from './topic.js';

interface DatabaseOptions {
  databaseUrl?: string;
  dataDir: string;
}

interface PasswordOptions extends DatabaseOptions {
  password?: string;
  passwordStdin?: boolean;
  mechanism?: ScramMechanism[];
  iterations: number;
}

/** Postgres's undefined_table: the database has not been migrated by any kpg yet. */
const UNDEFINED_TABLE = '42P01';

function parseMechanism(value: string): ScramMechanism[] {
  if (value.toLowerCase() === 'both') return [...SCRAM_MECHANISMS];
  const m = SCRAM_MECHANISMS.find((known) => known === value.toUpperCase());
  if (!m) throw new InvalidArgumentError(`"${value}" is not SCRAM-SHA-256, SCRAM-SHA-512 or both`);
  return [m];
}

function parseIterations(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < SCRAM_MIN_ITERATIONS || n > SCRAM_MAX_ITERATIONS) {
    throw new InvalidArgumentError(`"${value}" is not an iteration count from ${SCRAM_MIN_ITERATIONS} to ${SCRAM_MAX_ITERATIONS}`);
  }
  return n;
}

function checkUserName(name: string): void {
  if (name === '') throw new SqlCommandError('a user name must not be empty');
  if (name.includes('\0')) throw new SqlCommandError('a user name cannot contain NUL');
}

async function readPassword(opts: PasswordOptions): Promise<string> {
  if (opts.password !== undefined && opts.passwordStdin) throw new SqlCommandError('give --password or --password-stdin, not both');
  let password: string;
  if (opts.passwordStdin) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Buffer));
    // One trailing line break is the end of the line `echo` or a file gave, not part of the password.
    password = Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  } else if (opts.password !== undefined) {
    password = opts.password;
  } else {
    throw new SqlCommandError('give the password with --password PW or --password-stdin');
  }
  if (password === '') throw new SqlCommandError('the password must not be empty');
  return password;
}

/**
 * Runs `work` with the users facet on kpg's database, and releases everything after. Writing commands
 * `initialize` it: a fresh data dir gets its embedded Postgres and kpg's tables, so the first administrator
 * exists before any listener accepts anyone.
 */
async function withUsers<T>(opts: DatabaseOptions, work: (users: PgUserStorage) => Promise<T>, { initialize = false } = {}): Promise<T> {
  const target = await resolveTarget(opts, 'kpg user', { initialize });
  if (initialize) await applyMigrations(target.config);
  const pool = new pg.Pool({ ...target.config, max: 1, application_name: 'kpg user' });
  pool.on('error', () => undefined);
  try {
    return await work(new PgUserStorage(pool));
  } catch (err) {
    if ((err as { code?: string }).code === UNDEFINED_TABLE) {
      throw new SqlCommandError("this database has no kpg tables yet: run `kpg migrate` (or start kpg once) first");
    }
    if ((err as { code?: string }).code === 'ECONNREFUSED') throw new SqlCommandError(`could not connect to Postgres: ${(err as Error).message}`);
    throw err;
  } finally {
    await pool.end().catch(() => undefined);
    await target.started?.stop();
  }
}

async function setPassword(name: string, opts: PasswordOptions, mode: 'add' | 'passwd'): Promise<void> {
  checkUserName(name);
  const password = await readPassword(opts);
  await withUsers(opts, async (users) => {
    const [existing] = await users.describeUsers([name]);
    if (mode === 'add' && existing) {
      const has = existing.credentials.map((c) => c.mechanism).join(', ');
      throw new SqlCommandError(`user ${name} already exists (${has}); change its password with kpg user passwd`);
    }
    if (mode === 'passwd' && !existing) throw new SqlCommandError(`no user ${name}; create it with kpg user add`);
    const mechanisms = opts.mechanism ?? (mode === 'passwd' ? existing!.credentials.map((c) => c.mechanism) : [...SCRAM_MECHANISMS]);
    const upsertions = mechanisms.map((m) => ({ userName: name, ...deriveScramKeys(m, password, opts.iterations) }));
    await users.alterScramCredentials(upsertions, []);
    process.stdout.write(`${mode === 'add' ? 'created' : 'changed the password of'} user ${name} (${mechanisms.join(', ')}, ${opts.iterations} iterations)\n`);
  }, { initialize: mode === 'add' });
}

async function listUsers(opts: DatabaseOptions & { json?: boolean }): Promise<void> {
  const all: UserCredentialInfo[] = await withUsers(opts, (users) => users.describeUsers(null));
  if (opts.json) {
    process.stdout.write(JSON.stringify(all.map((u) => ({ user: u.userName, credentials: u.credentials }))) + '\n');
    return;
  }
  const rows = all.flatMap((u) => u.credentials.map((c) => [u.userName, c.mechanism, String(c.iterations)]));
  process.stdout.write(formatTable(['USER', 'MECHANISM', 'ITERATIONS'], rows));
}

async function removeUser(name: string, opts: DatabaseOptions & { mechanism?: ScramMechanism[] }): Promise<void> {
  checkUserName(name);
  const mechanisms = opts.mechanism ?? [...SCRAM_MECHANISMS];
  await withUsers(opts, async (users) => {
    const removed = await users.alterScramCredentials([], mechanisms.map((mechanism) => ({ userName: name, mechanism })));
    if (removed === 0) throw new SqlCommandError(`user ${name} has no ${mechanisms.join(' or ')} credential`);
    process.stdout.write(`removed ${removed} credential${removed === 1 ? '' : 's'} of user ${name}\n`);
  });
}

export function registerUserCommand(program: Command, databaseUrlOption: () => Option): void {
  const user = program.command('user').description("SASL users (SCRAM credentials) in kpg's Postgres");
  const common = (cmd: Command): Command =>
    cmd
      .option('--data-dir <dir>', 'data directory of the embedded Postgres (used without --database-url)', './data')
      .addOption(databaseUrlOption());
  const mechanismOption = (help: string): Option => new Option('--mechanism <mechanism>', help).argParser(parseMechanism);
  const passwordOptions = (cmd: Command): Command =>
    cmd
      .option('--password <password>', 'the password (visible in the process list: prefer --password-stdin)')
      .option('--password-stdin', 'read the password from standard input (one trailing newline is dropped)')
      .addOption(new Option('--iterations <n>', `SCRAM iterations (${SCRAM_MIN_ITERATIONS}-${SCRAM_MAX_ITERATIONS})`).default(SCRAM_DEFAULT_ITERATIONS).argParser(parseIterations));

  const run = (action: () => Promise<void>): Promise<void> =>
    action().catch((err: Error) => {
      process.stderr.write(`kpg user: ${err.message.split('\n')[0]}\n`);
      process.exitCode = 1;
    });

  common(passwordOptions(user.command('add').argument('<name>', 'user name').description('create a user')))
    .addOption(mechanismOption('SCRAM-SHA-512, SCRAM-SHA-256 or both').default([...SCRAM_MECHANISMS], 'both'))
    .action((name: string, opts: PasswordOptions) => run(() => setPassword(name, opts, 'add')));
  common(passwordOptions(user.command('passwd').argument('<name>', 'user name').description("change a user's password")))
    .addOption(mechanismOption("SCRAM-SHA-512, SCRAM-SHA-256 or both (default: the user's mechanisms)"))
    .action((name: string, opts: PasswordOptions) => run(() => setPassword(name, opts, 'passwd')));
  common(user.command('list').description('list users with their mechanisms and iterations'))
    .option('--json', 'print JSON')
    .action((opts: DatabaseOptions & { json?: boolean }) => run(() => listUsers(opts)));
  common(user.command('remove').argument('<name>', 'user name').description("remove a user's credentials"))
    .addOption(mechanismOption('remove only this mechanism (default: both)'))
    .action((name: string, opts: DatabaseOptions & { mechanism?: ScramMechanism[] }) => run(() => removeUser(name, opts)));
}
