import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.prop.ts', 'src/**/*.test.ts'],
    setupFiles: ['properties/setup.ts'],
    testTimeout: 60_000,
    // Property suites are CPU-bound; two cores → two workers. Files share a
    // worker's module cache (isolate: false): nothing in the suite mutates
    // globals (no mocks, env or cwd changes; setup.ts only sets fast-check's
    // seed), and re-importing src/ per file cost ~30 s of a ~28 s run's CPU.
    pool: 'forks',
    isolate: false,
    maxWorkers: 2,
  },
});
