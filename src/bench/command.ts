/**
 * `kpg bench` on the command line (also `npm run bench`): runs the benchmark, prints the tables on stdout,
 * progress on stderr, and writes the JSON with --json.
 */
import fs from 'node:fs/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { PHASES, type PhaseName } from './result.js';
import { parseBootstrap } from './wire.js';

function parsePhases(value: string): PhaseName[] {
  const names = value.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !(PHASES as readonly string[]).includes(n));
  if (unknown.length > 0) throw new InvalidArgumentError(`unknown phase(s) ${unknown.join(', ')} (known: ${PHASES.join(', ')})`);
  return names as PhaseName[];
}

function parseDatabaseUrl(value: string): string {
  if (!/^postgres(ql)?:\/\//.test(value)) throw new InvalidArgumentError(`"${value}" is not a postgres:// or postgresql:// URL`);
  return value;
}

function parseHostPort(value: string): string {
  try {
    parseBootstrap(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
  return value;
}

export function registerBenchCommand(program: Command): void {
  program
    .command('bench')
    .description('measure kpg against the Postgres ceiling (and against another Kafka) on this machine, in one run')
    .option('--smoke', 'every phase at a small size (under a minute)')
    .option('--json <file>', 'also write the full result as JSON to this file')
    .addOption(
      new Option('--database-url <url>', 'a scratch Postgres database to use: kpg migrates it and the benchmark writes topics there (default: an embedded Postgres in a temporary directory)')
        .argParser(parseDatabaseUrl),
    )
    .addOption(new Option('--bootstrap <host:port>', 'also run produce, consume, latency and rebalance against this Kafka').argParser(parseHostPort))
    .option('--compare-kafka', 'start the reference Apache Kafka of the compatibility suite (cached jars) and compare against it')
    .addOption(new Option('--phases <list>', `only these phases, comma-separated (${PHASES.join(',')})`).argParser(parsePhases))
    .option('--strict', 'exit 1 when any phase failed')
    .action(async (opts: {
      smoke?: boolean; json?: string; databaseUrl?: string; bootstrap?: string; compareKafka?: boolean; phases?: PhaseName[]; strict?: boolean;
    }) => {
      try {
        // Loaded here, not at the top: `kpg serve` need not load the benchmark.
        const { runBench } = await import('./bench.js');
        const { renderReport } = await import('./report.js');
        const result = await runBench({
          mode: opts.smoke ? 'smoke' : 'full',
          databaseUrl: opts.databaseUrl,
          bootstrap: opts.bootstrap,
          compareKafka: opts.compareKafka,
          phases: opts.phases,
        });
        process.stdout.write(`${renderReport(result)}\n`);
        if (opts.json) {
          await fs.writeFile(opts.json, `${JSON.stringify(result, null, 2)}\n`);
          process.stderr.write(`JSON written to ${opts.json}\n`);
        }
        const failed = Object.entries(result.phases).filter(([, p]) => p.status === 'failed' || p.status === 'partial');
        if (failed.length > 0) {
          process.stderr.write(`phases with failures: ${failed.map(([n, p]) => `${n} (${p.error?.split('\n')[0]})`).join('; ')}\n`);
          if (opts.strict) process.exitCode = 1;
        }
      } catch (err) {
        process.stderr.write(`kpg bench: ${(err as Error).message}\n`);
        process.exitCode = 1;
      }
    });
}
