/**
 * The handler registry: every API kpg serves, by key. ApiVersions is built from this map, so adding a
 * handler here is what makes kpg advertise it.
 */
import type { ApiHandler } from './handler.js';
import { ADMIN_HANDLERS } from './admin-handlers.js';
import { GROUP_HANDLERS } from './group-handlers.js';
import produce from './00-produce.js';
import fetch from './01-fetch.js';
import metadata from './03-metadata.js';
import saslHandshake from './17-sasl-handshake.js';
import apiVersions from './18-api-versions.js';
import initProducerId from './22-init-producer-id.js';
import offsetForLeaderEpoch from './23-offset-for-leader-epoch.js';
import saslAuthenticate from './36-sasl-authenticate.js';

const ALL_HANDLERS: readonly ApiHandler[] = [
  produce, fetch, metadata, saslHandshake, apiVersions, initProducerId, offsetForLeaderEpoch, saslAuthenticate, ...ADMIN_HANDLERS, ...GROUP_HANDLERS,
];

export function handlerRegistry(): ReadonlyMap<number, ApiHandler> {
  return new Map(ALL_HANDLERS.map((h) => [h.apiKey, h]));
}
