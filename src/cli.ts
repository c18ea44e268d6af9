/**
 * kpg's command line. `kpg serve` runs a gateway; `kpg migrate` applies the schema and exits.
 */
import path from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { registerBenchCommand } from './bench/command.js';
import { registerAclCommand } from './cli/acl.js';
import { registerSqlCommand } from './cli/sql.js';
import { registerStatusCommand } from './cli/status.js';
import { registerTopicCommand } from './cli/topic.js';
import { registerUserCommand } from './cli/user.js';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './embedded/postgres.js';
import { startGateway } from './gateway.js';
import { createLogger, LOG_LEVELS } from './logging.js';
import { applyMigrations } from './storage/pg/migrate.js';
import { VERSION } from './version.js';

function parsePort(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 0 || n > 65535) throw new InvalidArgumentError(`"${value}" is not a TCP port (0-65535)`);
  return n;
}

function parseNodeId(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n > 2147483647) throw new InvalidArgumentError(`"${value}" is not a node id (a non-negative integer)`);
  return n;
}

function parseDatabaseUrl(value: string): string | undefined {
  // An empty DATABASE_URL (a common shell leftover) means "none": use the embedded Postgres.
  if (value === '') return undefined;
  if (!/^postgres(ql)?:\/\//.test(value)) throw new InvalidArgumentError(`"${value}" is not a postgres:// or postgresql:// URL`);
  return value;
}

function parseBrokerConfig(value: string, previous: Map<string, string>): Map<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`"${value}" is not NAME=VALUE`);
  previous.set(value.slice(0, eq), value.slice(eq + 1));
  return previous;
}

const program = new Command()
  .name('kpg')
  .description('A Kafka-protocol gateway in front of PostgreSQL')
  .version(VERSION, '-v, --version')
  .showHelpAfterError(false)
  .configureOutput({ outputError: (str, write) => write(str.split('\n')[0] + '\n') });

const postgresPortOption = (): Option =>
  new Option('--postgres-port <port>', 'TCP port of the embedded Postgres on 127.0.0.1 (default: the port of the previous start on --data-dir, a free one at first; 0: a new free one)')
    .argParser(parsePort);
const logLevelOption = (): Option =>
  new Option('--log-level <level>', 'log level').choices(LOG_LEVELS).default('info').env('LOG_LEVEL');
const databaseUrlOption = (): Option =>
  new Option('--database-url <url>', 'Postgres to use instead of the embedded one').env('DATABASE_URL').argParser(parseDatabaseUrl);

