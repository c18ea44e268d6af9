/** What a connection needs to know about the listener it arrived on to authenticate its client. */
import type { KafkaPrincipal } from '../security/principal.js';
import type { SaslAuthenticator } from '../security/sasl/authenticator.js';
import type { SecurityProtocol } from '../security/security-protocol.js';

export interface ListenerSecurity {
  /** The listener's name, e.g. "PLAINTEXT", "SASL_SSL", "EXTERNAL". */
  name: string;
  securityProtocol: SecurityProtocol;
  /** For SASL_PLAINTEXT and SASL_SSL listeners. */
  sasl: SaslAuthenticator | null;
}

/** What TLS told us about one connection (SSL and SASL_SSL listeners). */
export interface TlsPeer {
  /**
   * The principal ssl.principal.mapping.rules make of the client certificate's subject; ANONYMOUS when
   * the client sent none. Used as the connection's principal on SSL listeners (SASL_SSL uses SASL's).
   */
  principal: KafkaPrincipal;
}

export const PLAINTEXT_LISTENER: ListenerSecurity = { name: 'PLAINTEXT', securityProtocol: 'PLAINTEXT', sasl: null };
