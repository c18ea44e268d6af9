/**
 * Validating an OAUTHBEARER token as Kafka's broker-side validator callback handlers do.
 *
 * Secured (default): a JWS checked with `jose` against the JWKS of sasl.oauthbearer.jwks.endpoint.url
 * (https://, http://, or file:// read from disk; re-read every sasl.oauthbearer.jwks.endpoint.refresh.ms),
 * alg "none" refused, exp and iat required (Kafka's BrokerJwtValidator), sasl.oauthbearer.expected.issuer
 * and .expected.audience checked when set (without an expected audience, a token with aud is refused, as
 * jose4j does in Kafka), sasl.oauthbearer.clock.skew.seconds of tolerance, and the
 * principal from the claim sasl.oauthbearer.sub.claim.name.
 *
 * Unsecured, for development only, and only when the listener's OAUTHBEARER server callback handler is
 * Kafka's OAuthBearerUnsecuredValidatorCallbackHandler: an unsigned JWS (alg "none", empty signature),
 * with the JAAS options unsecuredValidatorPrincipalClaimName, unsecuredValidatorScopeClaimName,
 * unsecuredValidatorRequiredScope and unsecuredValidatorAllowableClockSkewMs. (Kafka makes this handler
 * the default; kpg refuses every token unless it is named, so a forgotten setting never lets anyone in.)
 *
 * Each setting is looked up as Kafka's ConfigurationUtils does: listener.name.<listener>.oauthbearer.<name>,
 * then listener.name.<listener>.<name>, then <name>.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { createLocalJWKSet, createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import type { Logger } from 'pino';
import type { BrokerConfig } from '../../config/broker-config.js';

/** Kafka's class names that select its validators (4.x, and the 3.x package of the secured one). */
export const UNSECURED_VALIDATOR_CLASS = 'org.apache.kafka.common.security.oauthbearer.internals.unsecured.OAuthBearerUnsecuredValidatorCallbackHandler';
const SECURED_VALIDATOR_CLASSES = new Set([
  'org.apache.kafka.common.security.oauthbearer.OAuthBearerValidatorCallbackHandler',
  'org.apache.kafka.common.security.oauthbearer.secured.OAuthBearerValidatorCallbackHandler',
]);

export interface ValidToken {
  principalName: string;
  /** The token's exp, epoch ms. */
  expiresAtMs: number;
  scopes: string[];
}

/** Why a token is refused: the RFC 7628 status (and scope) the client is told, and a reason for the log. */
export interface TokenRefusal {
  status: 'invalid_token' | 'insufficient_scope' | 'invalid_request';
  scope?: string;
  reason: string;
}

export interface OauthBearerValidator {
  validate(token: string): Promise<ValidToken | TokenRefusal>;
}

/** A listener's effective value of an OAUTHBEARER setting. */
export function oauthBearerSetting(config: BrokerConfig, listener: string, name: string): string | null {
  const prefix = `listener.name.${listener.toLowerCase()}.`;
  return config.string(`${prefix}oauthbearer.${name}`) ?? config.string(`${prefix}${name}`) ?? config.string(name);
}

