/**
 * The users facet on Postgres: kpg.scram_credentials, one row per user and SCRAM mechanism holding the
 * salt, iterations, StoredKey and ServerKey (RFC 5802), never a password. Every change announces
 * `usersChanged` in its own transaction, so no gateway keeps a stale credential past the commit.
 */
import type pg from 'pg';
import { SCRAM_MECHANISMS, type ScramKeys, type ScramMechanism } from '../../security/scram-keys.js';
import type { ScramDeletion, ScramUpsertion, UserCredentialInfo, UserStorage } from '../users.js';
import { notifyChange } from './channels.js';
import { inTransaction } from './transaction.js';

const isScramMechanism = (m: string): m is ScramMechanism => (SCRAM_MECHANISMS as readonly string[]).includes(m);

/** Postgres text cannot hold NUL: such a name names no stored user. */
const storable = (name: string): boolean => !name.includes('\0');

export class PgUserStorage implements UserStorage {
  constructor(private readonly pool: pg.Pool) {}

  async scramKeys(userName: string, mechanism: ScramMechanism): Promise<ScramKeys | null> {
    if (!storable(userName)) return null;
    const { rows } = await this.pool.query<{ iterations: number; salt: Buffer; stored_key: Buffer; server_key: Buffer }>(
      `SELECT iterations, salt, stored_key, server_key FROM kpg.scram_credentials WHERE user_name = $1 AND mechanism = $2`,
      [userName, mechanism],
    );
    const row = rows[0];
    if (!row) return null;
    return { mechanism, iterations: row.iterations, salt: row.salt, storedKey: row.stored_key, serverKey: row.server_key };
  }

  async describeUsers(userNames: readonly string[] | null): Promise<UserCredentialInfo[]> {
    const filter = userNames === null ? 'true' : 'user_name = ANY($1::text[])';
    const params = userNames === null ? [] : [userNames.filter(storable)];
    const { rows } = await this.pool.query<{ user_name: string; mechanism: string; iterations: number }>(
      `SELECT user_name, mechanism, iterations FROM kpg.scram_credentials WHERE ${filter} ORDER BY user_name, mechanism`,
      params,
    );
    const users = new Map<string, UserCredentialInfo>();
    for (const row of rows) {
      if (!isScramMechanism(row.mechanism)) continue;
      let user = users.get(row.user_name);
      if (!user) users.set(row.user_name, (user = { userName: row.user_name, credentials: [] }));
      user.credentials.push({ mechanism: row.mechanism, iterations: row.iterations });
    }
    return [...users.values()];
  }

  async alterScramCredentials(upsertions: readonly ScramUpsertion[], deletions: readonly ScramDeletion[]): Promise<number> {
    if (upsertions.length === 0 && deletions.length === 0) return 0;
    for (const u of upsertions) {
      if (!storable(u.userName)) throw new Error('a user name cannot contain NUL');
    }
    return inTransaction(this.pool, async (client) => {
      let deleted = 0;
      for (const d of deletions) {
        if (!storable(d.userName)) continue;
        const result = await client.query(`DELETE FROM kpg.scram_credentials WHERE user_name = $1 AND mechanism = $2`, [d.userName, d.mechanism]);
        deleted += result.rowCount ?? 0;
      }
      for (const u of upsertions) {
        await client.query(
          `INSERT INTO kpg.scram_credentials (user_name, mechanism, iterations, salt, stored_key, server_key)
           VALUES ($1, $2, $3, $4, $5, $6)
           ON CONFLICT (user_name, mechanism) DO UPDATE
             SET iterations = EXCLUDED.iterations, salt = EXCLUDED.salt, stored_key = EXCLUDED.stored_key,
                 server_key = EXCLUDED.server_key, updated_at = now()`,
          [u.userName, u.mechanism, u.iterations, u.salt, u.storedKey, u.serverKey],
        );
      }
      await notifyChange(client, { event: 'usersChanged', args: [] });
      return deleted;
    });
  }
}
