import { defineConfig } from "vitest/config";

// One config for the whole suite. Integration tests start real servers through
// test/fixtures; the long numeric tests are sized to stay well under CI's budget.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    maxWorkers: 2,
  },
});
