/**
 * ACL bindings, shared by every gateway (kpg.acls). A change announces `aclsChanged` in its own
 * transaction, so every gateway's authorizer reloads once the change is visible.
 */
import type { AclBinding, AclBindingFilter } from '../security/acl-binding.js';

export type { AclBinding, AclBindingFilter } from '../security/acl-binding.js';

export interface AclStorage {
  /** Every binding, oldest first. */
  listAcls(): Promise<AclBinding[]>;
  /** Stores the bindings; one already stored is left as it is (not an error, as in Kafka). Callers validate first. */
  createAcls(bindings: readonly AclBinding[]): Promise<void>;
  /**
   * Deletes every binding any filter matches, in one transaction; per filter, the bindings it matched
   * (a binding matched by two filters is listed under both, as Kafka does).
   */
  deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]>;
}
