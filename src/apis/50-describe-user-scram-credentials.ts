/**
 * DescribeUserScramCredentials (key 50), version 0 (all Kafka 4.1 serves).
 *
 * Needs DESCRIBE on the CLUSTER; without it the whole request gets CLUSTER_AUTHORIZATION_FAILED with one
 * nameless result per requested user, as Kafka's getErrorResponse answers. A null or empty user list
 * describes every user with a credential. Each named user is answered once: RESOURCE_NOT_FOUND when it
 * has no credential, DUPLICATE_RESOURCE when named twice (ScramImage.describe). Credentials are listed
 * by mechanism code; salts and keys are never sent. Kafka 4.1 sends "" (not null) as the error message of
 * the response and of each described user when there is no error; so does kpg.
 *
 * Deliberately skipped: nothing.
 */
import { AclOperation } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type {
  DescribeUserScramCredentialsRequest,
  DescribeUserScramCredentialsResponse,
  DescribeUserScramCredentialsResponseDescribeUserScramCredentialsResult as UserResult,
} from '../protocol/messages/types.js';
import type { UserCredentialInfo } from '../storage/users.js';
import { isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';
import { scramMechanismCode } from './scram-mechanism-codes.js';

const DUPLICATE_USER = 'Cannot describe SCRAM credentials for the same user twice in a single request: ';
const USER_NOT_FOUND = 'Attempt to describe a user credential that does not exist: ';

export default defineHandler<DescribeUserScramCredentialsRequest, DescribeUserScramCredentialsResponse>({
  apiKey: 50,
  name: 'DescribeUserScramCredentials',
  minVersion: 0,
  maxVersion: 0,
  async handle(request, ctx) {
    if (!isAuthorizedOnCluster(ctx, AclOperation.DESCRIBE)) {
      return {
        throttleTimeMs: 0,
        errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
        errorMessage: null,
        results: (request.users ?? []).map(() => ({
          user: '',
          errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED,
          errorMessage: null,
          credentialInfos: [],
        })),
      };
    }

    const named = request.users ?? [];
    if (named.length === 0) {
      const all = await ctx.users.describeUsers(null);
      return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '', results: all.map(describedUser) };
    }

    // Each name once, in request order, remembering which were named more than once.
    const duplicated = new Map<string, boolean>();
    for (const { name } of named) duplicated.set(name, duplicated.has(name));
    const unique = [...duplicated.keys()].filter((name) => !duplicated.get(name));
    const found = new Map((await ctx.users.describeUsers(unique)).map((u) => [u.userName, u]));
    const results = [...duplicated].map(([name, twice]): UserResult => {
      if (twice) return failed(name, ErrorCode.DUPLICATE_RESOURCE, DUPLICATE_USER + name);
      const info = found.get(name);
      return info ? describedUser(info) : failed(name, ErrorCode.RESOURCE_NOT_FOUND, USER_NOT_FOUND + name);
    });
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: '', results };
  },
});

function describedUser(info: UserCredentialInfo): UserResult {
  const credentialInfos = info.credentials
    .map((c) => ({ mechanism: scramMechanismCode(c.mechanism), iterations: c.iterations }))
    .sort((a, b) => a.mechanism - b.mechanism);
  return { user: info.userName, errorCode: ErrorCode.NONE, errorMessage: '', credentialInfos };
}

function failed(user: string, errorCode: number, errorMessage: string): UserResult {
  return { user, errorCode, errorMessage, credentialInfos: [] };
}
