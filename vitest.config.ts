import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['properties/**/*.prop.ts', 'src/**/*.test.ts'],
    setupFiles: ['properties/setup.ts'],
    testTimeout: 60_000,
    // Property suites are CPU-bound; two cores → two workers.
    pool: 'forks',
    maxWorkers: 2,
  },
});
