/**
 * The SQL source in src/storage/pg/sql: generated parts are current, applying it is idempotent and safe
 * when gateways start together, and the topic configs it resolves for SQL producers are the ones the
 * gateway computes from the same TypeScript definitions.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BrokerConfig } from '../../src/config/broker-config.js';
import {
  canonicalTopicConfigValue,
  effectiveTopicConfig,
  resolveTopicConfig,
  TOPIC_CONFIGS,
  type TopicConfigDefinition,
} from '../../src/config/topic-config.js';
import { applyMigrations, readSqlSource, sqlSourceDigest } from '../../src/storage/pg/migrate.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { insertTopic, sqlSession, useMigratedDatabase } from '../sql/support.js';
import { describeKpgSchema } from './catalog.js';
import { renderTopicConfigDefinitions, TOPIC_CONFIG_DEFINITIONS_FILE } from './topic-config-definitions.js';

describe('generated SQL', () => {
  it(`${TOPIC_CONFIG_DEFINITIONS_FILE} is current with src/config/topic-config.ts`, () => {
    const rendered = renderTopicConfigDefinitions();
    if (process.env.UPDATE_SQL) writeFileSync(TOPIC_CONFIG_DEFINITIONS_FILE, rendered);
    expect(readFileSync(TOPIC_CONFIG_DEFINITIONS_FILE, 'utf8'), 'stale: run npm run gen:sql').toBe(rendered);
  });
});

describe('applying the SQL source', () => {
  let database: TestDatabase;
  let db: pg.Client;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await db?.end();
    await database?.drop();
  });

  it('works for several gateways starting at once on a fresh database', async () => {
    await Promise.all([applyMigrations(database.url), applyMigrations(database.url), applyMigrations(database.url)]);
    db = await sqlSession(database.url);
    const { rows } = await db.query<{ digest: string }>('SELECT digest FROM kpg.sql_source');
    expect(rows).toEqual([{ digest: sqlSourceDigest(readSqlSource()) }]);
  });

  it('changes nothing when the database already holds this source', async () => {
    const before = await db.query<{ applied_at: Date }>('SELECT applied_at FROM kpg.sql_source');
    await applyMigrations(database.url);
    const after = await db.query<{ applied_at: Date }>('SELECT applied_at FROM kpg.sql_source');
    expect(after.rows).toEqual(before.rows);
  });

  it('is idempotent: applied again over itself, every object stays as it was', async () => {
    const before = await describeKpgSchema(db);
    await db.query("UPDATE kpg.sql_source SET digest = 'something older'");
    await applyMigrations(database.url);
    expect(await describeKpgSchema(db)).toEqual(before);
    const { rows } = await db.query<{ digest: string }>('SELECT digest FROM kpg.sql_source');
    expect(rows[0]!.digest).toBe(sqlSourceDigest(readSqlSource()));
  });
});

describe('topic configs in SQL', () => {
  const session = useMigratedDatabase();

  /** Values of a config's type as people write them: signs, spaces, capitals, list spacing. */
  function valueOf(type: string, name: string): fc.Arbitrary<string> {
    const spaced = (arb: fc.Arbitrary<string>) =>
      fc.tuple(fc.constantFrom('', ' ', '  '), arb, fc.constantFrom('', ' ')).map(([a, v, b]) => a + v + b);
    switch (type) {
      case 'int':
      case 'short':
        return spaced(fc.tuple(fc.constantFrom('', '+', '0'), fc.integer({ min: 0, max: 30_000 })).map(([p, n]) => p + n));
      case 'long':
        return spaced(fc.oneof(fc.integer({ min: -1, max: 2 ** 40 }).map(String), fc.constant('9223372036854775807')));
      case 'boolean':
        return spaced(fc.constantFrom('true', 'false', 'TRUE', 'False'));
      case 'list':
        return spaced(fc.constantFrom('delete', 'compact', 'compact,delete', 'compact , delete'));
      case 'double':
        return spaced(fc.constantFrom('0.5', '0.25', '1', '0.125', '0.001'));
      default:
        if (name.endsWith('timestamp.type')) return spaced(fc.constantFrom('CreateTime', 'LogAppendTime'));
        return spaced(fc.constantFrom('producer', 'gzip', 'zstd', 'uncompressed'));
    }
  }

  const brokerSynonyms = TOPIC_CONFIGS.flatMap((def) =>
    def.brokerSynonyms.map((s) => ({ name: s.name, type: s.factor ? 'int' : def.type, topicConfig: def.name })),
  );
  const settingsArb = fc.record({
    overrides: fc.subarray(TOPIC_CONFIGS as TopicConfigDefinition[]).chain((defs) =>
      fc.tuple(...defs.map((def) => valueOf(def.type, def.name).map((v) => [def.name, v] as const))),
    ),
    clusterDefaults: fc.subarray(brokerSynonyms).chain((synonyms) =>
      fc.tuple(...synonyms.map((s) => fc.option(valueOf(s.type, s.topicConfig), { nil: null, freq: 6 }).map((v) => [s.name, v] as const))),
    ),
  });

  it('parse values as config-def.ts does, trimming whitespace only', async () => {
    const cases: [string, string, string | null][] = [
      ['string', ' v ', 'v'], ['string', 'LogAppendTime\t', 'LogAppendTime'], ['int', '\v+007\n', '7'],
      ['int', '2147483648', null], ['long', '-9223372036854775808', '-9223372036854775808'], ['long', '1.5', null],
      ['boolean', ' TRUE', 'true'], ['boolean', 'yes', null], ['list', 'compact , delete', 'compact,delete'],
      ['double', '0.50', '0.5'], ['double', '1', '1'],
    ];
    const { rows } = await session.db.query<{ v: string | null }>(
      'SELECT kpg.canonical_config_value(t, r) AS v FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS u(t, r, n) ORDER BY n',
      [cases.map((c) => c[0]), cases.map((c) => c[1])],
    );
    expect(rows.map((r) => r.v)).toEqual(cases.map((c) => c[2]));
  });

  it('resolve as the gateway does from topic overrides and cluster-wide dynamic defaults', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(settingsArb, async ({ overrides, clusterDefaults }) => {
        const topicId = await insertTopic(session.db, `configs-${run++}`, 1, Object.fromEntries(overrides));
        await session.db.query('DELETE FROM kpg.broker_configs');
        for (const [name, value] of clusterDefaults) {
          await session.db.query('INSERT INTO kpg.broker_configs (broker_id, name, value) VALUES (-1, $1, $2) ON CONFLICT DO NOTHING', [name, value]);
        }
        const broker = new BrokerConfig(() => 1);
        broker.setDynamic(clusterDefaults.map(([name, value]) => ({ brokerId: -1, name, value })));
        const overrideMap = new Map(overrides);

        const { rows } = await session.db.query<{ name: string; value: string; source: string }>(
          'SELECT name, value, source FROM kpg.effective_topic_configs($1) ORDER BY name',
          [topicId],
        );
        expect(rows).toEqual(
          TOPIC_CONFIGS.map((def) => {
            const e = effectiveTopicConfig(def, overrideMap, broker);
            return { name: def.name, value: canonicalTopicConfigValue(def, e.value), source: e.source };
          }),
        );

        const resolved = resolveTopicConfig(overrideMap, broker);
        const settings = await session.db.query<{
          max_message_bytes: number;
          log_append_time: boolean;
          timestamp_before_max_ms: bigint;
          timestamp_after_max_ms: bigint;
        }>('SELECT * FROM kpg.sql_topic_settings($1)', [topicId]);
        expect(settings.rows[0]).toEqual({
          max_message_bytes: resolved.maxMessageBytes,
          log_append_time: resolved.timestampType === 'LogAppendTime',
          timestamp_before_max_ms: (BigInt(resolved.values.get('message.timestamp.before.max.ms')!.trim())),
          timestamp_after_max_ms: (BigInt(resolved.values.get('message.timestamp.after.max.ms')!.trim())),
        });
      }),
      { numRuns: 60 },
    );
  });
});
