import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'data/**'],
    // Budgets for a loaded 2-core machine (issue #10): tests wait for barriers, not sleeps, so a
    // generous budget costs nothing when all is well and saves a red run when the box is busy.
    testTimeout: 180_000,
    hookTimeout: 300_000,
    // Database and broker tests start real PGlite/Aedes instances: 2 cores, keep it modest.
    pool: 'forks',
    maxWorkers: 2,
  },
});
