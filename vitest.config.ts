import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so the
    // files ran one after another (~12 min); two run at once. Three overloaded two cores (files ran
    // 2-3× slower and the real-time process tests missed their windows).
    maxWorkers: 2,
  },
});
