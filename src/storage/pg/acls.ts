/**
 * The ACL facet on Postgres: kpg.acls, one row per binding (unique over all its fields). Every change
 * runs in one transaction that also announces `aclsChanged` (kpg_security 'acls').
 */
import type pg from 'pg';
import type { AclOperationCode, AclPermissionCode, PatternTypeCode, ResourceTypeCode } from '../../protocol/acl.js';
import { filterMatches, type AclBinding, type AclBindingFilter } from '../../security/acl-binding.js';
import type { AclStorage } from '../acls.js';
import { notifyChange } from './channels.js';
import { inTransaction } from './transaction.js';

interface AclRow {
  acl_id: bigint;
  resource_type: number;
  resource_name: string;
  pattern_type: number;
  principal: string;
  host: string;
  operation: number;
  permission_type: number;
}

const SELECT_ACLS = `SELECT acl_id, resource_type, resource_name, pattern_type, principal, host, operation, permission_type
  FROM kpg.acls ORDER BY acl_id`;

function toBinding(r: AclRow): AclBinding {
  return {
    resourceType: r.resource_type as ResourceTypeCode,
    resourceName: r.resource_name,
    patternType: r.pattern_type as PatternTypeCode,
    principal: r.principal,
    host: r.host,
    operation: r.operation as AclOperationCode,
    permissionType: r.permission_type as AclPermissionCode,
  };
}

export class PgAclStorage implements AclStorage {
  constructor(private readonly pool: pg.Pool) {}

  async listAcls(): Promise<AclBinding[]> {
    const { rows } = await this.pool.query<AclRow>(SELECT_ACLS);
    return rows.map(toBinding);
  }

  async createAcls(bindings: readonly AclBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    await inTransaction(this.pool, async (client) => {
      await client.query(
        `INSERT INTO kpg.acls (resource_type, resource_name, pattern_type, principal, host, operation, permission_type)
         SELECT * FROM unnest($1::smallint[], $2::text[], $3::smallint[], $4::text[], $5::text[], $6::smallint[], $7::smallint[])
         ON CONFLICT (resource_type, resource_name, pattern_type, principal, host, operation, permission_type) DO NOTHING`,
        [
          bindings.map((b) => b.resourceType),
          bindings.map((b) => b.resourceName),
          bindings.map((b) => b.patternType),
          bindings.map((b) => b.principal),
          bindings.map((b) => b.host),
          bindings.map((b) => b.operation),
          bindings.map((b) => b.permissionType),
        ],
      );
      await notifyChange(client, { event: 'aclsChanged', args: [] });
    });
  }

  /** Filters are Kafka's matching rules (MATCH, wildcards), applied to the locked rows in TypeScript. */
  async deleteAcls(filters: readonly AclBindingFilter[]): Promise<AclBinding[][]> {
    if (filters.length === 0) return [];
    return inTransaction(this.pool, async (client) => {
      const { rows } = await client.query<AclRow>(`${SELECT_ACLS} FOR UPDATE`);
      const matched = filters.map(() => [] as AclBinding[]);
      const doomed = new Set<bigint>();
      for (const row of rows) {
        const binding = toBinding(row);
        filters.forEach((filter, i) => {
          if (!filterMatches(filter, binding)) return;
          matched[i]!.push(binding);
          doomed.add(row.acl_id);
        });
      }
      if (doomed.size > 0) {
        await client.query('DELETE FROM kpg.acls WHERE acl_id = ANY($1::bigint[])', [[...doomed].map(String)]);
        await notifyChange(client, { event: 'aclsChanged', args: [] });
      }
      return matched;
    });
  }
}
