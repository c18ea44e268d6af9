/** createSaslAuthenticator: which mechanisms a listener enables, start-up errors, connections.max.reauth.ms overrides. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';
import { createSaslAuthenticator, SaslConfigError } from '../../src/security/sasl/authenticator.js';
import type { SaslServerSession } from '../../src/security/sasl/mechanism.js';
import type { UserStorage } from '../../src/storage/users.js';

const noUsers: UserStorage = {
  scramKeys: async () => null,
  describeUsers: async () => [],
  alterScramCredentials: async () => 0,
};

function authenticator(configs: Record<string, string>, listener = 'SASL_SSL', oauthBearerSession?: () => SaslServerSession) {
  return createSaslAuthenticator({
    listener,
    config: new BrokerConfig(() => 1, new Map(Object.entries(configs))),
    users: noUsers,
    log: pino({ level: 'silent' }),
    ...(oauthBearerSession ? { oauthBearerSession } : {}),
  });
}

describe('createSaslAuthenticator', () => {
  it("fails at start-up on Kafka's default (GSSAPI), naming it", () => {
    expect(() => authenticator({})).toThrow(SaslConfigError);
    expect(() => authenticator({})).toThrow(/GSSAPI/);
  });

  it('fails when every enabled mechanism is one kpg cannot serve', () => {
    expect(() => authenticator({ 'sasl.enabled.mechanisms': 'GSSAPI,FOO' })).toThrow(/GSSAPI, FOO/);
  });

  it('leaves unavailable mechanisms out when others are usable', () => {
    expect(authenticator({ 'sasl.enabled.mechanisms': 'GSSAPI, SCRAM-SHA-512 ,PLAIN' }).enabledMechanisms).toEqual(['SCRAM-SHA-512', 'PLAIN']);
  });

  it('takes listener.name.<listener>.sasl.enabled.mechanisms over the broker-wide list', () => {
    const configs = { 'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.external.sasl.enabled.mechanisms': 'SCRAM-SHA-256' };
    expect(authenticator(configs, 'EXTERNAL').enabledMechanisms).toEqual(['SCRAM-SHA-256']);
    expect(authenticator(configs, 'INTERNAL').enabledMechanisms).toEqual(['PLAIN']);
  });

  it('makes sessions only for enabled mechanisms', () => {
    const sasl = authenticator({ 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512' });
    expect(sasl.newSession('PLAIN')?.mechanism).toBe('PLAIN');
    expect(sasl.newSession('SCRAM-SHA-512')?.mechanism).toBe('SCRAM-SHA-512');
    expect(sasl.newSession('SCRAM-SHA-256')).toBeNull();
    expect(sasl.newSession('plain')).toBeNull();
  });

  it('serves OAUTHBEARER with the sessions of ./oauthbearer.ts, or those of a given factory', () => {
    expect(authenticator({ 'sasl.enabled.mechanisms': 'OAUTHBEARER' }).newSession('OAUTHBEARER')?.mechanism).toBe('OAUTHBEARER');
    const session: SaslServerSession = { mechanism: 'OAUTHBEARER', evaluate: async () => ({ kind: 'challenge', bytes: Buffer.alloc(0) }) };
    expect(authenticator({ 'sasl.enabled.mechanisms': 'OAUTHBEARER' }, 'SASL_SSL', () => session).newSession('OAUTHBEARER')).toBe(session);
  });

  it('reads connections.max.reauth.ms with the listener and per-mechanism overrides', () => {
    const sasl = authenticator({
      'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512',
      'connections.max.reauth.ms': '60000',
      'listener.name.sasl_ssl.connections.max.reauth.ms': '30000',
      'listener.name.sasl_ssl.scram-sha-512.connections.max.reauth.ms': '10000',
    });
    expect(sasl.maxReauthMs('SCRAM-SHA-512')).toBe(10_000);
    expect(sasl.maxReauthMs('PLAIN')).toBe(30_000);
    expect(authenticator({ 'sasl.enabled.mechanisms': 'PLAIN', 'connections.max.reauth.ms': '60000' }).maxReauthMs('PLAIN')).toBe(60_000);
    expect(authenticator({ 'sasl.enabled.mechanisms': 'PLAIN' }).maxReauthMs('PLAIN')).toBe(0);
  });
});
