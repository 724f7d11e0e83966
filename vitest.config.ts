import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // Property and end-to-end tests spawn the CLI and run thousands of cases;
    // generous timeouts keep a busy two-core machine from flaking them.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