/** The key="value" options of a JAAS configuration line (what the unsecured validator reads). */
export function jaasOptions(jaas: string | null): Map<string, string> {
  const options = new Map<string, string>();
  if (!jaas) return options;
  for (const m of jaas.matchAll(/([A-Za-z0-9_.]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s;"]+))/g)) {
    options.set(m[1]!, m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3]!);
  }
  return options;
}

interface Settings {
  mode: 'secured' | 'unsecured' | 'unconfigured';
  jwksUrl: string | null;
  refreshMs: number;
  expectedIssuer: string | null;
  expectedAudience: string[];
  clockSkewSeconds: number;
  subClaimName: string;
  scopeClaimName: string;
  jaas: Map<string, string>;
  why?: string;
}

function readSettings(config: BrokerConfig, listener: string): Settings {
  const get = (name: string): string | null => oauthBearerSetting(config, listener, name);
  const number = (name: string, fallback: number): number => {
    const n = Number(get(name));
    return get(name) !== null && Number.isFinite(n) ? n : fallback;
  };
  const handler = get('sasl.server.callback.handler.class')?.trim() || null;
  const jwksUrl = get('sasl.oauthbearer.jwks.endpoint.url')?.trim() || null;
  let mode: Settings['mode'] = 'secured';
  let why: string | undefined;
  if (handler === UNSECURED_VALIDATOR_CLASS) mode = 'unsecured';
  else if (handler !== null && !SECURED_VALIDATOR_CLASSES.has(handler)) {
    mode = 'unconfigured';
    why = `sasl.server.callback.handler.class ${handler} is not one kpg implements`;
  } else if (jwksUrl === null) {
    mode = 'unconfigured';
    why = 'sasl.oauthbearer.jwks.endpoint.url is not set';
  }
  return {
    mode,
    why,
    jwksUrl,
    refreshMs: number('sasl.oauthbearer.jwks.endpoint.refresh.ms', 3_600_000),
    expectedIssuer: get('sasl.oauthbearer.expected.issuer')?.trim() || null,
    expectedAudience: (get('sasl.oauthbearer.expected.audience') ?? '').split(',').map((a) => a.trim()).filter((a) => a !== ''),
    clockSkewSeconds: number('sasl.oauthbearer.clock.skew.seconds', 30),
    subClaimName: get('sasl.oauthbearer.sub.claim.name')?.trim() || 'sub',
    scopeClaimName: get('sasl.oauthbearer.scope.claim.name')?.trim() || 'scope',
    jaas: jaasOptions(get('sasl.jaas.config')),
  };
}

/** Validators per gateway config and effective settings, so the JWKS is fetched once, not per login. */
const validators = new WeakMap<BrokerConfig, Map<string, OauthBearerValidator>>();

export function oauthBearerValidator(config: BrokerConfig, listener: string, log: Logger): OauthBearerValidator {
  const settings = readSettings(config, listener);
  const key = JSON.stringify({ ...settings, jaas: [...settings.jaas] });
  let perConfig = validators.get(config);
  if (!perConfig) validators.set(config, (perConfig = new Map()));
  let validator = perConfig.get(key);
  if (!validator) {
    validator = makeValidator(settings, listener, log);
    perConfig.set(key, validator);
  }
  return validator;
}

function makeValidator(settings: Settings, listener: string, log: Logger): OauthBearerValidator {
  switch (settings.mode) {
    case 'unconfigured': {
      log.warn({ listener }, `OAUTHBEARER refuses every token on listener ${listener}: ${settings.why}`);
      const reason = `OAUTHBEARER is not configured on listener ${listener}: ${settings.why}`;
      return { validate: async () => ({ status: 'invalid_token', reason }) };
    }
    case 'unsecured':
      log.warn({ listener }, `OAUTHBEARER on listener ${listener} accepts unsecured (unsigned) JWTs: for development only`);
      return { validate: async (token) => validateUnsecured(token, settings) };
    case 'secured': {
      const keys = jwksKeys(settings.jwksUrl!, settings.refreshMs);
      return { validate: (token) => validateSecured(token, keys, settings) };
    }
  }
}

/** The key resolver for a JWKS URL: remote (jose caches it for refresh.ms) or a file re-read as often. */
function jwksKeys(url: string, refreshMs: number): JWTVerifyGetKey {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return async () => {
      throw new Error(`sasl.oauthbearer.jwks.endpoint.url ${url} is not a URL`);
    };
  }
  if (parsed.protocol === 'https:' || parsed.protocol === 'http:') {
    return createRemoteJWKSet(parsed, { cacheMaxAge: refreshMs, timeoutDuration: 10_000 });
  }
  if (parsed.protocol !== 'file:') {
    return async () => {
      throw new Error(`sasl.oauthbearer.jwks.endpoint.url ${url} is neither https://, http:// nor file://`);
    };
  }
  const file = fileURLToPath(parsed);
  let loaded: { atMs: number; keys: JWTVerifyGetKey } | undefined;
  return async (header, token) => {
    if (!loaded || Date.now() - loaded.atMs >= refreshMs) {
      loaded = { atMs: Date.now(), keys: createLocalJWKSet(JSON.parse(await readFile(file, 'utf8'))) };
    }
    return loaded.keys(header, token);
  };
}

