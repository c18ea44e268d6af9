/**
 * Every console API route, one file per resource.
 */
import type { Route } from '../router.js';
import { clusterRoutes } from './cluster.js';
import { groupRoutes } from './groups.js';
import { messageRoutes } from './messages.js';
import { topicRoutes } from './topics.js';

export function consoleRoutes(): Route[] {
  return [...clusterRoutes, ...topicRoutes, ...messageRoutes, ...groupRoutes];
}
