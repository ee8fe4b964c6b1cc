import { defineConfig } from "vitest/config";
import { unitTestOptions } from "../../vitest.shared.ts";

export default defineConfig({
  test: { ...unitTestOptions, globalSetup: ["src/testing/unit-run-setup.ts"] },
});