const refusal = (reason: string): TokenRefusal => ({ status: 'invalid_token', reason });

/** A token's scopes as Kafka reads the claim: a string is one scope (not split on spaces), a list is several. */
function scopesOf(claim: unknown): string[] {
  if (typeof claim === 'string') return claim.trim() === '' ? [] : [claim.trim()];
  if (Array.isArray(claim)) return claim.filter((s): s is string => typeof s === 'string' && s.trim() !== '').map((s) => s.trim());
  return [];
}

async function validateSecured(token: string, keys: JWTVerifyGetKey, s: Settings): Promise<ValidToken | TokenRefusal> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, keys, {
      issuer: s.expectedIssuer ?? undefined,
      audience: s.expectedAudience.length > 0 ? s.expectedAudience : undefined,
      clockTolerance: s.clockSkewSeconds,
      requiredClaims: ['exp', 'iat'],
    }));
  } catch (err) {
    const code = (err as { code?: string }).code;
    return refusal(`${code ? `${code}: ` : ''}${(err as Error).message}`);
  }
  // Kafka's jose4j consumer, given no expected audience, refuses any token that names one.
  if (s.expectedAudience.length === 0 && payload.aud !== undefined) {
    return refusal('the token has an aud claim but sasl.oauthbearer.expected.audience is not set (Kafka refuses it too)');
  }
  const subject = payload[s.subClaimName];
  if (typeof subject !== 'string' || subject.trim() === '') return refusal(`the ${s.subClaimName} claim is missing or empty`);
  return { principalName: subject.trim(), expiresAtMs: payload.exp! * 1000, scopes: scopesOf(payload[s.scopeClaimName]) };
}

function validateUnsecured(token: string, s: Settings): ValidToken | TokenRefusal {
  const parts = token.split('.');
  if (parts.length !== 3) return refusal('an unsecured JWS has three dot-separated parts');
  if (parts[2] !== '') return refusal('an unsecured JWS has an empty signature');
  let payload: JWTPayload;
  try {
    if (decodeProtectedHeader(token).alg !== 'none') return refusal('an unsecured JWS has alg "none"');
    payload = decodeJwt(token);
  } catch (err) {
    return refusal(`not a JWS: ${(err as Error).message}`);
  }
  const principalClaim = s.jaas.get('unsecuredValidatorPrincipalClaimName')?.trim() || 'sub';
  const scopeClaim = s.jaas.get('unsecuredValidatorScopeClaimName')?.trim() || 'scope';
  const skewMs = Number(s.jaas.get('unsecuredValidatorAllowableClockSkewMs') ?? 0) || 0;
  const now = Date.now();
  const principal = payload[principalClaim];
  if (typeof principal !== 'string' || principal.trim() === '') return refusal(`the ${principalClaim} claim is missing or empty`);
  if (typeof payload.exp !== 'number') return refusal('the exp claim is missing');
  const expMs = payload.exp * 1000;
  if (now - skewMs >= expMs) return refusal('the token has expired');
  if (payload.iat !== undefined) {
    if (typeof payload.iat !== 'number') return refusal('the iat claim is not a number');
    if (payload.iat * 1000 > now + skewMs) return refusal('the token was issued in the future');
    if (expMs <= payload.iat * 1000) return refusal('the token expires before it was issued');
  }
  const scopes = scopesOf(payload[scopeClaim]);
  // The required scope option is a space-separated list (OAuthBearerScopeUtils.parseScope).
  const required = (s.jaas.get('unsecuredValidatorRequiredScope') ?? '').split(' ').filter((r) => r !== '');
  const missing = required.filter((r) => !scopes.includes(r));
  if (missing.length > 0) return { status: 'insufficient_scope', scope: required.join(' '), reason: `the token lacks the scope ${missing.join(' ')}` };
  return { principalName: principal, expiresAtMs: expMs, scopes };
}
