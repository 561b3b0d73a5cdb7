import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Database and broker tests start real PGlite/Aedes instances: 2 cores, keep it modest.
    pool: 'forks',
    maxWorkers: 2,
  },
});
