/**
 * ApiVersions (key 18), versions 0-4.
 *
 * The list comes from the handler registry, so kpg advertises exactly what it serves. An ApiVersions
 * request of a version above 4 never reaches this handler: the connection answers it in v0 layout with
 * UNSUPPORTED_VERSION (KIP-511). Client software name and version (v3+) are accepted whatever they hold.
 *
 * Deliberately skipped: feature flags (SupportedFeatures / FinalizedFeatures) are left empty, since
 * advertising e.g. group.version would make clients use protocols kpg does not serve.
 */
import { ErrorCode } from '../protocol/error-codes.js';
import type { ApiVersionsRequest, ApiVersionsResponse } from '../protocol/messages/types.js';
import { defineHandler } from './handler.js';

export default defineHandler<ApiVersionsRequest, ApiVersionsResponse>({
  apiKey: 18,
  name: 'ApiVersions',
  minVersion: 0,
  maxVersion: 4,
  async handle(_request, ctx) {
    const apiKeys = [...ctx.handlers.values()]
      .sort((a, b) => a.apiKey - b.apiKey)
      .map((h) => ({ apiKey: h.apiKey, minVersion: h.minVersion, maxVersion: h.maxVersion }));
    return { errorCode: ErrorCode.NONE, apiKeys, throttleTimeMs: 0 };
  },
});
