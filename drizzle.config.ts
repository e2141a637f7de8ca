import { defineConfig } from 'drizzle-kit';

/** drizzle-kit configuration: `npx drizzle-kit generate` writes the store's SQL migrations. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/run/store/schema.ts',
  out: './src/run/store/migrations',
});
