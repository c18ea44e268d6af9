/**
 * InitProducerId (key 22), versions 0-5.
 *
 * Idempotent producers (no transactional id) get a fresh producer id from a Postgres sequence, so ids are
 * unique across gateways and restarts, with epoch 0; as in Kafka, a re-initialising idempotent producer
 * (v3+ with its old id and epoch) also gets a fresh id. Sequence state per partition lives in
 * kpg.producer_states and survives restarts.
 *
 * Deliberately skipped: transactional ids. kpg has no transaction coordinator and does not advertise the
 * transaction APIs, so a transactional producer is refused with TRANSACTIONAL_ID_AUTHORIZATION_FAILED, a
 * non-retriable error that tells the application at once instead of retrying forever.
 *
 * An idempotent producer needs IDEMPOTENT_WRITE on the cluster or WRITE on at least one topic, else
 * CLUSTER_AUTHORIZATION_FAILED, as in Kafka 4.
 */
import { AclOperation, ResourceType } from '../protocol/acl.js';
import { ErrorCode } from '../protocol/error-codes.js';
import type { InitProducerIdRequest, InitProducerIdResponse } from '../protocol/messages/types.js';
import { isAuthorizedOnAny, isAuthorizedOnCluster } from './authorize.js';
import { defineHandler } from './handler.js';

export default defineHandler<InitProducerIdRequest, InitProducerIdResponse>({
  apiKey: 22,
  name: 'InitProducerId',
  minVersion: 0,
  maxVersion: 5,
  async handle(request, ctx) {
    if (request.transactionalId !== null) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    if (!isAuthorizedOnCluster(ctx, AclOperation.IDEMPOTENT_WRITE, false) && !isAuthorizedOnAny(ctx, AclOperation.WRITE, ResourceType.TOPIC)) {
      return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, producerId: -1n, producerEpoch: -1 };
    }
    const { producerId, producerEpoch } = await ctx.records.newProducerId();
    ctx.log.debug({ producerId }, 'new idempotent producer');
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId, producerEpoch };
  },
});
