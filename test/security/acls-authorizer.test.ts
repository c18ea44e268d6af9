/**
 * The ACL authorizer's decisions, table by table, against Kafka's StandardAuthorizer rules: pattern
 * types and the wildcard resource, principal and host wildcards, deny wins, implications, super.users,
 * allow.everyone.if.no.acl.found, authorized-operation bit sets and authorizeByResourceType.
 */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { AclOperation as Op, AclPermission, PatternType, ResourceType } from '../../src/protocol/acl.js';
import { AclAuthorizer, clientHost, parseSuperUsers } from '../../src/security/acl-authorizer.js';
import { filterMatches, MATCH_ALL_FILTER, type AclBinding } from '../../src/security/acl-binding.js';
import { userPrincipal } from '../../src/security/principal.js';

const log = pino({ level: 'silent' });
const ALLOW = AclPermission.ALLOW;
const DENY = AclPermission.DENY;

function acl(
  principal: string, operation: number, permissionType: number, resourceName: string,
  patternType: number = PatternType.LITERAL, resourceType: number = ResourceType.TOPIC, host = '*',
): AclBinding {
  return { resourceType, resourceName, patternType, principal, host, operation, permissionType } as AclBinding;
}

function authorizer(bindings: AclBinding[], options: { superUsers?: string[]; allowEveryone?: boolean } = {}): AclAuthorizer {
  const a = new AclAuthorizer({ superUsers: options.superUsers ?? [], allowEveryoneIfNoAclFound: options.allowEveryone ?? false, log });
  a.setAcls(bindings);
  return a;
}

const alice = { principal: userPrincipal('alice'), address: '10.0.0.1' };
const bob = { principal: userPrincipal('bob'), address: '10.0.0.2' };

