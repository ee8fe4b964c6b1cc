import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";
import { sharedWorkers } from "../vitest.shared.ts";

// End-to-end tests start real processes; they share two cores, so files run two at a time (three
// took longer here than two: the browser tests compute).
export default defineConfig({
  root: fileURLToPath(new URL("..", import.meta.url)),
  test: {
    ...sharedWorkers,
    include: ["e2e/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    maxWorkers: 2,
  },
});
