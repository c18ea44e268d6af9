/**
 * The ACL row: what checking ACLs on every request costs. Two fresh gateways on the same Postgres, alike
 * but for the authorizer: one runs Kafka's StandardAuthorizer (kpg's ACL authorizer) over a cluster-sized
 * set of bindings with allow.everyone.if.no.acl.found=false, the other has no authorizer. Both take the
 * same produce load (1 KB records in batches, acks=all, one partition per producer): a warm-up run on
 * each, then ABBA order so drift of a shared machine's load weighs on both alike; each gateway's best run
 * counts.
 */
import pg from 'pg';
import { AclOperation, AclPermission, PatternType, ResourceType, type AclOperationCode } from '../../protocol/acl.js';
import type { AclBinding } from '../../security/acl-binding.js';
import { PgAclStorage } from '../../storage/pg/acls.js';
import { startGatewayProcess, type GatewayProcess } from '../environment.js';
import { CpuMeter } from '../proc.js';
import type { Progress } from '../progress.js';
import { errorMessage, rates, type AclRun } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';
import { advertisedApis } from '../wire.js';
import { producePartitions } from './produce.js';

const RECORD_SIZE = 1024;
const RECORDS_PER_BATCH = 100;
/** Every topic this phase produces to starts so (topicName's `kpg-bench-` and the purpose `acl-`). */
const PRODUCED_PREFIX = 'kpg-bench-acl-';
/** The namespace of every benchmark topic: shared-namespace bindings name it. */
const BENCH_PREFIX = 'kpg-bench-';
/** The PLAINTEXT clients' principal. */
const ANONYMOUS = 'User:ANONYMOUS';

function topicAcl(
  patternType: typeof PatternType.LITERAL | typeof PatternType.PREFIXED, resourceName: string, principal: string,
  operation: AclOperationCode, permissionType: typeof AclPermission.ALLOW | typeof AclPermission.DENY = AclPermission.ALLOW,
): AclBinding {
  return { resourceType: ResourceType.TOPIC, resourceName, patternType, principal, host: '*', operation, permissionType };
}

/**
 * `count` bindings the way a shared cluster gathers them: per service principal its own topics (LITERAL
 * WRITE and READ), its team's namespace (PREFIXED DESCRIBE) and its consumer group; every tenth also
 * reads the whole benchmark namespace and every 25th is denied writing it, so that dozens of bindings
 * apply to each produced topic and the authorizer has to walk them. The PLAINTEXT clients (User:ANONYMOUS)
 * may write, read and describe the produced topics, and nothing else.
 */
export function clusterAcls(count: number): AclBinding[] {
  const acls: AclBinding[] = [
    topicAcl(PatternType.PREFIXED, PRODUCED_PREFIX, ANONYMOUS, AclOperation.WRITE),
    topicAcl(PatternType.PREFIXED, PRODUCED_PREFIX, ANONYMOUS, AclOperation.READ),
    topicAcl(PatternType.PREFIXED, PRODUCED_PREFIX, ANONYMOUS, AclOperation.DESCRIBE),
  ];
  for (let i = 0; acls.length < count; i++) {
    const principal = `User:kpg-bench-service-${i}`;
    acls.push(
      topicAcl(PatternType.LITERAL, `orders-${i}`, principal, AclOperation.WRITE),
      topicAcl(PatternType.LITERAL, `orders-${i}`, principal, AclOperation.READ),
      topicAcl(PatternType.PREFIXED, `team-${i % 50}.`, principal, AclOperation.DESCRIBE),
      {
        resourceType: ResourceType.GROUP, resourceName: `service-${i}`, patternType: PatternType.LITERAL, principal, host: '*',
        operation: AclOperation.READ, permissionType: AclPermission.ALLOW,
      },
    );
    if (i % 10 === 0) acls.push(topicAcl(PatternType.PREFIXED, BENCH_PREFIX, principal, AclOperation.READ));
    if (i % 25 === 0) acls.push(topicAcl(PatternType.PREFIXED, PRODUCED_PREFIX, principal, AclOperation.WRITE, AclPermission.DENY));
  }
  return acls.slice(0, count);
}

/** The bindings the authorizer weighs for a topic: its LITERAL ones and the PREFIXED ones starting its name. */
function applyingTo(acls: readonly AclBinding[], topic: string): number {
  return acls.filter((a) => a.resourceType === ResourceType.TOPIC && (a.patternType === PatternType.PREFIXED
    ? topic.startsWith(a.resourceName)
    : a.resourceName === topic || a.resourceName === '*')).length;
}

async function gatewayTarget(gateway: GatewayProcess, databaseUrl: string, postgresPid: number | null, description: string): Promise<Target> {
  return {
    name: 'kpg', bootstrap: gateway.bootstrap, description, brokerPid: gateway.pid, postgresPid,
    apis: await advertisedApis(gateway.bootstrap), databaseUrl,
  };
}

/**
 * Proves the authorizing gateway enforces: a record for a topic it leads that no binding lets
 * User:ANONYMOUS write is refused. Otherwise the row would compare two open gateways.
 */
async function checkEnforced(withAcls: Target, hidden: string): Promise<void> {
  let refusal: string;
  try {
    const attempt = await producePartitions({ target: withAcls, topic: hidden, producers: 1, recordSize: RECORD_SIZE, recordsPerBatch: 1, recordsPerProducer: 1 });
    if (attempt.records > 0) throw new Error(`the gateway with ACLs took a record for ${hidden}, which no ACL lets User:ANONYMOUS write: it is not enforcing ACLs`);
    refusal = attempt.errors.join('; ');
  } catch (err) {
    // The load generator gives up on a topic it is refused: that is the answer expected here.
    refusal = errorMessage(err);
  }
  if (!/TOPIC_AUTHORIZATION_FAILED/.test(refusal)) throw new Error(`writing ${hidden} without an ACL was not refused for authorization: ${refusal}`);
}

