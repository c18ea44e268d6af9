/** QuotaStorage (../quotas.ts) on kpg.client_quotas: one row per entity and quota key. */
import type pg from 'pg';
import type { ClientQuotaEntry, QuotaAlteration, QuotaEntityPart, QuotaStorage } from '../quotas.js';
import { quotaEntityKey } from '../quotas.js';
import { notifyChange } from './channels.js';
import { inTransaction } from './transaction.js';

export class PgQuotaStorage implements QuotaStorage {
  constructor(private readonly pool: pg.Pool) {}

  async allQuotas(): Promise<ClientQuotaEntry[]> {
    const { rows } = await this.pool.query<{ entity_key: string; entity: QuotaEntityPart[]; quota_key: string; value: number }>(
      'SELECT entity_key, entity, quota_key, value FROM kpg.client_quotas ORDER BY entity_key, quota_key',
    );
    const byKey = new Map<string, { entity: QuotaEntityPart[]; values: Map<string, number> }>();
    for (const row of rows) {
      let entry = byKey.get(row.entity_key);
      if (!entry) {
        entry = { entity: row.entity, values: new Map() };
        byKey.set(row.entity_key, entry);
      }
      entry.values.set(row.quota_key, row.value);
    }
    return [...byKey.values()];
  }

  async alterQuotas(alterations: readonly QuotaAlteration[]): Promise<void> {
    if (alterations.every((a) => a.ops.length === 0)) return;
    await inTransaction(this.pool, async (client) => {
      for (const { entity, ops } of alterations) {
        const entityKey = quotaEntityKey(entity);
        const entityJson = JSON.stringify(entity.map((p) => ({ entityType: p.entityType, entityName: p.entityName })));
        for (const op of ops) {
          if (op.value === null) {
            await client.query('DELETE FROM kpg.client_quotas WHERE entity_key = $1 AND quota_key = $2', [entityKey, op.key]);
          } else {
            await client.query(
              `INSERT INTO kpg.client_quotas (entity_key, entity, quota_key, value) VALUES ($1, $2::jsonb, $3, $4)
               ON CONFLICT (entity_key, quota_key) DO UPDATE SET value = EXCLUDED.value`,
              [entityKey, entityJson, op.key, op.value],
            );
          }
        }
      }
      await notifyChange(client, { event: 'quotasChanged', args: [] });
    });
  }
}
