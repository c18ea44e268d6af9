-- Record batches are stored out of line without TOAST compression. Producers' data is usually already
-- compressed by them or random-looking, and pglz spends more CPU trying (measured: 2.8 ms against 1.0 ms
-- per 100 KB batch of incompressible records) than it saves. Where disk matters more than CPU:
--   ALTER TABLE kpg.record_batches ALTER COLUMN batch SET STORAGE EXTENDED;
-- (and on Postgres built with lz4, ALTER COLUMN batch SET COMPRESSION lz4 makes that much cheaper).
ALTER TABLE kpg.record_batches ALTER COLUMN batch SET STORAGE EXTERNAL;
