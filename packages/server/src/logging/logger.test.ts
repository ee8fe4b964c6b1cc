import { Writable } from "node:stream";
import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { createLogger, sanitizeUrl } from "./logger.ts";

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe("createLogger", () => {
  it("never writes a raw key, a cookie, a password or an authorization header", () => {
    const { lines, stream } = capture();
    const log = createLogger("info", stream);
    const key = generateApiKey();
    log.info(
      { req: { headers: { authorization: `Bearer ${key}`, cookie: "cogno_session=secret-session" } } },
      "req",
    );
    log.info({ password: "hunter22hunter22", body: { name: `my key ${key}` } }, `message with ${key}`);
    const output = lines.join("");
    expect(output).not.toContain(key);
    expect(output).not.toContain("secret-session");
    expect(output).not.toContain("hunter22");
    expect(output).toContain(`${key.slice(0, 17)}…`);
  });

  it("regression: cuts invitation tokens out of API and page URLs, and drops page queries", () => {
    expect(sanitizeUrl("/api/v1/invitations/abcDEF123_-/accept")).toBe(
      "/api/v1/invitations/[redacted]/accept",
    );
    expect(sanitizeUrl("/invite/abcDEF123_-")).toBe("/invite/[redacted]");
    expect(sanitizeUrl("/sign-in?next=%2Finvite%2FabcDEF123")).toBe("/sign-in?[dropped]");
    expect(sanitizeUrl("/api/v1/workspaces/wsp_1/api-keys?state=all")).toBe(
      "/api/v1/workspaces/wsp_1/api-keys?state=all",
    );
  });
});
