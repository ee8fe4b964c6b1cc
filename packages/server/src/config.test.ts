import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "./config.ts";

const defaults = { webDir: "/srv/web", isTerminal: false };

describe("parseConfig", () => {
  it("has the documented defaults", () => {
    const config = parseConfig({}, defaults);
    expect(config).toMatchObject({
      host: "127.0.0.1",
      port: 8080,
      heartbeatIntervalMs: 15_000,
      databaseUrl: undefined,
      trustProxy: false,
      logFormat: "json",
      authFailuresPerMinute: 20,
      signupsPerMinute: 10,
    });
  });

  it("regression: trusts a number of proxy hops, never every hop (a client writes the left of X-Forwarded-For)", () => {
    expect(parseConfig({ COGNO_TRUST_PROXY: "true" }, defaults).trustProxy).toBe(1);
    expect(parseConfig({ COGNO_TRUST_PROXY: "2" }, defaults).trustProxy).toBe(2);
    expect(parseConfig({ COGNO_TRUST_PROXY: "10.0.0.1, 10.0.0.0/8" }, defaults).trustProxy).toEqual([
      "10.0.0.1",
      "10.0.0.0/8",
    ]);
  });

  it("names the setting a person must fix", () => {
    expect(() => parseConfig({ COGNO_PORT: "eighty" }, defaults)).toThrow(ConfigError);
    expect(() => parseConfig({ COGNO_PORT: "eighty" }, defaults)).toThrow(/COGNO_PORT/);
    expect(() => parseConfig({ COGNO_DATABASE_URL: "mysql://x" }, defaults)).toThrow(/COGNO_DATABASE_URL/);
    expect(() => parseConfig({ COGNO_TRUST_PROXY: "yes please" }, defaults)).toThrow(/COGNO_TRUST_PROXY/);
    expect(() => parseConfig({ COGNO_SIGNUPS_PER_MINUTE: "0" }, defaults)).toThrow(
      /COGNO_SIGNUPS_PER_MINUTE/,
    );
  });
});
