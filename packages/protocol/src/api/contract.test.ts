import { describe, expect, it } from "vitest";
import { z } from "zod";
import { registerMessageSchema } from "../worker/messages.ts";
import { createApiKeyBodySchema, signupBodySchema } from "./requests.ts";
import { routes } from "./routes.ts";
import { escapeControlCharacters, stripControlCharacters } from "./text.ts";

describe("client text", () => {
  it("regression: strips the controls that retitle a terminal, clear it, or write its clipboard", () => {
    const hostile = "box\u001b]0;owned\u0007\u001b[2J\u001b]52;c;ZWNobyBoaQ==\u0007\u009b31m\u202etxt.exe";
    expect(stripControlCharacters(hostile)).toBe("box]0;owned[2J]52;c;ZWNobyBoaQ==31mtxt.exe");
    expect(escapeControlCharacters("a\u001bb")).toBe("a\\u001bb");
  });

  it("strips controls from names before checking their length, and refuses a name of controls only", () => {
    expect(createApiKeyBodySchema.parse({ name: " ci\u0000-worker\n " }).name).toBe("ci-worker");
    expect(createApiKeyBodySchema.safeParse({ name: "\u0007\u0008" }).success).toBe(false);
    expect(createApiKeyBodySchema.safeParse({ name: "x".repeat(101) }).success).toBe(false);
  });

  it("regression: a NUL in a WebSocket register is stripped like any control, never stored", () => {
    const parsed = registerMessageSchema.parse({
      type: "register",
      machineId: "m\u00001",
      name: "n",
      hostname: "h\u0000",
      os: "linux",
      arch: "x64",
      version: "1.0.0",
    });
    expect(parsed.machineId).toBe("m1");
    expect(parsed.hostname).toBe("h");
  });
});

describe("sign-up", () => {
  it("regression: refuses an email over 254 characters (bus payloads stay small)", () => {
    const long = `${"a".repeat(64)}@${"b".repeat(186)}.com`;
    expect(long.length).toBe(255);
    const result = signupBodySchema.safeParse({ email: long, password: "long enough", name: "A" });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe("email must be at most 254 characters");
  });
});

describe("the route table", () => {
  it("names every route once, by method and path", () => {
    const seen = Object.values(routes).map((route) => `${route.method} ${route.path}`);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("turns every request and response schema into JSON Schema", () => {
    for (const [name, route] of Object.entries(routes)) {
      const parts: z.ZodType[] = [];
      if ("params" in route && route.params) parts.push(route.params);
      if ("query" in route && route.query) parts.push(route.query);
      if ("body" in route && route.body) parts.push(route.body);
      for (const part of parts) expect(() => z.toJSONSchema(part, { io: "input" }), name).not.toThrow();
      for (const response of Object.values(route.responses)) {
        if (response instanceof z.ZodType) expect(() => z.toJSONSchema(response), name).not.toThrow();
      }
    }
  });
});
