/**
 * `kpg topic`: topic administration for people (tables) and scripts (--json), in the spirit of
 * Redpanda's rpk. It speaks the Kafka protocol to a running gateway (--brokers, default
 * 127.0.0.1:9092), so it works against any Kafka cluster too.
 *
 *   kpg topic list [--detailed]
 *   kpg topic describe <topic...> [--summary] [--configs] [--partitions]
 *   kpg topic create <topic...> [-p N] [-r N] [-c key=value ...] [--dry-run]
 *   kpg topic delete <topic...>
 *   kpg topic alter-config <topic...> [--set key=value ...] [--delete key ...] [--append key=value ...] [--subtract key=value ...] [--dry-run]
 *
 * Exit status: 0 when everything succeeded, 1 when any topic failed or the brokers could not be reached.
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { KafkaAdmin, errorName, type ConfigOperation, type TopicOutcome } from '../client/admin.js';
import { ErrorCode } from '../protocol/error-codes.js';

interface CommonOptions {
  brokers: string;
  json?: boolean;
}

/**
 * A topic id as every Kafka tool prints it (Uuid.toString: the 16 bytes in URL-safe base64 without
 * padding, e.g. `kafka-topics --describe` shows `TopicId: 3DZ8wYxXQd-SOlRuK2BcJg`).
 */
export function kafkaUuidString(uuid: string): string {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex').toString('base64url');
}

function parseCount(value: string): number {
  if (!/^-?\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return Number(value);
}

function collectKeyValue(value: string, previous: [string, string][]): [string, string][] {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not key=value`);
  return [...previous, [value.slice(0, eq), value.slice(eq + 1)]];
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Left-aligned columns separated by two spaces, as rpk prints them. */
export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

function section(title: string, body: string): string {
  return `${title}\n${'='.repeat(title.length)}\n${body}`;
}

function status(o: TopicOutcome): string {
  if (o.errorCode === ErrorCode.NONE) return 'OK';
  return o.message ? `${o.error}: ${o.message}` : o.error!;
}

function printOutcomes(outcomes: readonly TopicOutcome[], json: boolean | undefined): void {
  if (json) {
    process.stdout.write(JSON.stringify(outcomes.map((o) => ({ topic: o.topic, error: o.error, message: o.message }))) + '\n');
  } else {
    process.stdout.write(formatTable(['TOPIC', 'STATUS'], outcomes.map((o) => [o.topic, status(o)])));
  }
  if (outcomes.some((o) => o.errorCode !== ErrorCode.NONE)) process.exitCode = 1;
}

/** Runs `work` with an admin client, turning connection problems into one line on stderr and status 1. */
async function withAdmin(options: CommonOptions, work: (admin: KafkaAdmin) => Promise<void>): Promise<void> {
  const brokers = options.brokers.split(',').map((b) => b.trim()).filter(Boolean);
  let admin: KafkaAdmin;
  try {
    admin = await KafkaAdmin.connect(brokers);
  } catch (err) {
    process.stderr.write(`kpg topic: ${(err as Error).message}\n`);
    process.exitCode = 1;
    return;
  }
  try {
    await work(admin);
  } catch (err) {
    process.stderr.write(`kpg topic: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    admin.close();
  }
}

const bigintJson = (_key: string, value: unknown): unknown => (typeof value === 'bigint' ? Number(value) : value);

