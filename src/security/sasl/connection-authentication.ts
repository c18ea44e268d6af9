/**
 * One connection's authentication, modelled on Kafka's SaslServerAuthenticator and the re-authentication
 * rules of KafkaChannel and SocketServer (KIP-368). The connection asks `admit` before handling each
 * request; the SaslHandshake and SaslAuthenticate handlers (src/apis/17, 36) drive the exchange through
 * `handshake` and `authenticate`; after a v0 handshake the connection feeds raw tokens to `rawToken`.
 *
 * On a listener without SASL the connection is authenticated from the start (User:ANONYMOUS, or the TLS
 * client's principal) and both handlers answer ILLEGAL_SASL_STATE, as Kafka's KafkaApis does.
 */
import type { Logger } from 'pino';
import { ErrorCode } from '../../protocol/error-codes.js';
import { type KafkaPrincipal, principalToString } from '../principal.js';
import type { SaslAuthenticator } from './authenticator.js';
import { invalidCredentialsMessage, type SaslServerSession, type SaslStep } from './mechanism.js';

export const API_VERSIONS = 18;
export const SASL_HANDSHAKE = 17;
export const SASL_AUTHENTICATE = 36;

/** Kafka refuses a re-authentication started less than a second after the previous one (KafkaChannel). */
const MIN_REAUTH_INTERVAL_MS = 1000;

type State =
  /** Nothing received yet. */
  | 'initial'
  /** A Kafka request was received: ApiVersions or SaslHandshake may follow. */
  | 'handshake-or-versions'
  /** ApiVersions answered: only SaslHandshake may follow. */
  | 'handshake'
  /** A v1 handshake chose the mechanism: SaslAuthenticate requests carry the tokens. */
  | 'authenticate'
  /** A v0 handshake chose the mechanism: the tokens come as raw size-prefixed frames. */
  | 'raw-tokens'
  /** A re-authentication asked for another mechanism than the session's: the next token fails. */
  | 'reauth-bad-mechanism'
  | 'complete'
  | 'failed';

export type Admission = { serve: true } | { serve: false; reason: string };

export interface HandshakeAnswer {
  errorCode: number;
  mechanisms: string[];
}

export interface AuthenticateAnswer {
  errorCode: number;
  errorMessage: string | null;
  authBytes: Buffer;
  sessionLifetimeMs: bigint;
}

export interface ConnectionAuthenticationOptions {
  /** The listener's SASL authenticator; null on PLAINTEXT and SSL listeners. */
  sasl: SaslAuthenticator | null;
  /** The principal before (or without) SASL: the TLS client's on SSL listeners, else User:ANONYMOUS. */
  principal: KafkaPrincipal;
  /** Logs with the client's address bound. */
  log: Logger;
  now?: () => number;
}

export class ConnectionAuthentication {
  private state: State;
  private currentPrincipal: KafkaPrincipal;
  private session: SaslServerSession | null = null;
  private mechanism: string | null = null;
  /** When the authenticated session ends (epoch ms); null when it does not (connections.max.reauth.ms 0). */
  private sessionExpiresAtMs: number | null = null;
  private lastReauthStartMs: number | null = null;
  /** Set while re-authenticating: who the connection was and how it authenticated. */
  private reauth: { principal: KafkaPrincipal; mechanism: string } | null = null;
  private reauthAdmitted = false;
  private closeAfterResponse = false;
  private readonly now: () => number;

  constructor(private readonly options: ConnectionAuthenticationOptions) {
    this.state = options.sasl ? 'initial' : 'complete';
    this.currentPrincipal = options.principal;
    this.now = options.now ?? Date.now;
  }

  /** Who the connection is for the requests it sends now. */
  get principal(): KafkaPrincipal {
    return this.currentPrincipal;
  }

  get authenticated(): boolean {
    return this.state === 'complete';
  }

  /** After a v0 handshake the next frames are raw SASL tokens, not Kafka requests. */
  get expectsRawToken(): boolean {
    return this.state === 'raw-tokens' || (this.state === 'reauth-bad-mechanism' && this.session === null);
  }

