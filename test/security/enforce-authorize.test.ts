/**
 * The handlers' authorization helpers (src/apis/authorize.ts): one question per distinct name, none at
 * all without an authorizer, and Kafka's cluster authorized operations rule.
 */
import { describe, expect, it } from 'vitest';
import {
  authorizedFilter, clusterAuthorizedOperations, isAuthorized, isAuthorizedOnAny, requesterOf,
} from '../../src/apis/authorize.js';
import { AclOperation, CLUSTER_OPERATIONS, ResourceType } from '../../src/protocol/acl.js';
import type { AccessControl } from '../../src/security/access-control.js';
import { ALLOW_ALL } from '../../src/security/allow-all.js';
import { ANONYMOUS, userPrincipal } from '../../src/security/principal.js';

function client(access: AccessControl) {
  return { access, client: { principal: userPrincipal('alice'), address: '10.0.0.7' } as never };
}

/** An access control that allows the names in `allowed` and counts every question. */
function counting(allowed: Set<string>) {
  const asked: string[] = [];
  const access: AccessControl = {
    enabled: true,
    authorize: (who, op, type, name) => {
      asked.push(`${who.principal.name}@${who.address} ${op} ${type} ${name}`);
      return allowed.has(name);
    },
    authorizedOperations: () => 1 << AclOperation.DESCRIBE,
    authorizeAny: () => false,
  };
  return { access, asked };
}

describe('authorization helpers', () => {
  it('asks once per distinct name, with the request principal and address', () => {
    const { access, asked } = counting(new Set(['a']));
    const mayRead = authorizedFilter(client(access), AclOperation.READ, ResourceType.TOPIC);
    const answers = ['a', 'b', 'a', 'a', 'b'].map(mayRead);
    expect(answers).toEqual([true, false, true, true, false]);
    expect(asked).toEqual([`alice@10.0.0.7 ${AclOperation.READ} ${ResourceType.TOPIC} a`, `alice@10.0.0.7 ${AclOperation.READ} ${ResourceType.TOPIC} b`]);
  });

  it('asks nothing when no authorizer is configured', () => {
    let calls = 0;
    const spy: AccessControl = {
      ...ALLOW_ALL,
      authorize: () => {
        calls++;
        return true;
      },
      authorizeAny: () => {
        calls++;
        return true;
      },
    };
    const ctx = client(spy);
    const mayWrite = authorizedFilter(ctx, AclOperation.WRITE, ResourceType.TOPIC);
    for (let i = 0; i < 1000; i++) expect(mayWrite(`t${i % 7}`)).toBe(true);
    expect(isAuthorized(ctx, AclOperation.READ, ResourceType.GROUP, 'g')).toBe(true);
    expect(isAuthorizedOnAny(ctx, AclOperation.WRITE, ResourceType.TOPIC)).toBe(true);
    expect(calls).toBe(0);
  });

  it('reports cluster operations only with DESCRIBE on the cluster, 0 otherwise (as Kafka)', () => {
    expect(clusterAuthorizedOperations(client(ALLOW_ALL))).toBe(CLUSTER_OPERATIONS);
    const { access } = counting(new Set());
    expect(clusterAuthorizedOperations(client(access))).toBe(0);
    const { access: allowed } = counting(new Set(['kafka-cluster']));
    expect(clusterAuthorizedOperations(client(allowed))).toBe(1 << AclOperation.DESCRIBE);
  });

  it('takes the requester from the connection', () => {
    expect(requesterOf({ access: ALLOW_ALL, client: { principal: ANONYMOUS, address: '::1' } as never })).toEqual({ principal: ANONYMOUS, address: '::1' });
  });
});