describe('ACL authorizer decisions', () => {
  it('LITERAL, PREFIXED and the wildcard resource', () => {
    const a = authorizer([
      acl('User:alice', Op.READ, ALLOW, 'orders'),
      acl('User:alice', Op.WRITE, ALLOW, 'logs-', PatternType.PREFIXED),
      acl('User:alice', Op.CREATE, ALLOW, '*'),
    ]);
    const cases: [number, string, boolean][] = [
      [Op.READ, 'orders', true],
      [Op.READ, 'orders2', false], // a literal is not a prefix
      [Op.READ, 'order', false],
      [Op.WRITE, 'logs-app', true],
      [Op.WRITE, 'logs-', true],
      [Op.WRITE, 'logs', false],
      [Op.CREATE, 'anything', true], // LITERAL "*" matches every name
      [Op.CREATE, '*', true],
      [Op.DELETE, 'orders', false],
    ];
    for (const [op, name, expected] of cases) expect([op, name, a.authorize(alice, op as never, ResourceType.TOPIC, name)]).toEqual([op, name, expected]);
    // Other resource types are separate.
    expect(a.authorize(alice, Op.READ, ResourceType.GROUP, 'orders')).toBe(false);
  });

  it('a PREFIXED "*" is a prefix of names starting with *, not a wildcard', () => {
    const a = authorizer([acl('User:alice', Op.READ, ALLOW, '*', PatternType.PREFIXED)]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'orders')).toBe(false);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, '*x')).toBe(true);
  });

  it('principal User:* matches everyone; hosts match exactly or by "*"', () => {
    const a = authorizer([
      acl('User:*', Op.READ, ALLOW, 'public'),
      acl('User:alice', Op.WRITE, ALLOW, 'public', PatternType.LITERAL, ResourceType.TOPIC, '10.0.0.1'),
    ]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'public')).toBe(true);
    expect(a.authorize(bob, Op.READ, ResourceType.TOPIC, 'public')).toBe(true);
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'public')).toBe(true);
    expect(a.authorize({ ...alice, address: '10.0.0.9' }, Op.WRITE, ResourceType.TOPIC, 'public')).toBe(false);
    // IPv4-mapped IPv6 addresses (dual-stack sockets) match the IPv4 ACL host, as Kafka sees them.
    expect(a.authorize({ ...alice, address: '::ffff:10.0.0.1' }, Op.WRITE, ResourceType.TOPIC, 'public')).toBe(true);
    expect(clientHost('::1')).toBe('::1');
    // Other principal types do not match User:alice.
    expect(a.authorize({ principal: { type: 'Group', name: 'alice' }, address: '10.0.0.1' }, Op.WRITE, ResourceType.TOPIC, 'public')).toBe(false);
  });

  it('DENY wins over ALLOW, from any matching pattern, principal or host', () => {
    const a = authorizer([
      acl('User:*', Op.ALL, ALLOW, '*'),
      acl('User:alice', Op.READ, DENY, 'secret-', PatternType.PREFIXED),
      acl('User:*', Op.WRITE, DENY, 'frozen'),
      acl('User:bob', Op.ALL, DENY, 'x', PatternType.LITERAL, ResourceType.TOPIC, '10.0.0.2'),
    ]);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'secret-1')).toBe(false);
    expect(a.authorize(bob, Op.READ, ResourceType.TOPIC, 'secret-1')).toBe(true);
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'frozen')).toBe(false);
    expect(a.authorize(alice, Op.READ, ResourceType.TOPIC, 'frozen')).toBe(true);
    expect(a.authorize(bob, Op.DESCRIBE, ResourceType.TOPIC, 'x')).toBe(false); // DENY ALL denies every operation
    expect(a.authorize({ ...bob, address: '10.0.0.3' }, Op.DESCRIBE, ResourceType.TOPIC, 'x')).toBe(true);
  });

  it('READ, WRITE, DELETE, ALTER imply DESCRIBE; ALTER_CONFIGS implies DESCRIBE_CONFIGS; only for ALLOW', () => {
    for (const op of [Op.READ, Op.WRITE, Op.DELETE, Op.ALTER, Op.DESCRIBE]) {
      expect(authorizer([acl('User:alice', op, ALLOW, 't')]).authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 't')).toBe(true);
    }
    for (const op of [Op.CREATE, Op.DESCRIBE_CONFIGS, Op.ALTER_CONFIGS, Op.IDEMPOTENT_WRITE]) {
      expect(authorizer([acl('User:alice', op, ALLOW, 't')]).authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 't')).toBe(false);
    }
    expect(authorizer([acl('User:alice', Op.ALTER_CONFIGS, ALLOW, 't')]).authorize(alice, Op.DESCRIBE_CONFIGS, ResourceType.TOPIC, 't')).toBe(true);
    expect(authorizer([acl('User:alice', Op.DESCRIBE_CONFIGS, ALLOW, 't')]).authorize(alice, Op.ALTER_CONFIGS, ResourceType.TOPIC, 't')).toBe(false);
    // A READ does not imply WRITE, and DESCRIBE implies nothing.
    expect(authorizer([acl('User:alice', Op.READ, ALLOW, 't')]).authorize(alice, Op.WRITE, ResourceType.TOPIC, 't')).toBe(false);
    expect(authorizer([acl('User:alice', Op.DESCRIBE, ALLOW, 't')]).authorize(alice, Op.READ, ResourceType.TOPIC, 't')).toBe(false);
    // A DENY READ does not deny DESCRIBE (implications are for ALLOW ACLs only).
    const denyRead = authorizer([acl('User:alice', Op.ALL, ALLOW, 't'), acl('User:alice', Op.READ, DENY, 't')]);
    expect(denyRead.authorize(alice, Op.DESCRIBE, ResourceType.TOPIC, 't')).toBe(true);
    expect(denyRead.authorize(alice, Op.READ, ResourceType.TOPIC, 't')).toBe(false);
  });

  it('super.users may do everything, even against a DENY', () => {
    expect(parseSuperUsers(' User:admin ; User:ops;;')).toEqual(['User:admin', 'User:ops']);
    const a = authorizer([acl('User:*', Op.ALL, DENY, '*')], { superUsers: ['User:alice'] });
    expect(a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'x')).toBe(true);
    expect(a.authorize(alice, Op.ALTER, ResourceType.CLUSTER, 'kafka-cluster')).toBe(true);
    expect(a.authorize(bob, Op.WRITE, ResourceType.TOPIC, 'x')).toBe(false);
    expect(a.authorizeAny(alice, Op.WRITE, ResourceType.TOPIC)).toBe(true);
  });

  it('allow.everyone.if.no.acl.found applies only to resources no ACL applies to', () => {
    const bindings = [acl('User:bob', Op.READ, ALLOW, 'owned')];
    const open = authorizer(bindings, { allowEveryone: true });
    expect(open.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'free')).toBe(true);
    expect(open.authorize(alice, Op.READ, ResourceType.TOPIC, 'owned')).toBe(false); // an ACL for someone else applies
    expect(open.authorize(bob, Op.WRITE, ResourceType.TOPIC, 'owned')).toBe(false);
    const closed = authorizer(bindings);
    expect(closed.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'free')).toBe(false);
    expect(authorizer([]).authorize(alice, Op.DESCRIBE, ResourceType.CLUSTER, 'kafka-cluster')).toBe(false);
  });

  it('authorizedOperations: the bit set of allowed operations of the type', () => {
    const a = authorizer([
      acl('User:alice', Op.READ, ALLOW, 't'),
      acl('User:alice', Op.ALTER_CONFIGS, ALLOW, 't'),
      acl('User:alice', Op.WRITE, ALLOW, 't'),
      acl('User:alice', Op.WRITE, DENY, 't'),
    ]);
    const bits = (...ops: number[]) => ops.reduce((acc, op) => acc | (1 << op), 0);
    expect(a.authorizedOperations(alice, ResourceType.TOPIC, 't')).toBe(bits(Op.READ, Op.DESCRIBE, Op.ALTER_CONFIGS, Op.DESCRIBE_CONFIGS));
    expect(a.authorizedOperations(bob, ResourceType.TOPIC, 't')).toBe(0);
    expect(authorizer([], { superUsers: ['User:bob'] }).authorizedOperations(bob, ResourceType.GROUP, 'g')).toBe(3400);
    expect(authorizer([], { superUsers: ['User:bob'] }).authorizedOperations(bob, ResourceType.CLUSTER, 'kafka-cluster')).toBe(8096);
  });

  it('authorizeAny: Kafka\'s authorizeByResourceType, deny patterns dominating allow patterns', () => {
    const T = ResourceType.TRANSACTIONAL_ID;
    const cases: [AclBinding[], boolean][] = [
      [[], false],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx1', PatternType.LITERAL, T)], true],
      [[acl('User:*', Op.WRITE, ALLOW, 'tx', PatternType.PREFIXED, T)], true],
      [[acl('User:alice', Op.ALL, ALLOW, 'tx1', PatternType.LITERAL, T)], true],
      [[acl('User:alice', Op.READ, ALLOW, 'tx1', PatternType.LITERAL, T)], false], // no implication here
      [[acl('User:bob', Op.WRITE, ALLOW, 'tx1', PatternType.LITERAL, T)], false],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx1', PatternType.LITERAL, T), acl('User:alice', Op.WRITE, DENY, 'tx1', PatternType.LITERAL, T)], false],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx1', PatternType.LITERAL, T), acl('User:alice', Op.WRITE, DENY, 'tx', PatternType.PREFIXED, T)], false],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx', PatternType.PREFIXED, T), acl('User:alice', Op.WRITE, DENY, 'tx1', PatternType.PREFIXED, T)], true],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx', PatternType.PREFIXED, T), acl('User:alice', Op.WRITE, DENY, 'tx', PatternType.LITERAL, T)], true],
      [[acl('User:alice', Op.WRITE, ALLOW, '*', PatternType.LITERAL, T)], true],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx1', PatternType.LITERAL, T), acl('User:*', Op.WRITE, DENY, '*', PatternType.LITERAL, T)], false],
      [[acl('User:alice', Op.WRITE, ALLOW, 'tx1', PatternType.LITERAL, T, '10.9.9.9')], false],
    ];
    for (const [bindings, expected] of cases) {
      expect([bindings, authorizer(bindings).authorizeAny(alice, Op.WRITE, T)]).toEqual([bindings, expected]);
    }
    // No ACLs on the type at all, with allow.everyone.if.no.acl.found: allowed (Kafka's "hardcode" check).
    expect(authorizer([], { allowEveryone: true }).authorizeAny(alice, Op.WRITE, T)).toBe(true);
  });

  it('filters: ANY, MATCH, null fields, exact fields', () => {
    const literal = acl('User:alice', Op.READ, ALLOW, 'orders');
    const wildcard = acl('User:alice', Op.READ, ALLOW, '*');
    const prefixed = acl('User:alice', Op.READ, ALLOW, 'ord', PatternType.PREFIXED);
    const f = (over: Partial<typeof MATCH_ALL_FILTER>) => ({ ...MATCH_ALL_FILTER, ...over });
    const matches = (filter: typeof MATCH_ALL_FILTER) => [literal, wildcard, prefixed].map((b) => filterMatches(filter, b));
    expect(matches(MATCH_ALL_FILTER)).toEqual([true, true, true]);
    expect(matches(f({ resourceName: 'orders' }))).toEqual([true, false, false]); // ANY: exact names
    expect(matches(f({ resourceName: 'orders', patternType: PatternType.MATCH }))).toEqual([true, true, true]);
    expect(matches(f({ resourceName: 'other', patternType: PatternType.MATCH }))).toEqual([false, true, false]);
    expect(matches(f({ patternType: PatternType.PREFIXED }))).toEqual([false, false, true]);
    expect(matches(f({ resourceName: 'ord', patternType: PatternType.LITERAL }))).toEqual([false, false, false]);
    expect(matches(f({ principal: 'User:bob' }))).toEqual([false, false, false]);
    expect(matches(f({ host: '*', operation: Op.READ, permissionType: ALLOW }))).toEqual([true, true, true]);
    expect(matches(f({ operation: Op.ALL }))).toEqual([false, false, false]); // ALL is a value here, not a wildcard
    expect(matches(f({ resourceType: ResourceType.GROUP }))).toEqual([false, false, false]);
  });
});

