/**
 * The handler registry: every API kpg serves, by key. ApiVersions is built from this map, so adding a
 * handler here is what makes kpg advertise it.
 */
import type { ApiHandler } from './handler.js';
import metadata from './03-metadata.js';
import apiVersions from './18-api-versions.js';

const ALL_HANDLERS: readonly ApiHandler[] = [metadata, apiVersions];

export function handlerRegistry(): ReadonlyMap<number, ApiHandler> {
  return new Map(ALL_HANDLERS.map((h) => [h.apiKey, h]));
}
