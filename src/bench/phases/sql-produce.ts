/**
 * Phase 8, `kpg.produce` from SQL: sessions calling the function in a loop, one record per call and per
 * transaction (autocommit), as an application's own transactions would. The denominator is the ceiling's
 * one-record-per-transaction run with as many writers.
 *
 * The function's signature is read from the catalog and its arguments are bound by name, so this phase
 * follows kpg.produce as it evolves: topic (text), partition (integer, when it has one: each session
 * writes its own), value (bytea or text); key and headers get null unless they have defaults.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type CeilingRun, type SqlProduceRun } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';
import { ceilingKey } from './ceiling.js';

type Param = 'topic' | 'partition' | 'value';

interface ProduceFunction {
  signature: string;
  /** The call, its parameters bound by name: $n is params[n - 1]. */
  sql: string;
  params: Param[];
  valueIsText: boolean;
}

/** Reads kpg.produce's arguments and builds a call by name; throws if it does not exist or cannot be called. */
async function describeProduce(client: pg.Client): Promise<ProduceFunction> {
  const { rows } = await client.query<{ signature: string; names: string[] | null; types: string[]; defaults: number; kind: string }>(
    `SELECT p.oid::regprocedure::text AS signature, p.proargnames AS names, p.pronargdefaults AS defaults, p.prokind AS kind,
            ARRAY(SELECT format_type(t, NULL) FROM unnest(p.proargtypes) AS t) AS types
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
      WHERE n.nspname = 'kpg' AND p.proname = 'produce'
      ORDER BY p.pronargs`,
  );
  if (rows.length === 0) throw new Error('kpg.produce does not exist in this database (not implemented yet)');
  const fn = rows[0]!;
  const names = fn.names ?? [];
  if (names.length === 0) throw new Error(`cannot call ${fn.signature}: its arguments have no names`);
  const firstDefault = fn.types.length - fn.defaults;
  const args: string[] = [];
  const params: Param[] = [];
  let valueIsText = false;
  const bind = (name: string, param: Param, type: string): void => {
    params.push(param);
    args.push(`${name} => $${params.length}::${type}`);
  };
  fn.types.forEach((type, i) => {
    const name = names[i] ?? '';
    const bare = name.replace(/^p_/, '');
    if (/topic/.test(bare) && type === 'text') bind(name, 'topic', type);
    else if (/partition/.test(bare) && /int/.test(type)) bind(name, 'partition', type);
    else if (bare === 'value' && (type === 'bytea' || type === 'text')) {
      bind(name, 'value', type);
      valueIsText = type === 'text';
    } else if (i < firstDefault) {
      if (!/key|header/.test(bare)) throw new Error(`cannot call ${fn.signature}: no value to give its argument "${name}" (${type})`);
      args.push(`${name} => NULL::${type}`);
    }
  });
  if (!params.includes('topic') || !params.includes('value')) {
    throw new Error(`cannot call ${fn.signature}: expected a topic (text) and a value (bytea or text) argument`);
  }
  const verb = fn.kind === 'p' ? 'CALL' : 'SELECT';
  return { signature: fn.signature, sql: `${verb} kpg.produce(${args.join(', ')})`, params, valueIsText };
}

export async function runSqlProduce(options: {
  target: Target;
  databaseUrl: string;
  sessions: number[];
  seconds: number;
  recordSize: number;
  ceiling: ReadonlyMap<string, CeilingRun>;
  progress: Progress;
}): Promise<{ signature: string | null; runs: SqlProduceRun[] }> {
  const runs: SqlProduceRun[] = options.sessions.map((sessions) => ({
    sessions, record_size: options.recordSize, records_per_call: 1, records: null, duration_s: null,
    records_per_s: null, mb_per_s: null, ratio_to_ceiling: null, error: null,
  }));
  const admin = new pg.Client({ connectionString: options.databaseUrl });
  admin.on('error', () => undefined);
  let fn: ProduceFunction;
  try {
    await admin.connect();
    fn = await describeProduce(admin);
  } catch (err) {
    for (const r of runs) r.error = errorMessage(err);
    options.progress.note(`  sql_produce failed: ${errorMessage(err)}`);
    return { signature: null, runs };
  } finally {
    await admin.end().catch(() => undefined);
  }
  const maxSessions = Math.max(...options.sessions);
  const topic = topicName('sql');
  try {
    await createTopics(options.target, [{ name: topic, partitions: maxSessions }]);
  } catch (err) {
    for (const r of runs) r.error = errorMessage(err);
    return { signature: fn.signature, runs };
  }
  const value = fn.valueIsText ? 'x'.repeat(options.recordSize) : randomBytes(options.recordSize);
  for (const run of runs) {
    const step = options.progress.timed(`sql_produce: ${run.sessions} session(s)`, options.seconds);
    const clients: pg.Client[] = [];
    try {
      for (let i = 0; i < run.sessions; i++) {
        const c = new pg.Client({ connectionString: options.databaseUrl });
        c.on('error', () => undefined);
        await c.connect();
        clients.push(c);
      }
      const started = performance.now();
      const deadline = started + options.seconds * 1000;
      const counts = await Promise.all(
        clients.map(async (c, partition) => {
          let n = 0;
          while (performance.now() < deadline) {
            await c.query({ name: 'sql-produce', text: fn.sql, values: fn.params.map((p) => ({ topic, partition, value })[p]) });
            n++;
          }
          return n;
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      const records = counts.reduce((a, b) => a + b, 0);
      run.records = records;
      run.duration_s = Math.round(seconds * 100) / 100;
      Object.assign(run, rates(records, options.recordSize, seconds));
      const ceiling = options.ceiling.get(ceilingKey(options.recordSize, run.sessions, 1));
      if (ceiling?.records_per_s) run.ratio_to_ceiling = Math.round((run.records_per_s! / ceiling.records_per_s) * 1000) / 1000;
      step.done(`${run.records_per_s} records/s, ${run.ratio_to_ceiling ?? '-'} of ceiling`);
    } catch (err) {
      run.error = errorMessage(err);
      step.done(`failed: ${run.error}`);
    } finally {
      await Promise.all(clients.map((c) => c.end().catch(() => undefined)));
    }
  }
  return { signature: fn.signature, runs };
}
