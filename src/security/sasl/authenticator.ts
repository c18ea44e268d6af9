/**
 * The SASL side of one listener: which mechanisms it enables (sasl.enabled.mechanisms, or
 * listener.name.<listener>.sasl.enabled.mechanisms) and a new server session per authentication attempt.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../config/broker-config.js';
import type { UserStorage } from '../../storage/users.js';
import { SCRAM_MECHANISMS, type ScramMechanism } from '../scram-keys.js';
import type { SaslServerSession } from './mechanism.js';
import { createOauthBearerSession, OAUTHBEARER } from './oauthbearer.js';
import { PLAIN, PlainServerSession } from './plain.js';
import { ScramServerSession } from './scram.js';

export { OAUTHBEARER };
/** The mechanisms kpg can serve; GSSAPI (Kerberos), Kafka's default, is not among them. */
export const SUPPORTED_MECHANISMS: readonly string[] = [PLAIN, ...SCRAM_MECHANISMS, OAUTHBEARER];

export interface SaslAuthenticator {
  /** The mechanisms this listener enables, in configured order (SaslHandshake answers them). */
  readonly enabledMechanisms: readonly string[];
  /** A new server session for one attempt; null when the mechanism is not enabled on this listener. */
  newSession(mechanism: string): SaslServerSession | null;
  /**
   * connections.max.reauth.ms for this listener (0: sessions do not expire), read when asked so dynamic
   * changes apply to the next authentication. Kafka's per-mechanism override
   * listener.name.<listener>.<mechanism>.connections.max.reauth.ms applies when a mechanism is given.
   */
  maxReauthMs(mechanism?: string): number;
}

export interface SaslAuthenticatorOptions {
  /** The listener's name, e.g. "SASL_SSL" or "EXTERNAL" (listener.name.<name lowercased>.* overrides apply). */
  listener: string;
  config: BrokerConfig;
  users: UserStorage;
  log: Logger;
  /** Makes OAUTHBEARER sessions; by default createOauthBearerSession (./oauthbearer.ts) for this listener. */
  oauthBearerSession?: () => SaslServerSession;
}

/** Thrown at start-up when a SASL listener enables no mechanism kpg can serve. */
export class SaslConfigError extends Error {
  override name = 'SaslConfigError';
}

export function createSaslAuthenticator(options: SaslAuthenticatorOptions): SaslAuthenticator {
  const { config, listener, users, log } = options;
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  const configured = parseList(config.string(`${prefix}sasl.enabled.mechanisms`) ?? config.string('sasl.enabled.mechanisms'));
  const oauthBearerSession = options.oauthBearerSession ?? (() => createOauthBearerSession({ listener, config, log }));
  const available = (m: string): boolean => SUPPORTED_MECHANISMS.includes(m);
  const enabledMechanisms = configured.filter(available);
  const unavailable = configured.filter((m) => !available(m));
  if (enabledMechanisms.length === 0) {
    throw new SaslConfigError(
      `listener ${listener}: sasl.enabled.mechanisms enables ${unavailable.length ? unavailable.join(', ') : 'no mechanism'}, ` +
        `which kpg cannot serve; kpg serves ${SUPPORTED_MECHANISMS.join(', ')}`,
    );
  }
  if (unavailable.length > 0) {
    log.warn({ listener, unavailable, enabled: enabledMechanisms }, 'SASL mechanisms kpg cannot serve are left out of this listener');
  }
  return {
    enabledMechanisms,
    newSession(mechanism) {
      if (!enabledMechanisms.includes(mechanism)) return null;
      if (mechanism === PLAIN) return new PlainServerSession(users);
      if (mechanism === OAUTHBEARER) return oauthBearerSession();
      return new ScramServerSession(mechanism as ScramMechanism, users);
    },
    maxReauthMs(mechanism) {
      const names = [
        ...(mechanism ? [`${prefix}${mechanism.toLowerCase()}.connections.max.reauth.ms`] : []),
        `${prefix}connections.max.reauth.ms`,
        'connections.max.reauth.ms',
      ];
      for (const name of names) {
        const value = config.string(name);
        if (value === null) continue;
        const ms = Number(value);
        return Number.isFinite(ms) && ms > 0 ? ms : 0;
      }
      return 0;
    },
  };
}

function parseList(value: string | null): string[] {
  return (value ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');
}
