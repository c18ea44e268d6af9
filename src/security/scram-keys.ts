/**
 * SCRAM key derivation (RFC 5802 section 3): what is stored for a password (salt, iterations, StoredKey,
 * ServerKey) and what both sides compute from it. One place, used by the server's SCRAM exchange, by
 * credential storage, and by tests playing the client.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';

export const SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;
export type ScramMechanism = (typeof SCRAM_MECHANISMS)[number];

/** Kafka's bounds for iterations (ScramMechanism.minIterations / maxIterations) and its default (4096). */
export const SCRAM_MIN_ITERATIONS = 4096;
export const SCRAM_MAX_ITERATIONS = 16384;
export const SCRAM_DEFAULT_ITERATIONS = 4096;

export const hashName = (m: ScramMechanism): 'sha256' | 'sha512' => (m === 'SCRAM-SHA-256' ? 'sha256' : 'sha512');
export const hashLength = (m: ScramMechanism): number => (m === 'SCRAM-SHA-256' ? 32 : 64);

export interface ScramKeys {
  mechanism: ScramMechanism;
  iterations: number;
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
}

export function hmac(m: ScramMechanism, key: Buffer, data: Buffer | string): Buffer {
  return createHmac(hashName(m), key).update(data).digest();
}

export function hash(m: ScramMechanism, data: Buffer): Buffer {
  return createHash(hashName(m)).update(data).digest();
}

/** Hi(Normalize(password), salt, i): PBKDF2 with the mechanism's HMAC. SASLprep is not applied (Kafka does not either). */
export function saltedPassword(m: ScramMechanism, password: Buffer | string, salt: Buffer, iterations: number): Buffer {
  return pbkdf2Sync(password, salt, iterations, hashLength(m), hashName(m));
}

export function clientKey(m: ScramMechanism, salted: Buffer): Buffer {
  return hmac(m, salted, 'Client Key');
}

export function serverKeyOf(m: ScramMechanism, salted: Buffer): Buffer {
  return hmac(m, salted, 'Server Key');
}

/** What to store for a password: a fresh random salt unless one is given (AlterUserScramCredentials sends its own). */
export function deriveScramKeys(m: ScramMechanism, password: Buffer | string, iterations: number, salt: Buffer = randomBytes(32)): ScramKeys {
  const salted = saltedPassword(m, password, salt, iterations);
  return { mechanism: m, iterations, salt, storedKey: hash(m, clientKey(m, salted)), serverKey: serverKeyOf(m, salted) };
}

/** Keys from a client-computed salted password (AlterUserScramCredentials carries SaltedPassword, not the password). */
export function scramKeysFromSalted(m: ScramMechanism, salted: Buffer, salt: Buffer, iterations: number): ScramKeys {
  return { mechanism: m, iterations, salt, storedKey: hash(m, clientKey(m, salted)), serverKey: serverKeyOf(m, salted) };
}
