import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // Tests load the built package (dist/), exactly what users get.
    testTimeout: 60_000,
    pool: "forks",
  },
});
