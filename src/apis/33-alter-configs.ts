/**
 * AlterConfigs (key 33), versions 0-2: the legacy form, which replaces the whole set of a resource's
 * dynamic configs with the ones given (configs left out are removed).
 *
 * Topics: the resulting set is validated as Kafka's controller validates it (unknown names and bad
 * values: INVALID_CONFIG with Kafka's message), then stored in kpg.topic_configs in one transaction;
 * every gateway drops its cached view on NOTIFY kpg_config '<topic_id>'. Brokers: resource "" is the
 * cluster-wide default (kpg.broker_configs broker_id -1), a node id this gateway's own; changes to
 * read-only configs and badly typed values get INVALID_REQUEST, as in Kafka; every gateway reloads on
 * NOTIFY kpg_config 'broker'. validate_only checks without storing. Null values, duplicate config
 * names and a resource named twice get INVALID_REQUEST.
 *
 * Deliberately skipped: alter-config policies (kpg has none); BROKER_LOGGER is not alterable here,
 * as in Kafka.
 *
 * Authorization as Kafka's controller: ALTER_CONFIGS on the topic, or on the cluster for brokers
 * (TOPIC_/CLUSTER_AUTHORIZATION_FAILED), after the broker's checks of duplicates and null values.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { AlterConfigsRequest, AlterConfigsResponse, AlterConfigsResponseAlterConfigsResourceResponse } from '../protocol/messages/types.js';
import { alterBroker, alterTopic, preprocess, ResourceType, unknownResourceType } from './alter-configs-common.js';
import { AclOperation } from '../protocol/acl.js';
import { configAuthorizationError } from './config-resources.js';
import { defineHandler } from './handler.js';

export default defineHandler<AlterConfigsRequest, AlterConfigsResponse>({
  apiKey: 33,
  name: 'AlterConfigs',
  minVersion: 0,
  maxVersion: 2,
  async handle(request, ctx) {
    const failed = preprocess(request.resources, () => false);
    const responses: AlterConfigsResponseAlterConfigsResourceResponse[] = [];
    for (const [i, resource] of request.resources.entries()) {
      const replacement = (): Map<string, string> => new Map(resource.configs.map((c) => [c.name, c.value!]));
      const outcome =
        failed.get(i) ??
        configAuthorizationError(ctx, AclOperation.ALTER_CONFIGS, resource.resourceType, resource.resourceName) ??
        (resource.resourceType === ResourceType.TOPIC
          ? await alterTopic(resource.resourceName, replacement, request.validateOnly, ctx)
          : resource.resourceType === ResourceType.BROKER
            ? await alterBroker(resource.resourceName, replacement, request.validateOnly, ctx)
            : unknownResourceType(resource.resourceType));
      responses.push({
        errorCode: outcome.errorCode ?? ErrorCode.NONE,
        errorMessage: outcome.errorMessage,
        resourceType: resource.resourceType,
        resourceName: resource.resourceName,
      });
    }
    return { throttleTimeMs: 0, responses };
  },
});
