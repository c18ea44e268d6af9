/**
 * A description of everything kpg keeps in its schema, as Postgres' catalog states it: tables and their
 * columns, sequences, indexes, constraints, functions with their source, settings and privileges, views,
 * triggers and composite types. Two databases with equal descriptions hold the same kpg objects.
 */
import type pg from 'pg';

const CATALOG_SQL = `
  SELECT 'relation' AS kind, c.relname AS name,
         c.relkind::text || ' ' || c.relpersistence::text || ' ' || coalesce(c.relacl::text, '') || ' ' ||
         coalesce((SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod) || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                                     || ' ' || a.attstorage::text || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), ''), ', ' ORDER BY a.attnum)
                     FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                    WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), '') AS definition
    FROM pg_class c WHERE c.relnamespace = 'kpg'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'S', 'c', 'u')
  UNION ALL
  SELECT 'view', c.relname, pg_get_viewdef(c.oid)
    FROM pg_class c WHERE c.relnamespace = 'kpg'::regnamespace AND c.relkind = 'v'
  UNION ALL
  SELECT 'sequence', c.relname, s.seqtypid::regtype || ' ' || s.seqstart || ' ' || s.seqincrement || ' ' || s.seqmin || ' ' || s.seqmax || ' ' || s.seqcycle::text
    FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid WHERE c.relnamespace = 'kpg'::regnamespace
  UNION ALL
  SELECT 'index', indexname, indexdef FROM pg_indexes WHERE schemaname = 'kpg'
  UNION ALL
  SELECT 'constraint', conrelid::regclass || ' ' || conname, pg_get_constraintdef(oid)
    FROM pg_constraint WHERE connamespace = 'kpg'::regnamespace
  UNION ALL
  SELECT 'function', p.oid::regprocedure::text, pg_get_functiondef(p.oid) || ' ' || coalesce(p.proacl::text, '')
    FROM pg_proc p WHERE p.pronamespace = 'kpg'::regnamespace AND p.prokind = 'f'
  UNION ALL
  SELECT 'trigger', c.relname || ' ' || t.tgname, pg_get_triggerdef(t.oid) || ' ' || t.tgenabled::text
    FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = 'kpg'::regnamespace AND NOT t.tgisinternal
  UNION ALL
  SELECT 'type', t.typname, t.typtype::text
    FROM pg_type t WHERE t.typnamespace = 'kpg'::regnamespace AND t.typtype IN ('c', 'e', 'd')
  ORDER BY 1, 2, 3`;

export interface CatalogEntry {
  kind: string;
  name: string;
  definition: string;
}

export async function describeKpgSchema(db: pg.Client): Promise<CatalogEntry[]> {
  const { rows } = await db.query<CatalogEntry>(CATALOG_SQL);
  return rows;
}
