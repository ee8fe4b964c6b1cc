import { routes } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ENDPOINTS } from "./endpoints.ts";

describe("the paths the CLI calls", () => {
  it("are the contract's paths", () => {
    for (const [name, path] of Object.entries(ENDPOINTS)) {
      const route = Object.entries(routes).find(([routeName]) => routeName === name)?.[1];
      expect(route?.path, name).toBe(path);
    }
  });
});
