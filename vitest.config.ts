import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so the
    // files ran one after another. The longest files mostly wait on the wall clock (real processes
    // waiting for a one-minute epoch to end), so three workers overlap that waiting with work.
    maxWorkers: 3,
  },
});