export function registerTopicCommand(program: Command): void {
  const topic = program
    .command('topic')
    .description('create, list, describe, delete and configure topics on a running gateway (or any Kafka cluster)');

  const common = (cmd: Command): Command =>
    cmd
      .addOption(new Option('--brokers <host:port,...>', 'brokers to connect to').default('127.0.0.1:9092').env('KPG_BROKERS'))
      .option('--json', 'print JSON instead of tables');

  common(topic.command('list').alias('ls').description('list topics'))
    .option('-d, --detailed', 'also list every partition')
    .option('-i, --internal', 'include internal topics')
    .action(async (opts: CommonOptions & { detailed?: boolean; internal?: boolean }) => {
      await withAdmin(opts, async (admin) => {
        const topics = (await admin.topics()).filter((t) => opts.internal || !t.internal).sort((a, b) => a.name.localeCompare(b.name));
        if (opts.json) {
          const out = topics.map((t) => ({
            name: t.name,
            id: kafkaUuidString(t.topicId),
            internal: t.internal,
            partitions: t.partitions.length,
            replicas: t.partitions[0]?.replicas.length ?? 0,
            ...(opts.detailed ? { partitionDetails: t.partitions } : {}),
          }));
          process.stdout.write(JSON.stringify(out) + '\n');
          return;
        }
        if (!opts.detailed) {
          process.stdout.write(formatTable(['NAME', 'PARTITIONS', 'REPLICAS'], topics.map((t) => [t.name, String(t.partitions.length), String(t.partitions[0]?.replicas.length ?? 0)])));
          return;
        }
        const blocks = topics.map((t) =>
          `${t.name}, ${t.partitions.length} partitions, ${t.partitions[0]?.replicas.length ?? 0} replicas\n` +
          formatTable(['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS'], t.partitions.map((p) => [String(p.partition), String(p.leader), String(p.leaderEpoch), `[${p.replicas.join(' ')}]`])),
        );
        process.stdout.write(blocks.join('\n'));
      });
    });

  common(topic.command('describe').alias('info').description('describe topics: summary, configs and partitions'))
    .argument('<topics...>', 'topics to describe')
    .option('-s, --summary', 'print the summary section')
    .option('-c, --configs', 'print the configs section')
    .option('-p, --partitions', 'print the partitions section (with log start offsets and high watermarks)')
    .action(async (names: string[], opts: CommonOptions & { summary?: boolean; configs?: boolean; partitions?: boolean }) => {
      const all = !opts.summary && !opts.configs && !opts.partitions;
      await withAdmin(opts, async (admin) => {
        const metadata = new Map((await admin.topics(names)).map((t) => [t.name, t]));
        const described: Record<string, unknown>[] = [];
        const texts: string[] = [];
        for (const name of names) {
          const t = metadata.get(name);
          if (!t || t.errorCode !== ErrorCode.NONE) {
            const error = errorName(t?.errorCode ?? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
            process.exitCode = 1;
            described.push({ name, error });
            texts.push(`${name}: ${error}\n`);
            continue;
          }
          const replicas = t.partitions[0]?.replicas.length ?? 0;
          const configs = all || opts.configs ? await admin.topicConfigs(name) : undefined;
          const offsets = all || opts.partitions ? await admin.offsets(name, t.partitions.map((p) => p.partition)) : undefined;
          if (configs && configs.errorCode !== ErrorCode.NONE) process.exitCode = 1;
          described.push({
            name,
            id: kafkaUuidString(t.topicId),
            internal: t.internal,
            partitionCount: t.partitions.length,
            replicas,
            ...(configs ? { configs: configs.errorCode === ErrorCode.NONE ? configs.configs : { error: errorName(configs.errorCode), message: configs.message } } : {}),
            ...(offsets
              ? {
                  partitions: t.partitions.map((p) => ({
                    partition: p.partition,
                    leader: p.leader,
                    epoch: p.leaderEpoch,
                    replicas: p.replicas,
                    isr: p.isr,
                    logStartOffset: offsets.get(p.partition)?.logStartOffset,
                    highWatermark: offsets.get(p.partition)?.highWatermark,
                  })),
                }
              : {}),
          });
          const parts: string[] = [];
          if (all || opts.summary) {
            parts.push(section('SUMMARY', formatTable(['NAME', t.name], [['ID', kafkaUuidString(t.topicId)], ['PARTITIONS', String(t.partitions.length)], ['REPLICAS', String(replicas)], ['INTERNAL', String(t.internal)]])));
          }
          if (configs) {
            parts.push(
              section(
                'CONFIGS',
                configs.errorCode !== ErrorCode.NONE
                  ? `${errorName(configs.errorCode)}${configs.message ? `: ${configs.message}` : ''}\n`
                  : formatTable(['KEY', 'VALUE', 'SOURCE'], configs.configs.map((c) => [c.name, c.sensitive ? '(sensitive)' : (c.value ?? ''), c.source])),
              ),
            );
          }
          if (offsets) {
            parts.push(
              section(
                'PARTITIONS',
                formatTable(
                  ['PARTITION', 'LEADER', 'EPOCH', 'REPLICAS', 'LOG-START-OFFSET', 'HIGH-WATERMARK'],
                  t.partitions.map((p) => [
                    String(p.partition),
                    String(p.leader),
                    String(p.leaderEpoch),
                    `[${p.replicas.join(' ')}]`,
                    String(offsets.get(p.partition)?.logStartOffset ?? -1n),
                    String(offsets.get(p.partition)?.highWatermark ?? -1n),
                  ]),
                ),
              ),
            );
          }
          texts.push(parts.join('\n'));
        }
        if (opts.json) process.stdout.write(JSON.stringify(names.length === 1 ? described[0] : described, bigintJson) + '\n');
        else process.stdout.write(texts.join('\n'));
      });
    });

  common(topic.command('create').description('create topics'))
    .argument('<topics...>', 'topics to create')
    .addOption(new Option('-p, --partitions <n>', 'partitions per topic (-1: the broker default)').default(-1).argParser(parseCount))
    .addOption(new Option('-r, --replicas <n>', 'replication factor (-1: the broker default)').default(-1).argParser(parseCount))
    .addOption(new Option('-c, --topic-config <key=value>', 'topic config (repeatable)').default([], '').argParser(collectKeyValue))
    .option('-d, --dry-run', 'only check that the topics could be created (validate_only)')
    .action(async (names: string[], opts: CommonOptions & { partitions: number; replicas: number; topicConfig: [string, string][]; dryRun?: boolean }) => {
      for (const name of names) {
        // As kafka-topics does: "." and "_" become the same character in metric names.
        if (name.includes('.') || name.includes('_')) {
          process.stderr.write(`warning: "${name}" contains "." or "_", which metric names treat alike; avoid using both in topic names\n`);
        }
      }
      await withAdmin(opts, async (admin) => {
        const outcomes = await admin.createTopics(names, {
          partitions: opts.partitions,
          replicationFactor: opts.replicas,
          configs: new Map(opts.topicConfig),
          validateOnly: opts.dryRun === true,
        });
        printOutcomes(outcomes, opts.json);
      });
    });

  common(topic.command('delete').alias('rm').description('delete topics'))
    .argument('<topics...>', 'topics to delete')
    .action(async (names: string[], opts: CommonOptions) => {
      await withAdmin(opts, async (admin) => printOutcomes(await admin.deleteTopics(names), opts.json));
    });

  common(topic.command('alter-config').description('change topic configs (set, delete, append to or subtract from lists)'))
    .argument('<topics...>', 'topics to change')
    .addOption(new Option('-s, --set <key=value>', 'set a config (repeatable)').default([], '').argParser(collectKeyValue))
    .addOption(new Option('-d, --delete <key>', 'remove a config, back to its default (repeatable)').default([], '').argParser(collect))
    .addOption(new Option('--append <key=value>', 'add values to a list config (repeatable)').default([], '').argParser(collectKeyValue))
    .addOption(new Option('--subtract <key=value>', 'remove values from a list config (repeatable)').default([], '').argParser(collectKeyValue))
    .option('--dry-run', 'only check that the change is valid (validate_only)')
    .action(
      async (
        names: string[],
        opts: CommonOptions & { set: [string, string][]; delete: string[]; append: [string, string][]; subtract: [string, string][]; dryRun?: boolean },
      ) => {
        const operations: { name: string; operation: ConfigOperation; value: string | null }[] = [
          ...opts.set.map(([name, value]) => ({ name, operation: 'set' as const, value })),
          ...opts.delete.map((name) => ({ name, operation: 'delete' as const, value: null })),
          ...opts.append.map(([name, value]) => ({ name, operation: 'append' as const, value })),
          ...opts.subtract.map(([name, value]) => ({ name, operation: 'subtract' as const, value })),
        ];
        if (operations.length === 0) {
          process.stderr.write('kpg topic alter-config: nothing to change (use --set, --delete, --append or --subtract)\n');
          process.exitCode = 1;
          return;
        }
        await withAdmin(opts, async (admin) => printOutcomes(await admin.alterTopicConfigs(names, operations, opts.dryRun === true), opts.json));
      },
    );
}
