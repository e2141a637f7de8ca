import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'test-support/**/*.test.ts',
      'bench/**/*.test.ts',
      'adversarial/**/*.test.ts',
    ],
    // Generous: many tests run real git, bubblewrap, test suites and browsers on 2 shared cores.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    reporters: ['default', './test-support/plain-summary-reporter.ts'],
  },
});
