import { Writable } from "node:stream";
import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { createLogger, requestLogger, sanitizeUrl } from "./logger.ts";

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

  it("regression: a percent-encoded invitation path or key was logged in the clear; now redacted after decoding", () => {
    const key = generateApiKey();
    const token = "abcDEF123_-xyz";
    const percentEncoded = (text: string) =>
      [...text].map((character) => `%${character.charCodeAt(0).toString(16).padStart(2, "0")}`).join("");
    const cases = [
      `/%69nvitations/${token}/accept`,
      `/api/v1/%69nvitations/${token}/accept`,
      `/api/v1/invitations/${percentEncoded(token)}/accept`,
      // Encoded twice: the router decodes once and answers 404, but the line is still written.
      `/api/v1/%2569nvitations/${token}/accept`,
      `/%2569nvite/${token}`,
      `/api/v1/workspaces/wsp_1/api-keys?x=${key.replace(/_/g, "%5F")}`,
      `/api/v1/workspaces/wsp_1/api-keys?x=${key.replace(/_/g, "%255F")}`,
      `/api/v1/workspaces/wsp_1/api-keys?x=${percentEncoded(key)}`,
      `/api/v1/${key.replace(/_/g, "%5F")}`,
    ];
    for (const url of cases) {
      const logged = sanitizeUrl(url);
      expect(logged, url).not.toContain(token);
      expect(logged, url).not.toContain(key.slice(17));
      expect(logged, url).not.toContain(percentEncoded(key.slice(17, 30)));
    }
    expect(sanitizeUrl(`/%69nvitations/${token}/accept`)).toBe("/invitations/[redacted]/accept");
    expect(sanitizeUrl(`/api/v1/workspaces/wsp_1/api-keys?x=${key.replace(/_/g, "%5F")}`)).toBe(
      `/api/v1/workspaces/wsp_1/api-keys?x=${key.slice(0, 17)}…`,
    );
  });

  it("decodes what it logs without letting control characters through", () => {
    expect(sanitizeUrl("/api/v1/a%1b%5b2J%0d%0ab")).toBe("/api/v1/a%1B[2J%0D%0Ab");
    expect(sanitizeUrl("/api/v1/%zz/%E0%A4")).toBe("/api/v1/%zz/%E0%A4");
    expect(sanitizeUrl("/api/v1/caf%C3%A9")).toBe("/api/v1/caf%C3%A9");
  });
});

describe("requestLogger", () => {
  it("gives a request a child that names it on every line, with a level set per route too", () => {
    const { lines, stream } = capture();
    const log = createLogger("info", stream);
    requestLogger(log, { reqId: "req-1" }, {}).info("hello");
    requestLogger(log, { reqId: "req-2" }, { level: "debug" }).debug("detail");
    expect(lines.map((line) => JSON.parse(line).reqId)).toEqual(["req-1", "req-2"]);
  });

  it("serves the server's own logger when no line is ever written, and that writes nothing", () => {
    const { lines, stream } = capture();
    const log = createLogger("silent", stream);
    const child = requestLogger(log, { reqId: "req-1" }, {});
    expect(child).toBe(log);
    child.fatal("nothing");
    expect(lines).toEqual([]);
  });
});
