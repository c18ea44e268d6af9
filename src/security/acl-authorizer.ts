/**
 * kpg's ACL authorizer, with the semantics of Kafka's StandardAuthorizer (what
 * `authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer` turns on):
 *
 * - the ACLs that apply to a resource are its LITERAL ones, the LITERAL ones named "*" and the PREFIXED
 *   ones whose name starts the resource's name;
 * - of those, an ACL counts when its principal is the requester's or User:*, its host is the client's
 *   address or "*", and its operation is the one asked, ALL, or (ALLOW ACLs only) one implying it:
 *   READ, WRITE, DELETE and ALTER imply DESCRIBE, ALTER_CONFIGS implies DESCRIBE_CONFIGS;
 * - a DENY that counts wins over any ALLOW; without an ALLOW the answer is no, unless no ACL at all
 *   applies to the resource and `allow.everyone.if.no.acl.found` is true;
 * - the principals in `super.users` (semicolon separated) may do everything.
 *
 * Every gateway keeps all bindings in memory, indexed by resource type and name, and reloads them from
 * Postgres when any gateway (or SQL) announces `aclsChanged`, and after the change feed reconnects.
 */
import type { Logger } from 'pino';
import {
  AclOperation, AclPermission, PatternType, ResourceType, type AclOperationCode, type ResourceTypeCode,
} from '../protocol/acl.js';
import type { AclStorage } from '../storage/acls.js';
import type { ChangeNotifications } from '../storage/notifications.js';
import type { AccessControl, AclBindings, Requester } from './access-control.js';
import {
  WILDCARD_HOST, WILDCARD_PRINCIPAL, WILDCARD_RESOURCE, codeName, filterMatches, type AclBinding, type AclBindingFilter,
} from './acl-binding.js';
import { ALLOW_ALL, allOperationsOf } from './allow-all.js';
import { principalToString } from './principal.js';

/** The class name Kafka 4 configures its KRaft authorizer with; kpg answers to it with this authorizer. */
export const STANDARD_AUTHORIZER = 'org.apache.kafka.metadata.authorizer.StandardAuthorizer';
/** Kafka's ZooKeeper-era authorizer, removed in Kafka 4. */
const REMOVED_ACL_AUTHORIZER = 'kafka.security.authorizer.AclAuthorizer';

const IMPLIES_DESCRIBE = new Set<number>([
  AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER,
]);
const IMPLIES_DESCRIBE_CONFIGS = new Set<number>([AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS]);

/** The operations a resource type has, as KIP-430 bit sets list them. */
function operationsOf(resourceType: ResourceTypeCode): AclOperationCode[] {
  const bits = allOperationsOf(resourceType);
  return (Object.values(AclOperation) as AclOperationCode[]).filter((op) => (bits & (1 << op)) !== 0);
}

const NO_LISTS: AclBinding[][] = [];

/** The bindings of one resource type. */
interface TypeIndex {
  literal: Map<string, AclBinding[]>;
  prefixed: Map<string, AclBinding[]>;
  /** The distinct lengths of the prefixes, so a lookup tries each length once. */
  prefixLengths: number[];
  all: AclBinding[];
}

export interface AclAuthorizerOptions {
  /** Principals ("User:admin") allowed everything. */
  superUsers: Iterable<string>;
  allowEveryoneIfNoAclFound: boolean;
  log: Logger;
}

