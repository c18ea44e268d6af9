import { defineConfig } from 'drizzle-kit';

// `npm run db:generate` writes the SQL for schema changes into migrations/ (committed).
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/storage/pg/schema.ts',
  out: './migrations',
  schemaFilter: ['kpg'],
  migrations: { schema: 'kpg', table: '__drizzle_migrations' },
});