async function measure(target: Target, gateway: AclRun['gateway'], topic: string, producers: number, seconds: number, round: number, progress: Progress): Promise<AclRun> {
  const run: AclRun = {
    gateway, producers, record_size: RECORD_SIZE, records_per_batch: RECORDS_PER_BATCH, produce_mb_per_s: null, broker_cpu_ms_per_mb: null, error: null,
  };
  const label = `${gateway === 'acls' ? 'with ACLs' : 'without an authorizer'}${round === 0 ? ', warm-up' : ''}`;
  try {
    const step = progress.timed(`acl: produce ${label} (round ${round})`, seconds);
    const meter = new CpuMeter({ broker: () => (target.brokerPid ? [target.brokerPid] : []) });
    let brokerCores: number | null = null;
    const produced = await producePartitions({
      target, topic, producers, recordSize: RECORD_SIZE, recordsPerBatch: RECORDS_PER_BATCH, seconds,
      beforeGo: () => meter.start(),
      afterResults: () => {
        brokerCores = meter.stop().broker ?? null;
      },
    });
    if (produced.errors.length > 0) throw new Error(`produce ${label}: ${produced.errors.slice(0, 3).join('; ')}`);
    run.produce_mb_per_s = rates(produced.records, RECORD_SIZE, produced.seconds).mb_per_s;
    // The gateway's CPU per MB shows a per-request cost even where Postgres, not the gateway, sets the rate.
    if (brokerCores !== null && run.produce_mb_per_s > 0) run.broker_cpu_ms_per_mb = Math.round((brokerCores / run.produce_mb_per_s) * 1000);
    step.done(`${run.produce_mb_per_s} MB/s, gateway ${run.broker_cpu_ms_per_mb ?? '-'} CPU ms per MB`);
  } catch (err) {
    run.error = errorMessage(err);
    progress.note(`  acl ${label} round ${round} failed: ${run.error}`);
  }
  return run;
}

export async function runAcl(options: {
  databaseUrl: string;
  postgresPid: number | null;
  /** How to run `kpg`. */
  command?: readonly string[];
  aclCount: number;
  producers: number;
  seconds: number;
  progress: Progress;
}): Promise<{ acls: number; acls_applying: number; produce_ratio: number | null; runs: AclRun[] }> {
  const acls = clusterAcls(options.aclCount);
  // Round 0 warms both gateways up (JIT, connections, Postgres caches) and is not counted.
  const produced = [0, 1, 2].flatMap((round) => [topicName(`acl-open-${round}`), topicName(`acl-acls-${round}`)]);
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  const storage = new PgAclStorage(pool);
  const gateways: GatewayProcess[] = [];
  try {
    // Stored before the authorizing gateway starts: it loads them all at start-up, as after any change.
    await storage.createAcls(acls);
    // Each one is stopped in `finally` as soon as it runs, even if the other fails to start.
    const start = async (brokerConfigs: Record<string, string>): Promise<GatewayProcess> => {
      const gateway = await startGatewayProcess({ databaseUrl: options.databaseUrl, command: options.command, brokerConfigs });
      gateways.push(gateway);
      return gateway;
    };
    const [withAcls, open] = await Promise.all([
      start({
        'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
        'allow.everyone.if.no.acl.found': 'false',
      }),
      start({}),
    ]);
    const aclsTarget = await gatewayTarget(withAcls, options.databaseUrl, options.postgresPid, `kpg with ${acls.length} ACLs (pid ${withAcls.pid})`);
    const openTarget = await gatewayTarget(open, options.databaseUrl, options.postgresPid, `kpg without an authorizer (pid ${open.pid})`);
    if (withAcls.nodeId === null || open.nodeId === null) throw new Error('a gateway did not print its node id at start-up');
    const hidden = topicName('noacl');
    // Each topic led by the gateway it measures (three gateways share the database, and producers follow
    // the leader); created through the open gateway, as User:ANONYMOUS may not create on the other.
    const leaderOf = (topic: string): number => (topic.includes('-acl-open-') ? open.nodeId! : withAcls.nodeId!);
    await createTopics(openTarget, [...produced, hidden].map((name) => ({ name, partitions: options.producers, leader: leaderOf(name) })));
    await checkEnforced(aclsTarget, hidden);

    const run = (gateway: AclRun['gateway'], round: number): Promise<AclRun> =>
      measure(gateway === 'acls' ? aclsTarget : openTarget, gateway, topicName(`acl-${gateway}-${round}`), options.producers, options.seconds, round, options.progress);
    for (const warmup of [await run('open', 0), await run('acls', 0)]) {
      if (warmup.error) throw new Error(`warming up: ${warmup.error}`);
    }
    // ABBA order: neither gateway always goes first on a warming machine.
    const runs = [await run('open', 1), await run('acls', 1), await run('acls', 2), await run('open', 2)];
    const best = (gateway: AclRun['gateway']): number | null => {
      const values = runs.filter((r) => r.gateway === gateway && r.produce_mb_per_s !== null).map((r) => r.produce_mb_per_s!);
      return values.length > 0 ? Math.max(...values) : null;
    };
    const withAclsBest = best('acls');
    const openBest = best('open');
    return {
      acls: acls.length,
      acls_applying: applyingTo(acls, produced[0]!),
      produce_ratio: openBest && withAclsBest !== null ? Math.round((withAclsBest / openBest) * 100) / 100 : null,
      runs,
    };
  } finally {
    await Promise.all(gateways.map((g) => g.stop()));
    // The bindings go again, so that a kept database (--database-url) is left as it was found.
    await storage.deleteAcls(acls).catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
