/**
 * Every console API route, one file per resource.
 */
import type { Route } from '../router.js';
import { clusterRoutes } from './cluster.js';

export function consoleRoutes(): Route[] {
  return [...clusterRoutes];
}
