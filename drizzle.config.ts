import { defineConfig } from 'drizzle-kit';

/** drizzle-kit configuration: `npx drizzle-kit generate` writes the store's SQL migrations. */
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/store/schema.ts',
  out: './src/store/migrations',
});
