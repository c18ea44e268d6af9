/**
 * AlterUserScramCredentials (key 51), version 0 (all Kafka 4.1 serves).
 *
 * Needs ALTER on the CLUSTER; without it every named user (sorted, once each) gets
 * CLUSTER_AUTHORIZATION_FAILED. Otherwise Kafka's ScramControlManager rules, per user:
 * a user named twice in one request (deletion or upsertion, any mechanism) is DUPLICATE_RESOURCE; an empty
 * name UNACCEPTABLE_CREDENTIAL; a mechanism code other than 1 (SCRAM-SHA-256) or 2 (SCRAM-SHA-512)
 * UNSUPPORTED_SASL_MECHANISM; iterations outside 4096..16384 UNACCEPTABLE_CREDENTIAL; deleting a credential
 * that does not exist RESOURCE_NOT_FOUND. The accepted changes are applied together in one transaction.
 * The request carries the salted password (the client ran PBKDF2), from which StoredKey and ServerKey are
 * derived and stored; neither it nor the salt is logged.
 *
 * Deliberately skipped: a name containing NUL (Postgres text cannot hold it) is refused with
 * UNACCEPTABLE_CREDENTIAL, where Kafka would store it.
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  AlterUserScramCredentialsRequest,
  AlterUserScramCredentialsRequestScramCredentialDeletion as Deletion,
  AlterUserScramCredentialsRequestScramCredentialUpsertion as Upsertion,
  AlterUserScramCredentialsResponse,
  AlterUserScramCredentialsResponseAlterUserScramCredentialsResult as UserResult,
} from '../protocol/messages/types.js';
import { SCRAM_MAX_ITERATIONS, SCRAM_MIN_ITERATIONS, scramKeysFromSalted, type ScramMechanism } from '../security/scram-keys.js';
import type { ScramDeletion, ScramUpsertion } from '../storage/users.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';
import { scramMechanismOfCode } from './scram-mechanism-codes.js';

interface Refusal {
  errorCode: number;
  message: string;
}

const DUPLICATE: Refusal = { errorCode: ErrorCode.DUPLICATE_RESOURCE, message: 'A user credential cannot be altered twice in the same request' };

export default defineHandler<AlterUserScramCredentialsRequest, AlterUserScramCredentialsResponse>({
  apiKey: 51,
  name: 'AlterUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    if (!isAuthorizedOnCluster(ctx, AclOperation.ALTER)) {
      const users = new Set([...request.deletions, ...request.upsertions].map((c) => c.name));
      return {
        throttleTimeMs: 0,
        results: [...users].sort(compareJavaStrings).map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: null })),
      };
    }

    // The credentials that exist now, for the deletions' RESOURCE_NOT_FOUND check.
    const deletionNames = [...new Set(request.deletions.map((d) => d.name))];
    const existing = new Set(
      (await ctx.users.describeUsers(deletionNames)).flatMap((u) => u.credentials.map((c) => credentialKey(u.userName, c.mechanism))),
    );

    // As ScramControlManager.alterCredentials: deletions first, then upsertions; the second mention of a
    // user takes back the first and fails the user; later mentions of a failed user are ignored.
    const deletions = new Map<string, ScramDeletion>();
    const upsertions = new Map<string, Upsertion & { mechanismName: ScramMechanism }>();
    const refused = new Map<string, Refusal>();
    for (const deletion of request.deletions) {
      if (refused.has(deletion.name)) continue;
      if (deletions.delete(deletion.name)) {
        refused.set(deletion.name, DUPLICATE);
        continue;
      }
      const checked = checkDeletion(deletion, existing);
      if ('errorCode' in checked) refused.set(deletion.name, checked);
      else deletions.set(deletion.name, checked);
    }
    for (const upsertion of request.upsertions) {
      if (refused.has(upsertion.name)) continue;
      if (deletions.delete(upsertion.name) || upsertions.delete(upsertion.name)) {
        refused.set(upsertion.name, DUPLICATE);
        continue;
      }
      const checked = checkUpsertion(upsertion);
      if (typeof checked === 'object') refused.set(upsertion.name, checked);
      else upsertions.set(upsertion.name, { ...upsertion, mechanismName: checked });
    }

    const toStore: ScramUpsertion[] = [...upsertions.values()].map((u) => ({
      userName: u.name,
      ...scramKeysFromSalted(u.mechanismName, Buffer.from(u.saltedPassword), Buffer.from(u.salt), u.iterations),
    }));
    await ctx.users.alterScramCredentials(toStore, [...deletions.values()]);
    if (toStore.length > 0 || deletions.size > 0) {
      ctx.log.info(
        { principal: `${ctx.client.principal.type}:${ctx.client.principal.name}`, upserted: toStore.map((u) => `${u.userName}/${u.mechanism}`), deleted: [...deletions.values()].map((d) => `${d.userName}/${d.mechanism}`) },
        'SCRAM credentials altered',
      );
    }

    const ok = (user: string): UserResult => ({ user, errorCode: ErrorCode.NONE, errorMessage: null });
    return {
      throttleTimeMs: 0,
      results: [
        ...[...deletions.keys()].map(ok),
        ...[...upsertions.keys()].map(ok),
        ...[...refused].map(([user, r]) => ({ user, errorCode: r.errorCode, errorMessage: r.message })),
      ],
    };
  },
});

const credentialKey = (user: string, mechanism: ScramMechanism): string => `${mechanism}\u0000${user}`;

/** Kafka's validateScramUsernameAndMechanism; the mechanism when both are acceptable. */
function checkNameAndMechanism(name: string, mechanismCode: number): ScramMechanism | Refusal {
  if (name.length === 0) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Username must not be empty' };
  const mechanism = scramMechanismOfCode(mechanismCode);
  if (!mechanism) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, message: 'Unknown SCRAM mechanism' };
  return mechanism;
}

function checkDeletion(deletion: Deletion, existing: ReadonlySet<string>): ScramDeletion | Refusal {
  const mechanism = checkNameAndMechanism(deletion.name, deletion.mechanism);
  if (typeof mechanism === 'object') return mechanism;
  if (!existing.has(credentialKey(deletion.name, mechanism))) {
    return { errorCode: ErrorCode.RESOURCE_NOT_FOUND, message: 'Attempt to delete a user credential that does not exist' };
  }
  return { userName: deletion.name, mechanism };
}

function checkUpsertion(upsertion: Upsertion): ScramMechanism | Refusal {
  const mechanism = checkNameAndMechanism(upsertion.name, upsertion.mechanism);
  if (typeof mechanism === 'object') return mechanism;
  if (upsertion.iterations < SCRAM_MIN_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too few iterations' };
  if (upsertion.iterations > SCRAM_MAX_ITERATIONS) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'Too many iterations' };
  if (upsertion.name.includes('\0')) return { errorCode: ErrorCode.UNACCEPTABLE_CREDENTIAL, message: 'User names containing NUL cannot be stored by kpg' };
  return mechanism;
}

/** String order as Java's String.compareTo (UTF-16 code units), which Kafka's sorted() uses. */
function compareJavaStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
