import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Both cores: most tests wait on child processes and servers, not on the CPU.
    maxWorkers: 2,
    minWorkers: 1,
  },
});
