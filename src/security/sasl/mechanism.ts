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
  | {
      kind: 'failure';
      message: string;
      logReason: string;
      bytes?: Buffer;
      /**
       * Kafka hides the reason of most failures (a SaslException): the client is told only "Authentication
       * failed during authentication due to invalid credentials with SASL mechanism X", worded
       * "re-authentication" when re-authenticating. When true the connection sends that text, not `message`.
       */
      hidden?: boolean;
      /** The user the client claimed, for the log line. */
      userName?: string;
    };

export interface SaslServerSession {
  readonly mechanism: string;
  evaluate(token: Buffer): Promise<SaslStep>;
}

/** Kafka's text for a failure whose reason it does not tell the client (SaslServerAuthenticator). */
export function invalidCredentialsMessage(mechanism: string, reauthenticating = false): string {
  return `Authentication failed during ${reauthenticating ? 're-authentication' : 'authentication'} due to invalid credentials with SASL mechanism ${mechanism}`;
}

/** A failure whose reason only the log learns, as Kafka's SaslException. */
export function hiddenFailure(mechanism: string, logReason: string, userName?: string): SaslStep {
  return { kind: 'failure', message: invalidCredentialsMessage(mechanism), logReason, hidden: true, ...(userName !== undefined ? { userName } : {}) };
}
