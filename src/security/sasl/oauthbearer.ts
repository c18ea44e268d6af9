/**
 * SASL OAUTHBEARER (RFC 7628) on the server, as Kafka's OAuthBearerSaslServer with its validator
 * callback handlers.
 *
 * The client sends `n,[a=authzid],\x01auth=Bearer <jwt>\x01[key=value\x01]*\x01`. A token that does not
 * validate is answered with the JSON challenge `{"status":"invalid_token"}`; the client then sends a
 * lone \x01 and gets SASL_AUTHENTICATION_FAILED with that JSON as the message, as from Kafka. A
 * malformed client message fails at once.
 *
 * Validation (./oauthbearer-validator.ts): a JWT signed by a key of the JWKS at
 * sasl.oauthbearer.jwks.endpoint.url, with exp and iat, the expected issuer and audience when configured;
 * or, only when the listener's OAUTHBEARER server callback handler is Kafka's unsecured validator class,
 * Kafka's development-only unsecured JWS (alg "none"). The principal is User:<the sub claim> (or the
 * claim sasl.oauthbearer.sub.claim.name names); the token's exp caps the session lifetime.
 *
 * Deliberately skipped: SASL extensions are parsed and checked for syntax but otherwise ignored (Kafka's
 * validators accept none either, and drop unvalidated ones).
 */
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../config/broker-config.js';
import { userPrincipal } from '../principal.js';
import type { SaslServerSession, SaslStep } from './mechanism.js';
import { oauthBearerValidator, type TokenRefusal } from './oauthbearer-validator.js';

export const OAUTHBEARER = 'OAUTHBEARER';

export interface OauthBearerSessionOptions {
  /** The listener's name (listener.name.<name lowercased>.oauthbearer.* and .sasl.oauthbearer.* overrides apply). */
  listener: string;
  config: BrokerConfig;
  log: Logger;
}

const CONTROL_A = 0x01;

/** What Kafka's SaslServerAuthenticator answers for a SaslException that is not an authentication failure. */
const MALFORMED_MESSAGE = `Authentication failed during authentication due to invalid credentials with SASL mechanism ${OAUTHBEARER}`;

/** RFC 7628 section 3.1: key = 1*(ALPHA); value = *(VCHAR / SP / HTAB / CR / LF). */
const KEY_PATTERN = /^[A-Za-z]+$/;
const VALUE_PATTERN = /^[\x21-\x7E \t\r\n]*$/;
/** RFC 6750 credentials as Kafka parses them: a scheme, spaces, then a b64token. */
const AUTH_PATTERN = /^(\w+) +([-_.a-zA-Z0-9]+)$/;

export interface ClientInitialResponse {
  authorizationId: string;
  token: string;
  extensions: Map<string, string>;
}

/** Parses the client's message; throws an Error saying what is wrong with it (for the log only). */
export function parseClientInitialResponse(bytes: Buffer): ClientInitialResponse {
  const text = bytes.toString('utf8');
  // gs2-header: "n," then an optional "a=<authzid>" then ","; channel binding flags other than "n" are refused.
  const header = /^n,(?:a=([^,\x01]*))?,/.exec(text);
  if (!header) throw new Error('the message does not start with a GS2 header "n,[a=authzid],"');
  const authorizationId = header[1] ?? '';
  const rest = text.slice(header[0].length);
  if (!rest.startsWith('\x01') || !rest.endsWith('\x01\x01')) throw new Error('the key-value pairs are not framed by \\x01');
  const pairs = rest.slice(1, -2);
  const extensions = new Map<string, string>();
  let auth: string | undefined;
  for (const pair of pairs === '' ? [] : pairs.split('\x01')) {
    const eq = pair.indexOf('=');
    const key = eq < 0 ? pair : pair.slice(0, eq);
    const value = eq < 0 ? '' : pair.slice(eq + 1);
    if (eq < 0 || !KEY_PATTERN.test(key) || !VALUE_PATTERN.test(value)) throw new Error('a key-value pair is malformed');
    if (key === 'auth') auth = value;
    else extensions.set(key, value);
  }
  if (auth === undefined) throw new Error('the "auth" key is missing');
  const credentials = AUTH_PATTERN.exec(auth);
  if (!credentials || credentials[1]!.toLowerCase() !== 'bearer') throw new Error('the "auth" value is not "Bearer <token>"');
  return { authorizationId, token: credentials[2]!, extensions };
}

/** Kafka's JSON error response (OAuthBearerSaslServer.jsonErrorResponse), byte for byte. */
export function jsonErrorResponse(refusal: Pick<TokenRefusal, 'status' | 'scope'>): string {
  let json = `{"status":"${refusal.status}"`;
  if (refusal.scope !== undefined) json += `, "scope":"${refusal.scope}"`;
  return `${json}}`;
}

export function createOauthBearerSession(options: OauthBearerSessionOptions): SaslServerSession {
  const validator = oauthBearerValidator(options.config, options.listener, options.log);
  /** After a refused token: the JSON sent as a challenge and why the token was refused. */
  let refused: { json: string; reason: string } | null = null;
  let done = false;

  return {
    mechanism: OAUTHBEARER,
    async evaluate(token: Buffer): Promise<SaslStep> {
      if (done) return { kind: 'failure', message: MALFORMED_MESSAGE, logReason: 'OAUTHBEARER message after the exchange ended' };
      if (refused && token.length === 1 && token[0] === CONTROL_A) {
        done = true;
        return { kind: 'failure', message: refused.json, logReason: `invalid OAUTHBEARER token: ${refused.reason}` };
      }
      refused = null;
      let response: ClientInitialResponse;
      try {
        response = parseClientInitialResponse(token);
      } catch (err) {
        done = true;
        return { kind: 'failure', message: MALFORMED_MESSAGE, logReason: `malformed OAUTHBEARER client message: ${(err as Error).message}` };
      }
      const outcome = await validator.validate(response.token);
      if ('status' in outcome) {
        refused = { json: jsonErrorResponse(outcome), reason: outcome.reason };
        return { kind: 'challenge', bytes: Buffer.from(refused.json, 'utf8') };
      }
      done = true;
      if (response.authorizationId !== '' && response.authorizationId !== outcome.principalName) {
        return {
          kind: 'failure',
          message: `Authentication failed: Client requested an authorization id (${response.authorizationId}) that is different from the token's principal name (${outcome.principalName})`,
          logReason: 'OAUTHBEARER authorization id differs from the token principal',
        };
      }
      return { kind: 'success', bytes: Buffer.alloc(0), principal: userPrincipal(outcome.principalName), credentialExpiresAtMs: outcome.expiresAtMs };
    },
  };
}
