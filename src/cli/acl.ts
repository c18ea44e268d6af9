/**
 * `kpg acl add|list|remove`: ACL bindings written straight to Postgres (how the first ACLs exist before
 * any client may manage them), with kafka-acls.sh's options:
 *
 *   kpg acl add --allow-principal User:alice --operation Read --operation Describe --topic orders
 *   kpg acl add --deny-principal User:bob --deny-host 10.0.0.2 --operation Write --topic logs- --resource-pattern-type prefixed
 *   kpg acl add --allow-principal User:admin --operation All --cluster
 *   kpg acl list [--topic orders] [--principal User:alice] [--resource-pattern-type any|match|literal|prefixed] [--json]
 *   kpg acl remove --allow-principal User:alice --operation Read --topic orders
 *   kpg acl remove --topic orders           (every ACL of that resource pattern)
 *
 * Like `kpg sql`, it reaches the Postgres of --database-url, or the embedded one of --data-dir. Each
 * change announces itself, so every running gateway decides with it at once. Exit status 0, or 1 on a
 * usage mistake or a database error.
 */
import type { Command, Option } from 'commander';
import pg from 'pg';
import {
  AclOperation, AclPermission, CLUSTER_RESOURCE_NAME, PatternType, ResourceType,
  type AclOperationCode, type AclPermissionCode, type PatternTypeCode, type ResourceTypeCode,
} from '../protocol/acl.js';
import { codeName, filterMatches, WILDCARD_HOST, type AclBinding, type AclBindingFilter } from '../security/acl-binding.js';
import { PgAclStorage } from '../storage/pg/acls.js';
import { applyMigrations } from '../storage/pg/migrate.js';
import { resolveTarget, SqlCommandError } from './sql.js';

