import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, mostly waiting on real processes and real-time epochs, first: with
 * two workers the rest fill the other worker meanwhile. Without this a fresh clone (no vitest cache
 * of durations) ran them last, by file size, and the run ended with one worker idle.
 */
const SLOW_FIRST = [
  'packages/node/test/crash.test.ts',
  'packages/node/src/cli/cli.test.ts',
  'packages/node/test/sim-e2e.test.ts',
  'packages/node/test/scale-out.test.ts',
  'packages/node/test/kill-ingest.test.ts',
  'packages/contracts/test/contracts.test.ts',
  'packages/web/test/dashboard.test.ts',
];

class SlowFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((p) => f.moduleId.endsWith(p));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    const sorted = await super.sort(files);
    return sorted
      .map((f, i) => ({ f, i }))
      .sort((a, b) => rank(a.f) - rank(b.f) || a.i - b.i)
      .map((x) => x.f);
  }
}

export default defineConfig({
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // vitest's default is one worker fewer than the cores: one worker on a 2-core machine, so the
    // files ran one after another (~12 min); two run at once. Three overloaded two cores (files ran
    // 2-3× slower and the real-time process tests missed their windows).
    maxWorkers: 2,
    sequence: { sequencer: SlowFirst },
  },
});
