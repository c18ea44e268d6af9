// tsc compiles src/ to dist/ but copies nothing else: this puts the SQL source that runs inside Postgres
// (src/storage/pg/sql) beside its loader in dist/, and the web console's static pages (src/console/ui)
// beside its server, replacing what an earlier build left there.
import { cpSync, mkdirSync, rmSync } from 'node:fs';

const copies = [
  { from: '../src/storage/pg/sql/', to: '../dist/storage/pg/sql/', keep: (source) => !/\.(?!sql$)[^/]+$/.test(source) },
  { from: '../src/console/ui/', to: '../dist/console/ui/', keep: () => true },
];
for (const { from, to, keep } of copies) {
  const target = new URL(to, import.meta.url);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(target, { recursive: true });
  cpSync(new URL(from, import.meta.url), target, { recursive: true, filter: keep });
}