/** Kafka reports IPv4 clients by their IPv4 address; Node reports them as IPv4-mapped IPv6 on dual-stack sockets. */
export function clientHost(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export class AclAuthorizer implements AccessControl {
  readonly enabled = true;
  private readonly superUsers: ReadonlySet<string>;
  private readonly allowEveryoneIfNoAclFound: boolean;
  private readonly log: Logger;
  private byType = new Map<number, TypeIndex>();
  /** Set by createAccessControl, which connects the authorizer to storage. */
  bindings?: AclBindings;

  constructor(options: AclAuthorizerOptions) {
    this.superUsers = new Set(options.superUsers);
    this.allowEveryoneIfNoAclFound = options.allowEveryoneIfNoAclFound;
    this.log = options.log;
  }

  /** Replaces every binding (after a load from storage). */
  setAcls(bindings: readonly AclBinding[]): void {
    const byType = new Map<number, TypeIndex>();
    for (const b of bindings) {
      let index = byType.get(b.resourceType);
      if (!index) {
        index = { literal: new Map(), prefixed: new Map(), prefixLengths: [], all: [] };
        byType.set(b.resourceType, index);
      }
      index.all.push(b);
      const map = b.patternType === PatternType.PREFIXED ? index.prefixed : index.literal;
      const list = map.get(b.resourceName);
      if (list) list.push(b);
      else map.set(b.resourceName, [b]);
    }
    for (const index of byType.values()) {
      index.prefixLengths = [...new Set([...index.prefixed.keys()].map((p) => p.length))].sort((a, b) => a - b);
    }
    this.byType = byType;
  }

  isSuperUser(who: Requester): boolean {
    return this.superUsers.has(principalToString(who.principal));
  }

  authorize(who: Requester, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string, logIfDenied = true): boolean {
    if (this.isSuperUser(who)) return true;
    const principal = principalToString(who.principal);
    const host = clientHost(who.address);
    let allowed = false;
    let anyAclApplies = false;
    for (const list of this.listsApplyingTo(resourceType, resourceName)) {
      for (const acl of list) {
        anyAclApplies = true;
        if (!entryCounts(acl, principal, host, operation)) continue;
        if (acl.permissionType === AclPermission.DENY) {
          if (logIfDenied) this.logDenied(principal, host, operation, resourceType, resourceName, acl);
          return false;
        }
        allowed = true;
      }
    }
    if (allowed) return true;
    if (!anyAclApplies && this.allowEveryoneIfNoAclFound) return true;
    if (logIfDenied) this.logDenied(principal, host, operation, resourceType, resourceName, null);
    return false;
  }

  authorizedOperations(who: Requester, resourceType: ResourceTypeCode, resourceName: string): number {
    let bits = 0;
    for (const op of operationsOf(resourceType)) {
      if (this.authorize(who, op, resourceType, resourceName, false)) bits |= 1 << op;
    }
    return bits;
  }

  /**
   * Kafka's Authorizer.authorizeByResourceType: allowed when a resource of the type could be named that
   * the requester may use: a super user, no ACLs at all with allow.everyone.if.no.acl.found, a wildcard
   * ALLOW, or an ALLOW pattern not dominated by a DENY (a literal DENY of the same name, or a prefix DENY
   * starting it). A wildcard DENY denies. Implications do not apply here, as in Kafka.
   */
  authorizeAny(who: Requester, operation: AclOperationCode, resourceType: ResourceTypeCode): boolean {
    if (this.authorize(who, operation, resourceType, 'hardcode', false)) return true;
    const principal = principalToString(who.principal);
    const host = clientHost(who.address);
    const denied = { literal: new Set<string>(), prefixed: new Set<string>() };
    const allowed: { name: string; prefixed: boolean }[] = [];
    for (const acl of this.byType.get(resourceType)?.all ?? []) {
      if (acl.host !== host && acl.host !== WILDCARD_HOST) continue;
      if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) continue;
      if (acl.operation !== operation && acl.operation !== AclOperation.ALL) continue;
      const prefixed = acl.patternType === PatternType.PREFIXED;
      if (acl.permissionType === AclPermission.DENY) {
        if (!prefixed && acl.resourceName === WILDCARD_RESOURCE) return false;
        (prefixed ? denied.prefixed : denied.literal).add(acl.resourceName);
      } else if (acl.permissionType === AclPermission.ALLOW) {
        if (!prefixed && acl.resourceName === WILDCARD_RESOURCE) return true;
        allowed.push({ name: acl.resourceName, prefixed });
      }
    }
    return allowed.some(({ name, prefixed }) => {
      if (!prefixed && denied.literal.has(name)) return false;
      for (let end = 1; end <= name.length; end++) {
        if (denied.prefixed.has(name.slice(0, end))) return false;
      }
      return true;
    });
  }

  /** The lists of bindings whose pattern applies to the resource: literal, wildcard and prefixes of the name. */
  private listsApplyingTo(resourceType: ResourceTypeCode, resourceName: string): AclBinding[][] {
    const index = this.byType.get(resourceType);
    if (!index) return NO_LISTS;
    const lists: AclBinding[][] = [];
    const literal = index.literal.get(resourceName);
    if (literal) lists.push(literal);
    if (resourceName !== WILDCARD_RESOURCE) {
      const wildcard = index.literal.get(WILDCARD_RESOURCE);
      if (wildcard) lists.push(wildcard);
    }
    for (const length of index.prefixLengths) {
      if (length > resourceName.length) break;
      const prefixed = index.prefixed.get(resourceName.slice(0, length));
      if (prefixed) lists.push(prefixed);
    }
    return lists;
  }

  /** Kafka's authorizer log line (logger kafka.authorizer.logger), without the request name it does not get here. */
  private logDenied(
    principal: string, host: string, operation: AclOperationCode, resourceType: ResourceTypeCode, resourceName: string,
    rule: AclBinding | null,
  ): void {
    const op = codeName(AclOperation, operation);
    const resource = `${resourceTypeTitle(resourceType)}:LITERAL:${resourceName}`;
    const ruleText = rule ? `MatchingAcl(acl=${standardAclText(rule)}, result=DENIED)` : 'DefaultDeny';
    this.log.info(
      { principal, host, operation: op, resource, rule: ruleText },
      `Principal = ${principal} is Denied operation = ${op} from host = ${host} on resource = ${resource} based on rule ${ruleText}`,
    );
  }
}

/** "TRANSACTIONAL_ID" → "TransactionalId", as Kafka's ResourceType prints in resource names of log lines. */
function resourceTypeTitle(resourceType: ResourceTypeCode): string {
  return codeName(ResourceType, resourceType).toLowerCase().replace(/(^|_)([a-z])/g, (_, __, c: string) => c.toUpperCase());
}

