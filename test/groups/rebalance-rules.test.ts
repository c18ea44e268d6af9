/**
 * The rebalance rules on their own, with a chosen clock: each step loads the group as a new transaction
 * would (same state, a later `now`), so timer arithmetic is checked exactly, without waiting.
 */
import { describe, expect, it } from 'vitest';
import { javaStringHash } from '../../src/apis/10-find-coordinator.js';
import { ClassicGroup, subscriptionTopics } from '../../src/groups/classic-group.js';
import { Rebalancer, type JoinRequest } from '../../src/groups/rebalance.js';
import { ErrorCode } from '../../src/protocol/error-codes.js';
import { encodeSubscription } from './support/consumer-protocol.js';

const CONFIG = { initialRebalanceDelayMs: 3_000, newMemberJoinTimeoutMs: 300_000, maxSize: 1_000 };

/** The same group seen by a later transaction: stored and restored, clock moved to `nowMs`. */
function at(previous: ClassicGroup, nowMs: number): ClassicGroup {
  return ClassicGroup.restore({ ...previous.records(), nowMs });
}

function joinRequest(waiterId: string, overrides: Partial<JoinRequest> = {}): JoinRequest {
  return {
    memberId: '', groupInstanceId: null, clientId: 'c', clientHost: '/127.0.0.1', sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 60_000, protocolType: 'consumer', protocols: [{ name: 'range', metadata: encodeSubscription(['t']) }],
    requireKnownMemberId: false, supportsSkippingAssignment: true, waiterId, ...overrides,
  };
}

function step(group: ClassicGroup, nowMs: number, action?: (r: Rebalancer, g: ClassicGroup) => void): ClassicGroup {
  const g = at(group, nowMs);
  const r = new Rebalancer(g, CONFIG);
  r.runDueTimers();
  action?.(r, g);
  return g;
}

describe('initial rebalance delay', () => {
  it('waits group.initial.rebalance.delay.ms, once more for each step in which a member arrived', () => {
    let g = new ClassicGroup(1, 'g', 0);
    g = step(g, 0, (r) => r.join(joinRequest('w1')));
    expect(g.state).toBe('PreparingRebalance');
    expect(g.joinTimer).toEqual({ deadlineMs: 3_000, initial: { delayMs: 3_000, remainingMs: 57_000 } });

    g = step(g, 1_000, (r) => r.join(joinRequest('w2')));
    expect(g.newMemberAdded).toBe(true);
    g = step(g, 2_999);
    expect(g.state).toBe('PreparingRebalance');

    // The first step ends with a member added: another 3 s.
    g = step(g, 3_000);
    expect(g.state).toBe('PreparingRebalance');
    expect(g.joinTimer).toEqual({ deadlineMs: 6_000, initial: { delayMs: 3_000, remainingMs: 54_000 } });

    g = step(g, 6_000);
    expect(g.state).toBe('CompletingRebalance');
    expect(g.generationId).toBe(1);
    expect([...g.replies.values()].map((r) => r.kind === 'join' && r.join.generationId)).toEqual([1, 1]);
  });

  it('does not wait longer than the rebalance timeout', () => {
    let g = new ClassicGroup(1, 'g', 0);
    g = step(g, 0, (r) => r.join(joinRequest('w1', { rebalanceTimeoutMs: 4_000 })));
    expect(g.joinTimer!.initial).toEqual({ delayMs: 3_000, remainingMs: 1_000 });
    g = step(g, 100, (r) => r.join(joinRequest('w2', { rebalanceTimeoutMs: 4_000 })));
    g = step(g, 3_000);
    expect(g.joinTimer).toEqual({ deadlineMs: 4_000, initial: { delayMs: 1_000, remainingMs: 0 } });
    g = step(g, 3_500, (r) => r.join(joinRequest('w3', { rebalanceTimeoutMs: 4_000 })));
    g = step(g, 4_000);
    expect(g.state).toBe('CompletingRebalance');
    expect(g.numMembers()).toBe(3);
  });
});

describe('session and rebalance timeouts', () => {
  it('a member that stops heartbeating expires exactly at its session deadline', () => {
    let g = new ClassicGroup(1, 'g', 0);
    g = step(g, 0, (r) => r.join(joinRequest('w1')));
    g = step(g, 3_000);
    const member = g.allMembers()[0]!;
    expect(member.sessionDeadlineMs).toBe(13_000);
    g = step(g, 3_001, (r) => r.sync({ memberId: member.memberId, groupInstanceId: null, generationId: 1, protocolType: null, protocolName: null, assignments: [], waiterId: 's1' }));
    expect(g.state).toBe('Stable');
    expect(g.allMembers()[0]!.sessionDeadlineMs).toBe(13_001);
    g = step(g, 8_000, (r) => expect(r.heartbeat(member.memberId, null, 1)).toBe(ErrorCode.NONE));
    expect(g.allMembers()[0]!.sessionDeadlineMs).toBe(18_000);
    g = step(g, 17_999);
    expect(g.numMembers()).toBe(1);
    g = step(g, 18_000);
    expect(g.numMembers()).toBe(0);
    // Nobody is left to rejoin: the rebalance ends at once with an empty generation.
    expect(g.state).toBe('Empty');
    expect(g.generationId).toBe(2);
    expect(g.joinTimer).toBeNull();
  });

  it('a pending member id handed out with MEMBER_ID_REQUIRED expires after the session timeout', () => {
    let g = new ClassicGroup(1, 'g', 0);
    let memberId = '';
    g = step(g, 0, (r, grp) => {
      r.join(joinRequest('w1', { requireKnownMemberId: true, sessionTimeoutMs: 6_000 }));
      memberId = (grp.replies.get('w1') as { kind: 'join'; join: { memberId: string; errorCode: number } }).join.memberId;
    });
    expect(g.pendingMembers.get(memberId)).toBe(6_000);
    g = step(g, 6_000);
    expect(g.pendingMembers.size).toBe(0);
  });
});

describe('helpers', () => {
  it('hashes keys as Java String.hashCode does', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('a')).toBe(97);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('console-consumer-12345')).toBe(158455506);
    expect(javaStringHash('\u00e9\u4e2d')).toBe(233 * 31 + 0x4e2d);
  });

  it('reads the topics of a consumer subscription and rejects malformed bytes', () => {
    expect(subscriptionTopics(encodeSubscription(['a', 'b'], Buffer.from('user')))).toEqual(['a', 'b']);
    expect(subscriptionTopics(Buffer.from([0, 0, 0, 0, 0, 5]))).toBeNull();
    expect(subscriptionTopics(Buffer.alloc(0))).toBeNull();
    expect(subscriptionTopics(Buffer.from([255, 255, 0, 0, 0, 0]))).toBeNull();
  });
});
