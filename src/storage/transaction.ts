/**
 * Compatibility for src/storage/group-store.ts until the groups branch moves it under ./pg.
 * @deprecated
 */
export { inTransaction } from './pg/transaction.js';