function standardAclText(b: AclBinding): string {
  return `StandardAcl(resourceType=${codeName(ResourceType, b.resourceType)}, resourceName=${b.resourceName}, `
    + `patternType=${codeName(PatternType, b.patternType)}, principal=${b.principal}, host=${b.host}, `
    + `operation=${codeName(AclOperation, b.operation)}, permissionType=${codeName(AclPermission, b.permissionType)})`;
}

/** Whether an ACL's principal, host and operation make it count for this request (Kafka's findResult). */
function entryCounts(acl: AclBinding, principal: string, host: string, operation: AclOperationCode): boolean {
  if (acl.principal !== principal && acl.principal !== WILDCARD_PRINCIPAL) return false;
  if (acl.host !== WILDCARD_HOST && acl.host !== host) return false;
  if (acl.operation === AclOperation.ALL) return true;
  if (acl.permissionType === AclPermission.ALLOW) {
    if (operation === AclOperation.DESCRIBE) return IMPLIES_DESCRIBE.has(acl.operation);
    if (operation === AclOperation.DESCRIBE_CONFIGS) return IMPLIES_DESCRIBE_CONFIGS.has(acl.operation);
  }
  return acl.operation === operation;
}

export function describeBinding(b: AclBinding): string {
  return `${codeName(AclPermission, b.permissionType)} ${b.principal} ${codeName(AclOperation, b.operation)} from ${b.host} on `
    + `${codeName(ResourceType, b.resourceType)}:${codeName(PatternType, b.patternType)}:${b.resourceName}`;
}

/** Parses `super.users`: principals separated by semicolons. */
export function parseSuperUsers(value: string | null): string[] {
  return (value ?? '').split(';').map((s) => s.trim()).filter((s) => s.length > 0);
}

/** What createAccessControl reads: broker configs by their Kafka names. */
export interface SecurityConfigSource {
  string(name: string): string | null;
}

/**
 * The access control `authorizer.class.name` selects: none (allow everything, ACL APIs answer
 * SECURITY_DISABLED) when empty, kpg's ACL authorizer for Kafka's StandardAuthorizer, a start-up error
 * otherwise. The authorizer's ACLs are loaded before this resolves and follow every later change.
 */
export async function createAccessControl(
  config: SecurityConfigSource, acls: AclStorage, notifications: ChangeNotifications, log: Logger,
): Promise<AccessControl & { stop?: () => void }> {
  const className = (config.string('authorizer.class.name') ?? '').trim();
  if (className === '') return ALLOW_ALL;
  if (className === REMOVED_ACL_AUTHORIZER) {
    throw new Error(`authorizer.class.name=${className}: Kafka 4 removed the ZooKeeper AclAuthorizer; use ${STANDARD_AUTHORIZER}`);
  }
  if (className !== STANDARD_AUTHORIZER) {
    throw new Error(`authorizer.class.name=${className} is not supported: kpg's ACL authorizer answers to ${STANDARD_AUTHORIZER}`);
  }
  const authorizer = new AclAuthorizer({
    superUsers: parseSuperUsers(config.string('super.users')),
    allowEveryoneIfNoAclFound: (config.string('allow.everyone.if.no.acl.found') ?? 'false').trim().toLowerCase() === 'true',
    log,
  });
  const reloader = new AclReloader(authorizer, acls, log);
  await reloader.reloadNow();
  authorizer.bindings = {
    describe: async (filter: AclBindingFilter) => (await acls.listAcls()).filter((b) => filterMatches(filter, b)),
    create: async (bindings) => {
      await acls.createAcls(bindings);
      await reloader.reloadNow();
    },
    delete: async (filters) => {
      const deleted = await acls.deleteAcls(filters);
      await reloader.reloadNow();
      return deleted;
    },
  };
  const onChange = (): void => reloader.requestReload();
  notifications.on('aclsChanged', onChange);
  notifications.on('reconnected', onChange);
  return Object.assign(authorizer, {
    stop: () => {
      notifications.off('aclsChanged', onChange);
      notifications.off('reconnected', onChange);
      reloader.stop();
    },
  });
}

const RETRY_RELOAD_MS = 1000;

/** Reloads the bindings on request: one load at a time, and one more when asked again meanwhile. */
class AclReloader {
  private running: Promise<void> | null = null;
  private again = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(private readonly authorizer: AclAuthorizer, private readonly acls: AclStorage, private readonly log: Logger) {}

  private started = 0;
  private applied = 0;

  /** Loads and applies the bindings, unless a load started later has already applied newer ones. */
  async reloadNow(): Promise<void> {
    const load = ++this.started;
    const bindings = await this.acls.listAcls();
    if (load < this.applied) return;
    this.applied = load;
    this.authorizer.setAcls(bindings);
  }

  requestReload(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.reloadNow()
      .catch((err: unknown) => {
        this.log.warn({ err }, 'reloading ACLs failed; retrying');
        this.retryTimer ??= setTimeout(() => {
          this.retryTimer = null;
          this.requestReload();
        }, RETRY_RELOAD_MS);
        this.retryTimer.unref();
      })
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.requestReload();
        }
      });
  }

  stop(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
  }
}
