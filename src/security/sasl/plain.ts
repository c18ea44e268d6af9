/**
 * SASL/PLAIN (RFC 4616) checked against the stored SCRAM credentials: the password is salted with the
 * stored salt and iterations and its StoredKey compared in constant time, so no password is ever stored.
 * SCRAM-SHA-512 keys are preferred when a user has both. Messages follow Kafka's PlainSaslServer.
 */
import { pbkdf2, timingSafeEqual } from 'node:crypto';
import { promisify } from 'node:util';
import type { UserStorage } from '../../storage/users.js';
import { userPrincipal } from '../principal.js';
import { clientKey, hash, hashLength, hashName, type ScramKeys } from '../scram-keys.js';
import { hiddenFailure, type SaslServerSession, type SaslStep } from './mechanism.js';

const pbkdf2Async = promisify(pbkdf2);

export const PLAIN = 'PLAIN';

export class PlainServerSession implements SaslServerSession {
  readonly mechanism = PLAIN;
  private done = false;

  constructor(private readonly users: UserStorage) {}

  async evaluate(token: Buffer): Promise<SaslStep> {
    if (this.done) return hiddenFailure(PLAIN, 'PLAIN token after the exchange ended');
    this.done = true;
    // authzid NUL authcid NUL passwd; like Kafka, anything after a third NUL is ignored.
    const [authorizationId = '', userName = '', password = ''] = splitTokens(token.toString('utf8'));
    if (userName === '') return hiddenFailure(PLAIN, 'username not specified');
    if (password === '') return hiddenFailure(PLAIN, 'password not specified', userName);
    let keys: ScramKeys | null;
    try {
      keys = (await this.users.scramKeys(userName, 'SCRAM-SHA-512')) ?? (await this.users.scramKeys(userName, 'SCRAM-SHA-256'));
    } catch (err) {
      return {
        kind: 'failure',
        message: 'Authentication failed: credentials for user could not be verified',
        logReason: `credentials could not be read: ${(err as Error).message}`,
        userName,
      };
    }
    if (!keys || !(await passwordMatches(keys, password))) {
      return {
        kind: 'failure',
        message: 'Authentication failed: Invalid username or password',
        logReason: keys ? 'wrong password' : 'unknown user',
        userName,
      };
    }
    if (authorizationId !== '' && authorizationId !== userName) {
      return {
        kind: 'failure',
        message: 'Authentication failed: Client requested an authorization id that is different from username',
        logReason: `authorization id ${JSON.stringify(authorizationId)} differs from the user name`,
        userName,
      };
    }
    return { kind: 'success', bytes: Buffer.alloc(0), principal: userPrincipal(userName) };
  }
}

function splitTokens(message: string): string[] {
  const tokens: string[] = [];
  let start = 0;
  for (let i = 0; i < 3; i++) {
    const end = message.indexOf('\u0000', start);
    if (end === -1) {
      tokens.push(message.slice(start));
      break;
    }
    tokens.push(message.slice(start, end));
    start = end + 1;
  }
  return tokens;
}

/** PBKDF2 off the event loop (libuv's pool), so a flood of PLAIN logins does not stall other clients. */
async function passwordMatches(keys: ScramKeys, password: string): Promise<boolean> {
  const salted = await pbkdf2Async(password, keys.salt, keys.iterations, hashLength(keys.mechanism), hashName(keys.mechanism));
  const storedKey = hash(keys.mechanism, clientKey(keys.mechanism, salted));
  return storedKey.length === keys.storedKey.length && timingSafeEqual(storedKey, keys.storedKey);
}