interface AclOptions {
  databaseUrl?: string;
  dataDir: string;
  allowPrincipal: string[];
  denyPrincipal: string[];
  principal: string[];
  allowHost: string[];
  denyHost: string[];
  host: string[];
  operation: string[];
  topic: string[];
  group: string[];
  transactionalId: string[];
  cluster?: boolean;
  resourcePatternType: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** "DescribeConfigs", "describe-configs", "DESCRIBE_CONFIGS" all name AclOperation.DESCRIBE_CONFIGS. */
function enumByName<T extends number>(enumObject: Record<string, number>, text: string, what: string, allowed: readonly string[]): T {
  const wanted = text.replace(/[-_\s]/g, '').toUpperCase();
  const entry = Object.entries(enumObject).find(([name]) => name.replaceAll('_', '') === wanted && allowed.includes(name));
  if (!entry) throw new SqlCommandError(`unknown ${what} "${text}" (one of: ${allowed.map((n) => n.toLowerCase()).join(', ')})`);
  return entry[1] as T;
}

const OPERATION_NAMES = Object.keys(AclOperation).filter((n) => n !== 'UNKNOWN' && n !== 'ANY');

function operations(opts: AclOptions, whenNone: AclOperationCode): AclOperationCode[] {
  if (opts.operation.length === 0) return [whenNone];
  return opts.operation.map((o) => enumByName<AclOperationCode>(AclOperation, o, 'operation', OPERATION_NAMES));
}

function checkPrincipal(p: string): string {
  if (!p.includes(':')) throw new SqlCommandError(`principal "${p}" is not Type:name (e.g. User:alice)`);
  return p;
}

interface Resource {
  resourceType: ResourceTypeCode;
  resourceName: string;
}

function resources(opts: AclOptions): Resource[] {
  const out: Resource[] = [
    ...opts.topic.map((name) => ({ resourceType: ResourceType.TOPIC, resourceName: name })),
    ...opts.group.map((name) => ({ resourceType: ResourceType.GROUP, resourceName: name })),
    ...opts.transactionalId.map((name) => ({ resourceType: ResourceType.TRANSACTIONAL_ID, resourceName: name })),
  ];
  if (opts.cluster) out.push({ resourceType: ResourceType.CLUSTER, resourceName: CLUSTER_RESOURCE_NAME });
  if (out.some((r) => r.resourceName === '')) throw new SqlCommandError('resource names cannot be empty');
  return out;
}

/** ALLOW entries for --allow-principal on --allow-host (or --host, default *), DENY likewise. */
function entries(opts: AclOptions): { principal: string; host: string; permissionType: AclPermissionCode }[] {
  const hostsOf = (specific: string[]) => (specific.length > 0 ? specific : opts.host.length > 0 ? opts.host : [WILDCARD_HOST]);
  return [
    ...opts.allowPrincipal.flatMap((p) => hostsOf(opts.allowHost).map((host) => ({ principal: checkPrincipal(p), host, permissionType: AclPermission.ALLOW }))),
    ...opts.denyPrincipal.flatMap((p) => hostsOf(opts.denyHost).map((host) => ({ principal: checkPrincipal(p), host, permissionType: AclPermission.DENY }))),
  ];
}

function bindingsToAdd(opts: AclOptions): AclBinding[] {
  const patternType = enumByName<PatternTypeCode>(PatternType, opts.resourcePatternType, 'resource pattern type', ['LITERAL', 'PREFIXED']);
  const targets = resources(opts);
  if (targets.length === 0) throw new SqlCommandError('name a resource: --topic, --group, --transactional-id or --cluster');
  const aces = entries(opts);
  if (aces.length === 0) throw new SqlCommandError('name a principal: --allow-principal or --deny-principal');
  const ops = operations(opts, AclOperation.ALL);
  return targets.flatMap((r) => aces.flatMap((e) => ops.map((operation) => ({ ...r, patternType, ...e, operation }))));
}

function removalFilters(opts: AclOptions): AclBindingFilter[] {
  const patternType = enumByName<PatternTypeCode>(PatternType, opts.resourcePatternType, 'resource pattern type', ['ANY', 'MATCH', 'LITERAL', 'PREFIXED']);
  const targets = resources(opts);
  if (targets.length === 0) throw new SqlCommandError('name a resource: --topic, --group, --transactional-id or --cluster');
  const aces = entries(opts);
  const ops = operations(opts, AclOperation.ANY);
  return targets.flatMap((r): AclBindingFilter[] => {
    const pattern = { resourceType: r.resourceType, resourceName: r.resourceName, patternType };
    if (aces.length === 0) {
      return ops.map((operation) => ({ ...pattern, principal: null, host: null, operation, permissionType: AclPermission.ANY }));
    }
    return aces.flatMap((e) => ops.map((operation) => ({ ...pattern, ...e, operation })));
  });
}

function listFilters(opts: AclOptions): AclBindingFilter[] {
  const patternType = enumByName<PatternTypeCode>(PatternType, opts.resourcePatternType, 'resource pattern type', ['ANY', 'MATCH', 'LITERAL', 'PREFIXED']);
  const principals = opts.principal.length > 0 ? opts.principal.map(checkPrincipal) : [null];
  const targets: { resourceType: ResourceTypeCode; resourceName: string | null; patternType: PatternTypeCode }[] = resources(opts).map((r) => ({ ...r, patternType }));
  // Without a resource, every binding (kafka-acls --list does the same).
  if (targets.length === 0) targets.push({ resourceType: ResourceType.ANY, resourceName: null, patternType: PatternType.ANY });
  return targets.flatMap((t) => principals.map((principal) => ({
    ...t, principal, host: null, operation: AclOperation.ANY, permissionType: AclPermission.ANY,
  })));
}

/** kafka-acls.sh's listing: one block per resource pattern. */
export function formatBindings(bindings: readonly AclBinding[]): string {
  const byPattern = new Map<string, AclBinding[]>();
  for (const b of bindings) {
    const key = `ResourcePattern(resourceType=${codeName(ResourceType, b.resourceType)}, name=${b.resourceName}, patternType=${codeName(PatternType, b.patternType)})`;
    byPattern.set(key, [...(byPattern.get(key) ?? []), b]);
  }
  let out = '';
  for (const [pattern, list] of byPattern) {
    out += `Current ACLs for resource \`${pattern}\`: \n`;
    for (const b of list) {
      out += ` \t(principal=${b.principal}, host=${b.host}, operation=${codeName(AclOperation, b.operation)}, permissionType=${codeName(AclPermission, b.permissionType)})\n`;
    }
    out += '\n';
  }
  return out;
}

function toJson(b: AclBinding): Record<string, string> {
  return {
    resourceType: codeName(ResourceType, b.resourceType),
    resourceName: b.resourceName,
    patternType: codeName(PatternType, b.patternType),
    principal: b.principal,
    host: b.host,
    operation: codeName(AclOperation, b.operation),
    permissionType: codeName(AclPermission, b.permissionType),
  };
}

/** Like `kpg user`, `kpg acl add` prepares a fresh data dir (embedded Postgres and kpg's tables) before kpg first serves. */
async function withStorage<T>(opts: AclOptions, work: (storage: PgAclStorage) => Promise<T>, { initialize = false } = {}): Promise<T> {
  const target = await resolveTarget(opts, 'kpg acl', { initialize });
  if (initialize) await applyMigrations(target.config);
  const pool = new pg.Pool({ ...target.config, max: 1, application_name: 'kpg acl' });
  pool.on('error', () => undefined);
  try {
    return await work(new PgAclStorage(pool));
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') {
      throw new SqlCommandError('this database has no kpg.acls table: start kpg (or run kpg migrate) on it first');
    }
    throw err;
  } finally {
    await pool.end().catch(() => undefined);
    await target.started?.stop();
  }
}

