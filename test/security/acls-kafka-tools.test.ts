/**
 * kafka-acls.sh (Kafka 4.1.2's AclCommand) against kpg with the ACL authorizer: --add, --list (all, by
 * resource, MATCH, by principal) and --remove print what they print against Kafka 4.1.2 configured
 * the same way (StandardAuthorizer, super.users=User:ANONYMOUS). The expected listings were captured
 * from that Kafka; Kafka lists from hash sets, so blocks and their lines are compared sorted.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../support/gateway.js';
import { KAFKA_LIB, kafkaToolsMissing, realClientAvailable } from '../support/real-clients.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const toolsAvailable = realClientAvailable('Kafka 4.1.2 command-line tools', await kafkaToolsMissing(), import.meta.url);

let kpg: TestGateway;

beforeAll(async () => {
  kpg = await startTestGateway({
    brokerConfigs: { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:ANONYMOUS' },
  });
});

afterAll(async () => {
  await kpg?.stop();
});

function kafkaAcls(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn('java', [
      '-Xmx256m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${path.join(ROOT, 'compat/lib/log4j2-tools.properties')}`,
      '-cp', `${KAFKA_LIB}/*`, 'org.apache.kafka.tools.AclCommand', '--bootstrap-server', kpg.bootstrap, ...args,
    ]);
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`kafka-acls exited ${code}: ${out}`))));
  });
}

/**
 * Blocks (separated by blank lines) with their lines trimmed and sorted, the blocks sorted. The
 * "ACLs for principal" heading is a block of its own: no blank line separates it from the first resource,
 * which is whichever comes first in the listing's (hash) order.
 */
function canonical(listing: string): string[][] {
  return listing
    .split(/\n\s*\n/)
    .map((block) => block.split('\n').map((l) => l.trim()).filter(Boolean))
    .flatMap((lines) => (lines[0]?.startsWith('ACLs for principal') ? [[lines[0]], lines.slice(1)] : [lines]))
    .filter((lines) => lines.length > 0)
    .map((lines) => [lines[0]!, ...lines.slice(1).sort()])
    .sort((a, b) => a.join('\n').localeCompare(b.join('\n')));
}

const ORDERS = 'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:';
const LOGS = 'Current ACLs for resource `ResourcePattern(resourceType=TOPIC, name=logs-, patternType=PREFIXED)`:';
const APP = 'Current ACLs for resource `ResourcePattern(resourceType=GROUP, name=app, patternType=LITERAL)`:';
const ALICE_READ = '(principal=User:alice, host=*, operation=READ, permissionType=ALLOW)';
const ALICE_DESCRIBE = '(principal=User:alice, host=*, operation=DESCRIBE, permissionType=ALLOW)';
const BOB_DENY = '(principal=User:bob, host=10.0.0.2, operation=WRITE, permissionType=DENY)';

describe.skipIf(!toolsAvailable)('kafka-acls.sh against kpg', () => {
  it('--add, --list and --remove print what they print against Kafka 4.1.2', async () => {
    expect(canonical(await kafkaAcls('--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--operation', 'Describe', '--topic', 'orders'))).toEqual([
      ['Adding ACLs for resource `ResourcePattern(resourceType=TOPIC, name=orders, patternType=LITERAL)`:', ALICE_DESCRIBE, ALICE_READ],
    ]);
    await kafkaAcls('--add', '--deny-principal', 'User:bob', '--deny-host', '10.0.0.2', '--operation', 'Write', '--topic', 'logs-', '--resource-pattern-type', 'prefixed');
    await kafkaAcls('--add', '--allow-principal', 'User:alice', '--operation', 'Read', '--group', 'app');

    expect(canonical(await kafkaAcls('--list'))).toEqual(canonical(`${ORDERS}\n${ALICE_DESCRIBE}\n${ALICE_READ}\n\n${LOGS}\n${BOB_DENY}\n\n${APP}\n${ALICE_READ}\n`));
    expect(canonical(await kafkaAcls('--list', '--topic', 'orders'))).toEqual([[ORDERS, ALICE_DESCRIBE, ALICE_READ]]);
    expect(canonical(await kafkaAcls('--list', '--topic', 'logs-2024', '--resource-pattern-type', 'match'))).toEqual([[LOGS, BOB_DENY]]);
    expect(canonical(await kafkaAcls('--list', '--principal', 'User:alice'))).toEqual(
      canonical(`ACLs for principal \`User:alice\`\n${APP}\n${ALICE_READ}\n\n${ORDERS}\n${ALICE_DESCRIBE}\n${ALICE_READ}\n`),
    );

    expect((await kafkaAcls('--remove', '--force', '--allow-principal', 'User:alice', '--operation', 'Read', '--topic', 'orders')).trim()).toBe('');
    await kafkaAcls('--remove', '--force', '--topic', 'logs-', '--resource-pattern-type', 'prefixed');
    expect(canonical(await kafkaAcls('--list'))).toEqual(canonical(`${ORDERS}\n${ALICE_DESCRIBE}\n\n${APP}\n${ALICE_READ}\n`));
  });
});
