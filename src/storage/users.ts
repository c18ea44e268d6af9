/**
 * SASL users: SCRAM credentials per user and mechanism (salted keys only, never a password), shared by
 * every gateway. A change announces `usersChanged` so gateways drop what they cached.
 */
import type { ScramKeys, ScramMechanism } from '../security/scram-keys.js';

export interface UserCredentialInfo {
  userName: string;
  credentials: { mechanism: ScramMechanism; iterations: number }[];
}

export type ScramUpsertion = ScramKeys & { userName: string };
export interface ScramDeletion {
  userName: string;
  mechanism: ScramMechanism;
}

export interface UserStorage {
  /** The stored keys of one user for one mechanism, or null when there are none. */
  scramKeys(userName: string, mechanism: ScramMechanism): Promise<ScramKeys | null>;
  /** Users with their mechanisms and iteration counts, all of them or the named ones (missing names are left out). */
  describeUsers(userNames: readonly string[] | null): Promise<UserCredentialInfo[]>;
  /**
   * Applies deletions, then upsertions, in one transaction and announces `usersChanged`; callers validate
   * first. Returns how many credentials the deletions removed.
   */
  alterScramCredentials(upsertions: readonly ScramUpsertion[], deletions: readonly ScramDeletion[]): Promise<number>;
}
