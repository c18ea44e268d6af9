/**
 * The ACL row: what checking ACLs on every request costs. Two fresh gateways on the same Postgres, alike
 * but for the authorizer: one runs Kafka's StandardAuthorizer (kpg's ACL authorizer) over a cluster-sized
 * set of bindings with allow.everyone.if.no.acl.found=false, the other has no authorizer. Both take the
 * same produce load, warm-up and ABBA runs (gateway-pair.ts); each gateway's best run counts.
 */
import pg from 'pg';
import { AclOperation, AclPermission, PatternType, ResourceType, type AclOperationCode } from '../../protocol/acl.js';
import type { AclBinding } from '../../security/acl-binding.js';
import { PgAclStorage } from '../../storage/pg/acls.js';
import type { Progress } from '../progress.js';
import { errorMessage, type AclRun } from '../result.js';
import { createTopics, topicName, type Target } from '../targets.js';
import { compareGatewayPair, PAIR_RECORD_SIZE, pairTopic } from './gateway-pair.js';
import { producePartitions } from './produce.js';

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

/**
 * Proves the authorizing gateway enforces: a record for a topic it leads that no binding lets
 * User:ANONYMOUS write is refused. Otherwise the row would compare two open gateways.
 */
async function checkEnforced(withAcls: Target, hidden: string): Promise<void> {
  let refusal: string;
  try {
    const attempt = await producePartitions({ target: withAcls, topic: hidden, producers: 1, recordSize: PAIR_RECORD_SIZE, recordsPerBatch: 1, recordsPerProducer: 1 });
    if (attempt.records > 0) throw new Error(`the gateway with ACLs took a record for ${hidden}, which no ACL lets User:ANONYMOUS write: it is not enforcing ACLs`);
    refusal = attempt.errors.join('; ');
  } catch (err) {
    // The load generator gives up on a topic it is refused: that is the answer expected here.
    refusal = errorMessage(err);
  }
  if (!/TOPIC_AUTHORIZATION_FAILED/.test(refusal)) throw new Error(`writing ${hidden} without an ACL was not refused for authorization: ${refusal}`);
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
  const pool = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
  pool.on('error', () => undefined);
  const storage = new PgAclStorage(pool);
  try {
    // Stored before the authorizing gateway starts: it loads them all at start-up, as after any change.
    await storage.createAcls(acls);
    const result = await compareGatewayPair<AclRun['gateway'], object>({
      phase: 'acl',
      databaseUrl: options.databaseUrl,
      postgresPid: options.postgresPid,
      command: options.command,
      measured: {
        side: 'acls',
        label: 'with ACLs',
        brokerConfigs: {
          'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
          'allow.everyone.if.no.acl.found': 'false',
        },
        describe: (g) => `kpg with ${acls.length} ACLs (pid ${g.pid})`,
      },
      baseline: { side: 'open', label: 'without an authorizer', describe: (g) => `kpg without an authorizer (pid ${g.pid})` },
      producers: options.producers,
      seconds: options.seconds,
      progress: options.progress,
      emptyFigures: () => ({}),
      prepare: async ({ measured, baseline }) => {
        // Led by the authorizing gateway; created through the open one, as User:ANONYMOUS may not create on the other.
        const hidden = topicName('noacl');
        await createTopics(baseline.target, [{ name: hidden, partitions: options.producers, leader: measured.process.nodeId! }]);
        await checkEnforced(measured.target, hidden);
      },
    });
    return {
      acls: acls.length,
      acls_applying: applyingTo(acls, pairTopic('acl', 'open', 0)),
      produce_ratio: result.ratio === null ? null : Math.round(result.ratio * 100) / 100,
      runs: result.runs,
    };
  } finally {
    // The bindings go again, so that a kept database (--database-url) is left as it was found.
    await storage.deleteAcls(acls).catch(() => undefined);
    await pool.end().catch(() => undefined);
  }
}
