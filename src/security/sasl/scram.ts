/**
 * SCRAM-SHA-256 and SCRAM-SHA-512 server (RFC 5802, RFC 7677), as Kafka's ScramSaslServer: message
 * grammar from Kafka's ScramMessages (gs2 header "n" only, so no channel binding; ASCII user names with
 * =2C and =3D escapes), the delegation-token extension refused (kpg has no delegation tokens), other
 * extensions ignored. An unknown user fails at the client-first message, as in Kafka; every failure
 * but an authorization id mismatch is hidden from the client behind Kafka's standard text.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { UserStorage } from '../../storage/users.js';
import { userPrincipal } from '../principal.js';
import { hash, hashLength, hmac, SCRAM_MIN_ITERATIONS, type ScramKeys, type ScramMechanism } from '../scram-keys.js';
import { hiddenFailure, type SaslServerSession, type SaslStep } from './mechanism.js';

const SASLNAME = '(?:[\\x01-\\x2B\\x2D-\\x3C\\x3E-\\x7F]|=2C|=3D)+';
const PRINTABLE = '[\\x21-\\x2B\\x2D-\\x7E]+';
const VALUE = '[\\x01-\\x2B\\x2D-\\x7F]+';
const BASE64 = '(?:[a-zA-Z0-9/+]{4})*(?:[a-zA-Z0-9/+]{3}=|[a-zA-Z0-9/+]{2}==)?';
const EXTENSIONS = `(?:,[a-zA-Z]+=${VALUE})*`;
const CLIENT_FIRST = new RegExp(
  `^(?<gs2>n,(?:a=(?<authzid>${SASLNAME}))?,)(?<bare>(?:m=${VALUE},)?n=(?<saslname>${SASLNAME}),r=(?<nonce>${PRINTABLE})(?<extensions>${EXTENSIONS}))$`,
);
const CLIENT_FINAL = new RegExp(`^(?<withoutProof>c=(?<channel>${BASE64}),r=(?<nonce>${PRINTABLE})${EXTENSIONS}),p=(?<proof>${BASE64})$`);

type State =
  | { name: 'client-first' }
  | { name: 'client-final'; keys: ScramKeys; userName: string; gs2Header: string; nonce: string; clientFirstBare: string; serverFirst: string }
  | { name: 'done' };

export class ScramServerSession implements SaslServerSession {
  private state: State = { name: 'client-first' };

  constructor(
    readonly mechanism: ScramMechanism,
    private readonly users: UserStorage,
  ) {}

  async evaluate(token: Buffer): Promise<SaslStep> {
    const state = this.state;
    this.state = { name: 'done' };
    switch (state.name) {
      case 'client-first':
        return this.clientFirst(token.toString('utf8'));
      case 'client-final':
        return this.clientFinal(token.toString('utf8'), state);
      case 'done':
        return hiddenFailure(this.mechanism, 'SCRAM message after the exchange ended');
    }
  }

  private async clientFirst(message: string): Promise<SaslStep> {
    const match = CLIENT_FIRST.exec(message)?.groups;
    if (!match) return hiddenFailure(this.mechanism, `invalid SCRAM client-first message format: ${printable(message)}`);
    const userName = unescapeSaslName(match.saslname!);
    const extensions = parseExtensions(match.extensions!);
    if (extensions.get('tokenauth')?.toLowerCase() === 'true') {
      return hiddenFailure(this.mechanism, 'delegation token authentication requested; kpg has no delegation tokens', userName);
    }
    let keys: ScramKeys | null;
    try {
      keys = await this.users.scramKeys(userName, this.mechanism);
    } catch (err) {
      return hiddenFailure(this.mechanism, `credentials could not be obtained: ${(err as Error).message}`, userName);
    }
    if (!keys) return hiddenFailure(this.mechanism, `unknown user (no ${this.mechanism} credentials)`, userName);
    const authorizationId = match.authzid === undefined ? '' : unescapeSaslName(match.authzid);
    if (authorizationId !== '' && authorizationId !== userName) {
      return {
        kind: 'failure',
        message: 'Authentication failed: Client requested an authorization id that is different from username',
        logReason: `authorization id ${JSON.stringify(authorizationId)} differs from the user name`,
        userName,
      };
    }
    if (keys.iterations < SCRAM_MIN_ITERATIONS) {
      return hiddenFailure(this.mechanism, `stored iterations ${keys.iterations} below the minimum ${SCRAM_MIN_ITERATIONS}`, userName);
    }
    const nonce = match.nonce! + randomBytes(24).toString('base64url');
    const serverFirst = `r=${nonce},s=${keys.salt.toString('base64')},i=${keys.iterations}`;
    this.state = { name: 'client-final', keys, userName, gs2Header: match.gs2!, nonce, clientFirstBare: match.bare!, serverFirst };
    return { kind: 'challenge', bytes: Buffer.from(serverFirst, 'utf8') };
  }

  private clientFinal(message: string, state: Extract<State, { name: 'client-final' }>): SaslStep {
    const { keys, userName } = state;
    const match = CLIENT_FINAL.exec(message)?.groups;
    if (!match) return hiddenFailure(this.mechanism, 'invalid SCRAM client-final message format', userName);
    if (match.nonce !== state.nonce) return hiddenFailure(this.mechanism, 'invalid client nonce in the final client message', userName);
    if (Buffer.from(match.channel!, 'base64').toString('utf8') !== state.gs2Header) {
      return hiddenFailure(this.mechanism, 'channel binding does not repeat the gs2 header', userName);
    }
    const authMessage = `${state.clientFirstBare},${state.serverFirst},${match.withoutProof}`;
    const proof = Buffer.from(match.proof!, 'base64');
    if (proof.length !== hashLength(this.mechanism)) return hiddenFailure(this.mechanism, 'client proof of the wrong length', userName);
    const clientSignature = hmac(this.mechanism, keys.storedKey, authMessage);
    const clientKey = Buffer.alloc(proof.length);
    for (let i = 0; i < proof.length; i++) clientKey[i] = proof[i]! ^ clientSignature[i]!;
    if (!timingSafeEqual(hash(this.mechanism, clientKey), keys.storedKey)) {
      return hiddenFailure(this.mechanism, 'invalid client proof (wrong password)', userName);
    }
    const serverSignature = hmac(this.mechanism, keys.serverKey, authMessage);
    return { kind: 'success', bytes: Buffer.from(`v=${serverSignature.toString('base64')}`, 'utf8'), principal: userPrincipal(userName) };
  }
}

function unescapeSaslName(name: string): string {
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

function parseExtensions(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) out.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return out;
}

/** For the log: the message without control characters, cut short. */
function printable(message: string): string {
  const cleaned = message.replace(/[^\x20-\x7e]/g, '?');
  return cleaned.length > 200 ? `${cleaned.slice(0, 200)}…` : cleaned;
}
