/**
 * The server side of one SASL mechanism for one authentication attempt: it is fed the client's tokens
 * (SaslAuthenticate auth_bytes, or raw v0 frames) and answers with a challenge, success, or failure.
 * A new session object is made per attempt (and per re-authentication).
 */
import type { KafkaPrincipal } from '../principal.js';

export type SaslStep =
  /** Send these bytes and wait for the client's next token. */
  | { kind: 'challenge'; bytes: Buffer }
  /** Authenticated; `bytes` is the final server message (empty for PLAIN). */
  | {
      kind: 'success';
      bytes: Buffer;
      principal: KafkaPrincipal;
      /** When the credential itself expires (OAUTHBEARER token exp), epoch ms; caps the session lifetime. */
      credentialExpiresAtMs?: number;
    }
  /**
   * Refused: answered with SASL_AUTHENTICATION_FAILED (after the failed-login delay) and `message`, which
   * Kafka clients show the user; `logReason` goes only to the log (never a password or token).
   */
  | { kind: 'failure'; message: string; logReason: string; bytes?: Buffer };

export interface SaslServerSession {
  readonly mechanism: string;
  evaluate(token: Buffer): Promise<SaslStep>;
}
