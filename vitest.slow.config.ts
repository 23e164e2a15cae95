import { defineConfig } from 'vitest/config';

/**
 * Tests that run in real time for minutes (`npm run test:slow`, run by .ci/run after `npm test`):
 * kept out of `npm test` so that it stays near its time budget.
 */
export default defineConfig({
  test: {
    include: ['packages/*/test/**/*.slow.ts'],
    testTimeout: 600_000,
    hookTimeout: 60_000,
  },
});
