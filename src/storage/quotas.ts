/**
 * Client quotas as KIP-546 names them: an entity (user, client-id, or ip; a name, or null for the
 * default of that type) and its quota values (producer_byte_rate, consumer_byte_rate, request_percentage,
 * controller_mutation_rate, connection_creation_rate). Shared by every gateway; a change announces
 * `quotasChanged` so each gateway reloads its copy.
 */

export const QuotaEntityType = { USER: 'user', CLIENT_ID: 'client-id', IP: 'ip' } as const;

export interface QuotaEntityPart {
  entityType: string;
  /** null: the default entity of that type. */
  entityName: string | null;
}

/** One entity, its parts in any order (the canonical key sorts them). */
export type QuotaEntity = readonly QuotaEntityPart[];

export interface ClientQuotaEntry {
  entity: QuotaEntity;
  /** Quota key → value. */
  values: ReadonlyMap<string, number>;
}

/** Set `value`, or remove the key when `value` is null. */
export interface QuotaOp {
  key: string;
  value: number | null;
}

export interface QuotaAlteration {
  entity: QuotaEntity;
  ops: readonly QuotaOp[];
}

export interface QuotaStorage {
  /** Every stored entity with its values. */
  allQuotas(): Promise<ClientQuotaEntry[]>;
  /** Applies the alterations in one transaction and announces `quotasChanged`; callers validate first. */
  alterQuotas(alterations: readonly QuotaAlteration[]): Promise<void>;
}

const DEFAULT_NAME = '<default>';

/**
 * The canonical text of an entity, e.g. "client-id=app/user=alice" or "user=<default>": types sorted,
 * names percent-encoded (so '/', '=' and '<' in a name cannot be confused with the separators or the default).
 */
export function quotaEntityKey(entity: QuotaEntity): string {
  return [...entity]
    .sort((a, b) => (a.entityType < b.entityType ? -1 : a.entityType > b.entityType ? 1 : 0))
    .map((p) => `${p.entityType}=${p.entityName === null ? DEFAULT_NAME : encodeURIComponent(p.entityName)}`)
    .join('/');
}
