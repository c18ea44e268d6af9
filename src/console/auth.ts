/**
 * Who a console request is. With a SASL listener on the gateway, HTTP Basic credentials of a kpg SASL
 * user are required: the password is checked against the user's stored SCRAM keys by deriving them
 * again from the stored salt and iterations (as a SCRAM exchange proves the same password), compared in
 * constant time. Without SASL listeners everyone is User:ANONYMOUS, as on a PLAINTEXT Kafka listener.
 */
import { createHmac, pbkdf2, randomBytes, timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { promisify } from 'node:util';
import type { ScramKeys, ScramMechanism } from '../security/scram-keys.js';
import { clientKey, hash, hashLength, hashName, SCRAM_DEFAULT_ITERATIONS, serverKeyOf } from '../security/scram-keys.js';
import { ANONYMOUS, userPrincipal, type KafkaPrincipal } from '../security/principal.js';
import type { UserStorage } from '../storage/users.js';
import { ConsoleError } from './http.js';

/** Strongest first: a user with both is checked against SHA-512. */
const MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];

const unauthorized = (message: string): ConsoleError =>
  new ConsoleError(401, 'SASL_AUTHENTICATION_FAILED', message, { 'WWW-Authenticate': 'Basic realm="kpg", charset="UTF-8"' });

const derive = promisify(pbkdf2);

/** How long a verified password is remembered (per stored credential: a password change ends it at once). */
const VERIFIED_TTL_MS = 60_000;
const MAX_VERIFIED = 1000;

export class ConsoleAuthenticator {
  /**
   * Recently verified credentials, so a page's many requests cost one key derivation: keyed by an HMAC
   * (with a per-process secret) of the Authorization header and the stored StoredKey, never the password.
   */
  private readonly verified = new Map<string, number>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly users: UserStorage,
    /** Whether any listener of the gateway uses SASL. */
    private readonly required: boolean,
  ) {}

  async principalOf(req: http.IncomingMessage): Promise<KafkaPrincipal> {
    if (!this.required) return ANONYMOUS;
    const header = req.headers.authorization;
    if (!header) throw unauthorized('credentials required: HTTP Basic with a kpg SASL user');
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    if (!match) throw unauthorized('only HTTP Basic authentication is supported');
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw unauthorized('malformed Basic credentials');
    const userName = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    let keys: ScramKeys | null = null;
    for (const mechanism of MECHANISMS) {
      keys = await this.users.scramKeys(userName, mechanism);
      if (keys) break;
    }
    if (!keys) {
      // An unknown user costs the same derivation as a wrong password: the answer's timing tells nothing.
      await derive(password, DUMMY_SALT, SCRAM_DEFAULT_ITERATIONS, 64, 'sha512');
      throw unauthorized('authentication failed: invalid user name or password');
    }
    const cacheKey = createHmac('sha256', this.secret).update(header).update('\0').update(keys.storedKey).digest('base64');
    const until = this.verified.get(cacheKey);
    if (until !== undefined && until > Date.now()) return userPrincipal(userName);
    if (!(await passwordMatches(keys, password))) throw unauthorized('authentication failed: invalid user name or password');
    if (this.verified.size >= MAX_VERIFIED) this.verified.clear();
    this.verified.set(cacheKey, Date.now() + VERIFIED_TTL_MS);
    return userPrincipal(userName);
  }
}

const DUMMY_SALT = randomBytes(32);

/** The derivation runs on libuv's thread pool: thousands of HMAC iterations must not stall the Kafka listeners' event loop. */
async function passwordMatches(keys: ScramKeys, password: string): Promise<boolean> {
  const m = keys.mechanism;
  const salted = await derive(password, keys.salt, keys.iterations, hashLength(m), hashName(m));
  const storedKey = hash(m, clientKey(m, salted));
  const serverKey = serverKeyOf(m, salted);
  const storedOk = storedKey.length === keys.storedKey.length && timingSafeEqual(storedKey, keys.storedKey);
  const serverOk = serverKey.length === keys.serverKey.length && timingSafeEqual(serverKey, keys.serverKey);
  return storedOk && serverOk;
}
