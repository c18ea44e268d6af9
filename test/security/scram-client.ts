/** The client side of SCRAM (RFC 5802) for tests that need to bend its messages. */
import { randomBytes } from 'node:crypto';
import { clientKey, hash, hmac, saltedPassword, serverKeyOf, type ScramMechanism } from '../../src/security/scram-keys.js';

export class ScramClient {
  readonly nonce = randomBytes(18).toString('base64');
  serverFirst = '';
  private salted: Buffer | null = null;

  constructor(
    readonly mechanism: ScramMechanism,
    readonly user: string,
    readonly password: string,
  ) {}

  get clientFirstBare(): string {
    return `n=${this.user.replace(/=/g, '=3D').replace(/,/g, '=2C')},r=${this.nonce}`;
  }

  clientFirst(gs2 = 'n,,'): Buffer {
    return Buffer.from(gs2 + this.clientFirstBare);
  }

  /** The client-final message for the server-first received; `nonce` replaces the combined nonce (for wrong-nonce tests). */
  clientFinal(serverFirst: Buffer, options: { nonce?: string; password?: string } = {}): Buffer {
    this.serverFirst = serverFirst.toString('utf8');
    const fields = Object.fromEntries(this.serverFirst.split(',').map((f) => [f[0], f.slice(2)]));
    const nonce = options.nonce ?? fields.r!;
    this.salted = saltedPassword(this.mechanism, options.password ?? this.password, Buffer.from(fields.s!, 'base64'), Number(fields.i));
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const key = clientKey(this.mechanism, this.salted);
    const signature = hmac(this.mechanism, hash(this.mechanism, key), authMessage);
    const proof = Buffer.from(key.map((b, i) => b ^ signature[i]!));
    this.lastAuthMessage = authMessage;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }

  private lastAuthMessage = '';

  /** Whether the server-final message proves the server knows the password's ServerKey. */
  verifyServerFinal(serverFinal: Buffer): boolean {
    const expected = hmac(this.mechanism, serverKeyOf(this.mechanism, this.salted!), this.lastAuthMessage);
    return serverFinal.toString('utf8') === `v=${expected.toString('base64')}`;
  }
}
