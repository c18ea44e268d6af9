/**
 * Renders src/storage/pg/sql/40-topic-config-definitions.sql from the TypeScript topic config table, so
 * Kafka's defaults and broker synonyms are written down once (src/config/topic-config.ts). The test beside
 * it fails when the committed file is stale; `npm run gen:sql` rewrites it.
 */
import { TOPIC_CONFIGS } from '../../src/config/topic-config.js';

export const TOPIC_CONFIG_DEFINITIONS_FILE = 'src/storage/pg/sql/40-topic-config-definitions.sql';

const literal = (text: string): string => `'${text.replaceAll("'", "''")}'`;

const arrayLiteral = (elements: string[]): string => literal(`{${elements.join(',')}}`);

export function renderTopicConfigDefinitions(): string {
  // Arrays as literals, which Postgres parses once into constants (ARRAY[...] would be built for every row
  // on every call, and kpg.produce resolves configs for every record).
  const rows = TOPIC_CONFIGS.map((def) => {
    const synonyms = arrayLiteral(def.brokerSynonyms.map((s) => `"${s.name}"`));
    const factors = arrayLiteral(def.brokerSynonyms.map((s) => (s.factor === undefined ? 'NULL' : String(s.factor))));
    return `    (${literal(def.name)}, ${literal(def.type)}, ${literal(def.defaultValue)}, ${synonyms}::text[], ${factors}::bigint[])`;
  });
  return `-- GENERATED from TOPIC_CONFIGS in src/config/topic-config.ts by test/storage/topic-config-definitions.ts;
-- do not edit. After changing a topic config's type, default or broker synonyms there, run
-- \`npm run gen:sql\` (test/storage/sql-source.test.ts fails while this file is stale).

-- Kafka's topic configs: type, default, and the broker configs that supply the default in precedence order,
-- each with the factor converting its value into the topic config's unit (NULL: same unit and type).
CREATE OR REPLACE FUNCTION kpg.topic_config_definitions()
RETURNS TABLE (name text, type text, default_value text, broker_synonyms text[], synonym_factors bigint[])
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
  VALUES
${rows.join(',\n')}
$$;
`;
}