  /**
   * Whether a request may be handled now; otherwise the connection is closed without a response (Kafka:
   * an unexpected request during the SASL handshake, or a request on an expired session).
   * `supportedVersion`: whether the request's version is one kpg serves (ApiVersions only moves the
   * exchange on when it is answered normally).
   */
  admit(apiKey: number, supportedVersion: boolean): Admission {
    switch (this.state) {
      case 'initial':
      case 'handshake-or-versions':
        if (apiKey === API_VERSIONS) {
          this.state = supportedVersion ? 'handshake' : 'handshake-or-versions';
          return { serve: true };
        }
        if (apiKey === SASL_HANDSHAKE) return { serve: true };
        return { serve: false, reason: `unexpected request (API key ${apiKey}) during SASL handshake` };
      case 'handshake':
        if (apiKey === SASL_HANDSHAKE) return { serve: true };
        return { serve: false, reason: `unexpected request (API key ${apiKey}) during SASL handshake` };
      case 'authenticate':
        // Kafka answers such a request with ILLEGAL_SASL_STATE in its own response layout; kpg answers
        // it for SaslHandshake and closes without a response for other APIs.
        if (apiKey === SASL_AUTHENTICATE || apiKey === SASL_HANDSHAKE) return { serve: true };
        return { serve: false, reason: `unexpected request (API key ${apiKey}) during SASL authentication` };
      case 'reauth-bad-mechanism':
        return apiKey === SASL_AUTHENTICATE
          ? { serve: true }
          : { serve: false, reason: `unexpected request (API key ${apiKey}) during SASL re-authentication` };
      case 'raw-tokens':
      case 'failed':
        return { serve: false, reason: 'request after SASL authentication failed' };
      case 'complete': {
        if (apiKey === SASL_HANDSHAKE && this.mayReauthenticate()) {
          this.reauthAdmitted = true;
          return { serve: true };
        }
        if (this.sessionExpiresAtMs !== null && this.now() > this.sessionExpiresAtMs) {
          return { serve: false, reason: `SASL session of ${principalToString(this.currentPrincipal)} expired without re-authentication` };
        }
        return { serve: true };
      }
    }
  }

  /** True once: the response just produced must be followed, after the failed-login delay, by closing. */
  takeCloseAfterResponse(): boolean {
    const close = this.closeAfterResponse;
    this.closeAfterResponse = false;
    return close;
  }

