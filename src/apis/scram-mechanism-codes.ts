/**
 * SCRAM mechanisms as DescribeUserScramCredentials / AlterUserScramCredentials carry them: Kafka's
 * org.apache.kafka.clients.admin.ScramMechanism type codes (0 is UNKNOWN, and so is any other code).
 */
import type { ScramMechanism } from '../security/scram-keys.js';

const BY_CODE: ReadonlyMap<number, ScramMechanism> = new Map([
  [1, 'SCRAM-SHA-256'],
  [2, 'SCRAM-SHA-512'],
]);

export function scramMechanismOfCode(code: number): ScramMechanism | null {
  return BY_CODE.get(code) ?? null;
}

export function scramMechanismCode(mechanism: ScramMechanism): number {
  return mechanism === 'SCRAM-SHA-256' ? 1 : 2;
}
