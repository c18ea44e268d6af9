/**
 * Who a console request is. With a SASL listener on the gateway, HTTP Basic credentials of a kpg SASL
 * user are required: the password is checked against the user's stored SCRAM keys by deriving them
 * again from the stored salt and iterations (as a SCRAM exchange proves the same password), compared in
 * constant time. Without SASL listeners everyone is User:ANONYMOUS, as on a PLAINTEXT Kafka listener.
 */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import type { ScramKeys, ScramMechanism } from '../security/scram-keys.js';
import { clientKey, hash, saltedPassword, serverKeyOf } from '../security/scram-keys.js';
import { ANONYMOUS, userPrincipal, type KafkaPrincipal } from '../security/principal.js';
import type { UserStorage } from '../storage/users.js';
import { ConsoleError } from './http.js';

/** Strongest first: a user with both is checked against SHA-512. */
const MECHANISMS: readonly ScramMechanism[] = ['SCRAM-SHA-512', 'SCRAM-SHA-256'];

const unauthorized = (message: string): ConsoleError =>
  new ConsoleError(401, 'SASL_AUTHENTICATION_FAILED', message, { 'WWW-Authenticate': 'Basic realm="kpg", charset="UTF-8"' });

export class ConsoleAuthenticator {
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
    for (const mechanism of MECHANISMS) {
      const keys = await this.users.scramKeys(userName, mechanism);
      if (!keys) continue;
      if (passwordMatches(keys, password)) return userPrincipal(userName);
      break;
    }
    // The same answer for an unknown user and a wrong password.
    throw unauthorized('authentication failed: invalid user name or password');
  }
}

function passwordMatches(keys: ScramKeys, password: string): boolean {
  const m = keys.mechanism;
  const salted = saltedPassword(m, password, keys.salt, keys.iterations);
  const storedKey = hash(m, clientKey(m, salted));
  const serverKey = serverKeyOf(m, salted);
  const storedOk = storedKey.length === keys.storedKey.length && timingSafeEqual(storedKey, keys.storedKey);
  const serverOk = serverKey.length === keys.serverKey.length && timingSafeEqual(serverKey, keys.serverKey);
  return storedOk && serverOk;
}
