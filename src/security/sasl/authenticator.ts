/**
 * The SASL side of one listener: which mechanisms it enables (sasl.enabled.mechanisms, or
 * listener.name.<listener>.sasl.enabled.mechanisms) and a new server session per authentication attempt.
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../config/broker-config.js';
import type { UserStorage } from '../../storage/users.js';
import type { SaslServerSession } from './mechanism.js';

export interface SaslAuthenticator {
  /** The mechanisms this listener enables, in configured order (SaslHandshake answers them). */
  readonly enabledMechanisms: readonly string[];
  /** A new server session for one attempt; null when the mechanism is not enabled on this listener. */
  newSession(mechanism: string): SaslServerSession | null;
  /** connections.max.reauth.ms for this listener (0: sessions do not expire). */
  maxReauthMs(): number;
}

export interface SaslAuthenticatorOptions {
  /** The listener's name, e.g. "SASL_SSL" or "EXTERNAL" (listener.name.<name lowercased>.* overrides apply). */
  listener: string;
  config: BrokerConfig;
  users: UserStorage;
  log: Logger;
}

export function createSaslAuthenticator(_options: SaslAuthenticatorOptions): SaslAuthenticator {
  throw new Error('SASL is being built (issue #14): createSaslAuthenticator is not implemented yet');
}
