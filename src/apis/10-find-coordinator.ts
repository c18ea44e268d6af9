/**
 * FindCoordinator (key 10), versions 0-6; v4+ carries several keys at once.
 *
 * Group state lives in Postgres, so every gateway can coordinate every group (and, later, every
 * transactional id). The answer is still deterministic, as clients expect one coordinator per key: the
 * live gateway at index abs(javaHash(key)) mod the number of live gateways, in node id order. With one
 * gateway that is always the gateway itself.
 *
 * Key types 0 (group) and 1 (transaction) are served; any other (2 = share group, which kpg does not
 * implement) gets INVALID_REQUEST, as Kafka without a share coordinator answers. v1-3 report "NONE" as
 * the error message of a success, v4+ an empty one, as Kafka does. A group key needs DESCRIBE on the
 * group, a transactional id DESCRIBE on it (GROUP_/TRANSACTIONAL_ID_AUTHORIZATION_FAILED per key, checked
 * before anything else, as Kafka checks them); v4+ answer them with an empty message, v0-3 with Kafka's
 * default one, as Kafka 4.1 does).
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { FindCoordinatorRequest, FindCoordinatorResponse } from '../protocol/messages/types.js';
import { listenerEndpoint } from '../cluster/cluster-view.js';
import type { GatewayRecord } from '../storage/cluster.js';
import { ensureOffsetsTopic } from '../topics/offsets-topic.js';
import { isAuthorized } from './authorize.js';
import { defineHandler } from './handler.js';

const GROUP_KEY_TYPE = 0;
const TRANSACTION_KEY_TYPE = 1;

interface Located {
  errorCode: number;
  errorMessage: string | null;
  /** The message v0-3 carry instead (Kafka's whole-response error answer), when it differs. */
  legacyMessage?: string;
  node: { nodeId: number; host: string; port: number };
}

const NO_NODE = { nodeId: -1, host: '', port: -1 };

export default defineHandler<FindCoordinatorRequest, FindCoordinatorResponse>({
  apiKey: 10,
  name: 'FindCoordinator',
  minVersion: 0,
  maxVersion: 6,
  async handle(request, ctx) {
    const { apiVersion } = ctx;
    const keyType = apiVersion >= 1 ? request.keyType : GROUP_KEY_TYPE;
    const live = await ctx.cluster.liveGateways();
    // As in Kafka, the first use of a group coordinator creates __consumer_offsets (once a key passed its check).
    const keys = apiVersion >= 4 ? request.coordinatorKeys : [request.key];
    if (keyType === GROUP_KEY_TYPE && keys.some((key) => isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key, false))) {
      await ensureOffsetsTopic(ctx);
    }
    const locate = (key: string): Located => {
      if (keyType === GROUP_KEY_TYPE && !isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.GROUP, key)) {
        return { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, legacyMessage: 'Group authorization failed.', node: NO_NODE };
      }
      if (keyType === TRANSACTION_KEY_TYPE && !isAuthorized(ctx, AclOperation.DESCRIBE, ResourceType.TRANSACTIONAL_ID, key)) {
        return {
          errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
          errorMessage: null,
          legacyMessage: 'Transactional Id authorization failed.',
          node: NO_NODE,
        };
      }
      if (keyType !== GROUP_KEY_TYPE && keyType !== TRANSACTION_KEY_TYPE) {
        return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unknown coordinator key type ${keyType}.`, node: NO_NODE };
      }
      const node = coordinatorFor(key, live, ctx.client.listener);
      // Kafka: a coordinator without the request's listener is not available to this client.
      if (!node) return { errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null, node: NO_NODE };
      return { errorCode: ErrorCode.NONE, errorMessage: null, node };
    };
    if (apiVersion < 4) {
      const found = locate(request.key);
      return {
        throttleTimeMs: 0,
        errorCode: found.errorCode,
        errorMessage: found.legacyMessage ?? found.errorMessage ?? 'NONE',
        ...found.node,
      };
    }
    return {
      throttleTimeMs: 0,
      coordinators: request.coordinatorKeys.map((key) => {
        const found = locate(key);
        return { key, ...found.node, errorCode: found.errorCode, errorMessage: found.errorMessage ?? '' };
      }),
    };
  },
});

/**
 * The live gateway that answers for `key` (stable for a given set of live gateways, whatever the listener),
 * at its endpoint for `listener`; null when it has no such listener.
 */
export function coordinatorFor(key: string, live: readonly GatewayRecord[], listener: string): { nodeId: number; host: string; port: number } | null {
  const b = live[javaAbs(javaStringHash(key)) % live.length]!;
  const endpoint = listenerEndpoint(b, listener);
  return endpoint ? { nodeId: b.nodeId, ...endpoint } : null;
}

/** Java's String.hashCode (over UTF-16 code units), as Kafka hashes group ids to partitions. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs: Integer.MIN_VALUE maps to 0. */
function javaAbs(n: number): number {
  return n === -2147483648 ? 0 : Math.abs(n);
}