  /** SaslHandshake v0-1. */
  handshake(mechanism: string, version: number): HandshakeAnswer {
    const sasl = this.options.sasl;
    const reauthenticating = this.state === 'complete' && this.reauthAdmitted;
    this.reauthAdmitted = false;
    if (!sasl || (this.state === 'complete' && !reauthenticating)) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    }
    if (this.state === 'authenticate') {
      this.fail({ reason: 'SaslHandshake during SASL authentication' });
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
    }
    const mechanisms = [...sasl.enabledMechanisms];
    const session = sasl.newSession(mechanism);
    if (!session) {
      this.fail({ reason: 'SASL mechanism not enabled on this listener', mechanism });
      return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    }
    const useAuthenticateRequests = version >= 1;
    if (reauthenticating) {
      this.lastReauthStartMs = this.now();
      this.reauth = { principal: this.currentPrincipal, mechanism: this.mechanism! };
      if (mechanism !== this.mechanism) {
        // Kafka accepts the handshake and fails the next token (REAUTH_BAD_MECHANISM).
        this.state = 'reauth-bad-mechanism';
        this.session = useAuthenticateRequests ? session : null;
        this.mechanism = mechanism;
        return { errorCode: ErrorCode.NONE, mechanisms };
      }
    }
    this.session = session;
    this.mechanism = mechanism;
    this.state = useAuthenticateRequests ? 'authenticate' : 'raw-tokens';
    return { errorCode: ErrorCode.NONE, mechanisms };
  }

  /**
   * SaslAuthenticate v0-2. Null: no response at all (the connection closes after the failed-login delay,
   * as Kafka does when re-authentication asks for another mechanism).
   */
  async authenticate(token: Buffer, version: number): Promise<AuthenticateAnswer | null> {
    if (this.state === 'complete') {
      return {
        errorCode: ErrorCode.ILLEGAL_SASL_STATE,
        errorMessage: 'SaslAuthenticate request received after successful authentication',
        authBytes: Buffer.alloc(0),
        sessionLifetimeMs: 0n,
      };
    }
    if (this.state === 'reauth-bad-mechanism') {
      this.failBadMechanism();
      return null;
    }
    if (this.state !== 'authenticate') {
      this.fail({ reason: 'SaslAuthenticate before SaslHandshake' });
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: null, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    }
    const step = await this.evaluate(token);
    if (step.kind === 'failure') {
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: step.message, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    }
    const lifetimeMs = step.kind === 'success' ? step.lifetimeMs : 0;
    return { errorCode: ErrorCode.NONE, errorMessage: null, authBytes: step.bytes, sessionLifetimeMs: version >= 1 ? BigInt(lifetimeMs) : 0n };
  }

  /** A raw token after a v0 handshake: the bytes to send back size-prefixed, or null to close (after the delay). */
  async rawToken(token: Buffer): Promise<Buffer | null> {
    if (this.state === 'reauth-bad-mechanism') {
      this.failBadMechanism();
      return null;
    }
    const step = await this.evaluate(token);
    return step.kind === 'failure' ? null : step.bytes;
  }

  private mayReauthenticate(): boolean {
    if (!this.options.sasl || this.sessionExpiresAtMs === null) return false;
    return this.lastReauthStartMs === null || this.now() - this.lastReauthStartMs >= MIN_REAUTH_INTERVAL_MS;
  }

  private async evaluate(
    token: Buffer,
  ): Promise<{ kind: 'challenge'; bytes: Buffer } | { kind: 'success'; bytes: Buffer; lifetimeMs: number } | { kind: 'failure'; message: string }> {
    const session = this.session!;
    const mechanism = session.mechanism;
    let step: SaslStep;
    try {
      step = await session.evaluate(token);
    } catch (err) {
      step = { kind: 'failure', message: invalidCredentialsMessage(mechanism), logReason: `mechanism failed: ${(err as Error).message}`, hidden: true };
    }
    const reauthenticating = this.reauth !== null;
    if (step.kind === 'challenge') return step;
    if (step.kind === 'failure') {
      const message = step.hidden ? invalidCredentialsMessage(mechanism, reauthenticating) : step.message;
      this.fail({ reason: step.logReason, mechanism, ...(step.userName !== undefined ? { user: step.userName } : {}) });
      return { kind: 'failure', message };
    }
    if (this.reauth && principalToString(this.reauth.principal) !== principalToString(step.principal)) {
      const message =
        `Cannot change principals during re-authentication from ${this.reauth.principal.type}.${this.reauth.principal.name}: ` +
        `${step.principal.type}.${step.principal.name}`;
      this.fail({ reason: 'principal changed during re-authentication', mechanism, user: step.principal.name });
      return { kind: 'failure', message };
    }
    const lifetimeMs = this.startSession(mechanism, step.credentialExpiresAtMs);
    this.options.log.info(
      { principal: principalToString(step.principal), mechanism, sessionLifetimeMs: lifetimeMs },
      reauthenticating ? 'SASL re-authentication succeeded' : 'SASL authentication succeeded',
    );
    this.currentPrincipal = step.principal;
    this.state = 'complete';
    this.session = null;
    this.reauth = null;
    return { kind: 'success', bytes: step.bytes, lifetimeMs };
  }

  /** Kafka's session lifetime: min(connections.max.reauth.ms, time left on the credential), 0 when neither applies. */
  private startSession(mechanism: string, credentialExpiresAtMs: number | undefined): number {
    const now = this.now();
    const maxReauthMs = this.options.sasl!.maxReauthMs(mechanism);
    if (credentialExpiresAtMs === undefined && maxReauthMs <= 0) {
      this.sessionExpiresAtMs = null;
      return 0;
    }
    const untilExpiry = credentialExpiresAtMs === undefined ? Infinity : credentialExpiresAtMs - now;
    const lifetimeMs = Math.max(0, Math.min(untilExpiry, maxReauthMs > 0 ? maxReauthMs : Infinity));
    this.sessionExpiresAtMs = now + lifetimeMs;
    return lifetimeMs;
  }

  private failBadMechanism(): void {
    const reauth = this.reauth!;
    this.fail({
      reason: `SASL mechanism '${this.mechanism}' requested by client is not supported for re-authentication of mechanism '${reauth.mechanism}'`,
      mechanism: this.mechanism!,
    });
  }

  private fail(details: { reason: string; mechanism?: string; user?: string }): void {
    this.state = 'failed';
    this.session = null;
    this.closeAfterResponse = true;
    this.options.log.warn(
      { ...details, reauthentication: this.reauth !== null || undefined },
      'SASL authentication failed: closing the connection after connection.failed.authentication.delay.ms',
    );
  }
}