async function aclCommand(action: 'add' | 'list' | 'remove', opts: AclOptions): Promise<void> {
  switch (action) {
    case 'add': {
      const bindings = bindingsToAdd(opts);
      await withStorage(opts, (s) => s.createAcls(bindings), { initialize: true });
      process.stdout.write(opts.json ? `${JSON.stringify(bindings.map(toJson))}\n` : `Added ACLs:\n${formatBindings(bindings)}`);
      return;
    }
    case 'remove': {
      const filters = removalFilters(opts);
      const deleted = await withStorage(opts, (s) => s.deleteAcls(filters));
      const unique = [...new Set(deleted.flat())];
      process.stdout.write(opts.json ? `${JSON.stringify(unique.map(toJson))}\n` : `Removed ${unique.length} ACL${unique.length === 1 ? '' : 's'}:\n${formatBindings(unique)}`);
      return;
    }
    case 'list': {
      const filters = listFilters(opts);
      const all = await withStorage(opts, (s) => s.listAcls());
      const shown = all.filter((b) => filters.some((f) => filterMatches(f, b)));
      process.stdout.write(opts.json ? `${JSON.stringify(shown.map(toJson))}\n` : formatBindings(shown));
      return;
    }
  }
}

export function registerAclCommand(program: Command, databaseUrlOption: () => Option): void {
  const acl = program
    .command('acl')
    .description('add, list and remove ACL bindings in Postgres (options as kafka-acls.sh)');
  for (const action of ['add', 'list', 'remove'] as const) {
    const cmd = acl
      .command(action)
      .description({ add: 'add ACL bindings', list: 'list ACL bindings', remove: 'remove ACL bindings' }[action])
      .option('--topic <name>', 'a topic (repeatable)', collect, [])
      .option('--group <name>', 'a consumer group (repeatable)', collect, [])
      .option('--transactional-id <id>', 'a transactional id (repeatable)', collect, [])
      .option('--cluster', 'the cluster resource')
      .option('--resource-pattern-type <type>', 'literal or prefixed; also any or match for list and remove', 'literal')
      .option('--data-dir <dir>', 'data directory of the embedded Postgres (used without --database-url)', './data')
      .addOption(databaseUrlOption())
      .option('--json', 'print JSON');
    if (action === 'list') {
      cmd.option('--principal <principal>', 'only bindings of this principal (repeatable)', collect, []);
    } else {
      cmd
        .option('--allow-principal <principal>', 'principal given ALLOW entries, e.g. User:alice or User:* (repeatable)', collect, [])
        .option('--deny-principal <principal>', 'principal given DENY entries (repeatable)', collect, [])
        .option('--allow-host <host>', 'client address of the ALLOW entries (repeatable; default *)', collect, [])
        .option('--deny-host <host>', 'client address of the DENY entries (repeatable; default *)', collect, [])
        .option('--host <host>', 'client address of both kinds of entries (repeatable; default *)', collect, [])
        .option('--operation <operation>', `operation (repeatable): ${OPERATION_NAMES.map((n) => n.toLowerCase()).join(', ')}; default all (add) or any (remove)`, collect, []);
    }
    cmd.action(async (opts: AclOptions) => {
      const none: Partial<AclOptions> = { allowPrincipal: [], denyPrincipal: [], principal: [], allowHost: [], denyHost: [], host: [], operation: [] };
      const full = { ...none, ...opts } as AclOptions;
      try {
        await aclCommand(action, full);
      } catch (err) {
        process.stderr.write(`kpg acl ${action}: ${(err as Error).message.split('\n')[0]}\n`);
        process.exitCode = 1;
      }
    });
  }
}
