// tsc compiles src/ to dist/ but copies no .sql files: this puts the SQL source that runs inside Postgres
// (src/storage/pg/sql) beside its loader in dist/, replacing what an earlier build left there.
import { cpSync, rmSync } from 'node:fs';

const from = new URL('../src/storage/pg/sql/', import.meta.url);
const to = new URL('../dist/storage/pg/sql/', import.meta.url);
rmSync(to, { recursive: true, force: true });
cpSync(from, to, { recursive: true, filter: (source) => !/\.(?!sql$)[^/]+$/.test(source) });
