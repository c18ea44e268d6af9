-- A group id is unique. A unique btree index cannot hold ids longer than about 2.7 kB, and Kafka allows
-- 32767 bytes, so uniqueness is a hash exclusion constraint (its hash index also serves lookups by id).
ALTER TABLE "kpg"."groups" ADD CONSTRAINT "groups_group_id_unique" EXCLUDE USING hash ("group_id" WITH =);
