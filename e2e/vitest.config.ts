import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

// End-to-end tests start real processes; they share two cores, so files run a few at a time.
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    include: ["e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
