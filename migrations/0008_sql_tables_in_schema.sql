-- Brings drizzle's snapshot (meta/0008_snapshot.json) up to the full schema: the tables and sequences of
-- producing from SQL (kpg.sql_outbox, kpg.sql_outbox_relay, kpg.sql_produced, kpg.sql_record_ids,
-- kpg.sql_keyless_partition) were created by hand-written SQL in 0005_sql_streams.sql, which drizzle never
-- saw, and are now declared in src/storage/pg/schema.ts. drizzle-kit generated CREATE statements for them
-- here; every database reaches this migration with 0005 applied, so they already exist exactly as declared
-- and this migration changes nothing. (0005 also made kpg.sql_outbox UNLOGGED and stored its body without
-- compression, which drizzle cannot express.)
SELECT 1;