describe('denial log lines', () => {
  function capturing(bindings: AclBinding[]): { a: AclAuthorizer; lines: Record<string, unknown>[] } {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const a = new AclAuthorizer({ superUsers: [], allowEveryoneIfNoAclFound: false, log: logger });
    a.setAcls(bindings);
    return { a, lines };
  }

  it('a denial is logged at info as Kafka\'s authorizer logs it: principal, operation, host, resource, rule', () => {
    const { a, lines } = capturing([acl('User:alice', Op.WRITE, DENY, 'pay', PatternType.PREFIXED)]);
    a.authorize(alice, Op.WRITE, ResourceType.TOPIC, 'payments');
    a.authorize(alice, Op.DESCRIBE, ResourceType.TRANSACTIONAL_ID, 'tx');
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      [30, 'Principal = User:alice is Denied operation = WRITE from host = 10.0.0.1 on resource = Topic:LITERAL:payments based on rule '
        + 'MatchingAcl(acl=StandardAcl(resourceType=TOPIC, resourceName=pay, patternType=PREFIXED, principal=User:alice, host=*, operation=WRITE, permissionType=DENY), result=DENIED)'],
      [30, 'Principal = User:alice is Denied operation = DESCRIBE from host = 10.0.0.1 on resource = TransactionalId:LITERAL:tx based on rule DefaultDeny'],
    ]);
    expect(lines[0]).toMatchObject({ principal: 'User:alice', host: '10.0.0.1', operation: 'WRITE', resource: 'Topic:LITERAL:payments' });
  });

  it('no line for allowed requests, authorized-operation sets, authorizeAny, or logIfDenied=false', () => {
    const { a, lines } = capturing([acl('User:alice', Op.READ, ALLOW, 't')]);
    a.authorize(alice, Op.READ, ResourceType.TOPIC, 't');
    a.authorizedOperations(bob, ResourceType.TOPIC, 't');
    a.authorizeAny(bob, Op.WRITE, ResourceType.TOPIC);
    a.authorize(bob, Op.READ, ResourceType.TOPIC, 't', false);
    expect(lines).toEqual([]);
    a.authorize(bob, Op.READ, ResourceType.TOPIC, 't');
    expect(lines).toHaveLength(1);
  });
});