program
  .command('serve')
  .description('serve the Kafka protocol (with an embedded Postgres unless --database-url is given)')
  .option('--host <host>', 'address to listen on (one PLAINTEXT listener, without --listeners)', '127.0.0.1')
  .addOption(new Option('--port <port>', 'port to listen on (without --listeners)').default(9092).argParser(parsePort))
  .option('--advertised-host <host>', 'host clients are told to connect to (default: the listen address)')
  .addOption(new Option('--advertised-port <port>', 'port clients are told to connect to (default: the listen port)').argParser(parsePort))
  .option('--listeners <list>', 'Kafka\'s listeners, e.g. PLAINTEXT://127.0.0.1:9092,SSL://:9093 (replaces --host/--port)')
  .option('--advertised-listeners <list>', 'Kafka\'s advertised.listeners, e.g. SSL://kpg.example.com:9093')
  .option('--listener-security-protocol-map <map>', 'Kafka\'s listener.security.protocol.map, e.g. INTERNAL:PLAINTEXT,EXTERNAL:SASL_SSL')
  .addOption(databaseUrlOption())
  .option('--data-dir <dir>', 'embedded Postgres data directory (used without --database-url)', './data')
  .addOption(postgresPortOption())
  .addOption(new Option('--node-id <id>', 'broker node id (default: kept per advertised address)').argParser(parseNodeId))
  .addOption(
    new Option('--broker-config <name=value>', 'static broker config, Kafka name (repeatable), e.g. num.partitions=3')
      .argParser(parseBrokerConfig)
      .default(new Map<string, string>(), ''),
  )
  .addOption(new Option('--metrics-port <port>', 'HTTP port of /metrics, /healthz and /readyz (default: none, no HTTP server)').argParser(parsePort))
  .option('--metrics-host <host>', 'address of the metrics HTTP server', '127.0.0.1')
  .addOption(new Option('--console-port <port>', 'HTTP port of the web console (default: none, no console)').argParser(parsePort))
  .option('--console-host <host>', 'address of the web console\'s HTTP server', '127.0.0.1')
  .addOption(logLevelOption())
  .action(async (opts: {
    metricsPort?: number; metricsHost: string; consolePort?: number; consoleHost: string;
    host: string; port: number; advertisedHost?: string; advertisedPort?: number; databaseUrl?: string;
    dataDir: string; postgresPort?: number; nodeId?: number; brokerConfig: Map<string, string>; logLevel: string;
    listeners?: string; advertisedListeners?: string; listenerSecurityProtocolMap?: string;
  }) => {
    const logger = createLogger(opts.logLevel);
    // The flags are the broker configs of the same names (and win over --broker-config).
    const brokerConfigs = new Map(opts.brokerConfig);
    if (opts.listeners !== undefined) brokerConfigs.set('listeners', opts.listeners);
    if (opts.advertisedListeners !== undefined) brokerConfigs.set('advertised.listeners', opts.advertisedListeners);
    if (opts.listenerSecurityProtocolMap !== undefined) brokerConfigs.set('listener.security.protocol.map', opts.listenerSecurityProtocolMap);
    // Signal handlers come first: a signal during start-up stops the gateway as soon as it is up, rather
    // than killing the process half-started.
    const starting = startGateway({
      host: opts.host,
      port: opts.port,
      advertisedHost: opts.advertisedHost,
      advertisedPort: opts.advertisedPort,
      databaseUrl: opts.databaseUrl,
      dataDir: opts.dataDir,
      postgresPort: opts.postgresPort,
      nodeId: opts.nodeId,
      brokerConfigs,
      metricsPort: opts.metricsPort,
      metricsHost: opts.metricsHost,
      consolePort: opts.consolePort,
      consoleHost: opts.consoleHost,
      logger,
    });
    let stoppingSince = 0;
    const stop = (signal: string): void => {
      if (stoppingSince > 0) {
        // Under `npm start`, one Ctrl-C arrives twice (from the terminal and forwarded by npm): only a
        // signal well after the first means "stop now".
        if (Date.now() - stoppingSince < 2000) return;
        logger.warn({ signal }, 'second signal: exiting now');
        process.exit(1);
      }
      stoppingSince = Date.now();
      logger.info({ signal }, 'shutting down');
      starting
        .then((gateway) => gateway.stop())
        .then(
          () => {
            logger.info('stopped');
            process.exit(0);
          },
          (err) => {
            logger.error({ err }, 'shutdown failed');
            process.exit(1);
          },
        );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    try {
      await starting;
    } catch (err) {
      logger.fatal({ err }, `kpg could not start: ${(err as Error).message}`);
      process.exit(1);
    }
  });

program
  .command('migrate')
  .description('apply the database migrations and exit (to the embedded Postgres in --data-dir without --database-url)')
  .addOption(databaseUrlOption())
  .option('--data-dir <dir>', 'embedded Postgres data directory (used without --database-url)', './data')
  .addOption(postgresPortOption())
  .addOption(logLevelOption())
  .action(async (opts: { databaseUrl?: string; dataDir: string; postgresPort?: number; logLevel: string }) => {
    const logger = createLogger(opts.logLevel);
    let embedded: EmbeddedPostgres | undefined;
    try {
      if (!opts.databaseUrl) embedded = await startEmbeddedPostgres({ dataDir: path.resolve(opts.dataDir), port: opts.postgresPort, logger });
      await applyMigrations(opts.databaseUrl || embedded!.connectionString); // DATABASE_URL="" means none
      logger.info('migrations applied');
    } catch (err) {
      logger.fatal({ err }, `migration failed: ${(err as Error).message}`);
      process.exitCode = 1;
    } finally {
      await embedded?.stop();
    }
  });

registerBenchCommand(program);
registerTopicCommand(program);
registerSqlCommand(program, databaseUrlOption);
registerUserCommand(program, databaseUrlOption);
registerAclCommand(program, databaseUrlOption);
registerStatusCommand(program, databaseUrlOption);

await program.parseAsync(process.argv);
