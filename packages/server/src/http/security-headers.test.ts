/**
 * Security headers: a page of the web app carries the set a document needs, an answer of the JSON
 * API the set OWASP lists for one; both forbid framing and sniffing. Over HTTPS, both carry HSTS.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createApiKey } from "../apikeys/service.ts";
import { type App, createApp } from "../app.ts";
import { signedUpPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps, withBuiltWebApp } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { isApiUrl } from "./api-url.ts";
import { securityHeaders } from "./security-headers.ts";

const SECURITY_HEADER_NAMES = [
  "x-content-type-options",
  "x-frame-options",
  "content-security-policy",
  "referrer-policy",
  "cross-origin-opener-policy",
  "strict-transport-security",
];

/** The security headers a response carries, by name. */
function securityHeadersOf(headers: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    SECURITY_HEADER_NAMES.filter((name) => name in headers).map((name) => [name, headers[name]]),
  );
}

const PAGE = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": expect.stringMatching(
    /^default-src 'self'; script-src 'self';.*frame-ancestors 'none'/,
  ),
  "referrer-policy": "same-origin",
  "cross-origin-opener-policy": "same-origin",
};
const API = {
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "content-security-policy": "default-src 'none'; frame-ancestors 'none'",
};

let deps: TestDeps;
let app: App;

beforeEach(async () => {
  deps = await createTestDeps();
  app = await createApp(withBuiltWebApp(deps));
  await app.http.ready();
});

afterEach(async () => {
  await app.shutDown();
  await deps.cleanup();
});

describe("security headers", () => {
  it("give a page, a client route and a file of the web app the set a document needs", async () => {
    for (const url of ["/", "/settings/api-keys", "/assets/app.js", "/%61pi/v1/unknown"]) {
      const response = await app.http.inject({ method: "GET", url });
      expect([url, response.statusCode]).toEqual([url, 200]);
      expect(securityHeadersOf(response.headers)).toEqual(PAGE);
    }
  });

  it("give every answer of the JSON API the API set: successes, refusals and unknown routes", async () => {
    const owner = (await signedUpPerson(deps, "Owner")).user;
    const workspace = await createWorkspace(deps, owner.id, "Acme");
    const { key } = await createApiKey(deps, { workspaceId: workspace.id, actor: owner, name: "laptop" });
    const answers = [
      await app.http.inject({
        method: "GET",
        url: "/api/v1/worker/whoami",
        headers: { authorization: `Bearer ${key}` },
      }),
      await app.http.inject({
        method: "GET",
        url: "/api/v1/worker/whoami",
        headers: { authorization: "Bearer nope" },
      }),
      await app.http.inject({ method: "GET", url: "/api/v1/no-such-route" }),
      await app.http.inject({ method: "GET", url: "/api" }),
      await app.http.inject({ method: "GET", url: "/api?next=1" }),
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 401, 404, 404, 404]);
    for (const answer of answers) {
      expect(answer.headers["content-type"]).toMatch(/^application\/json/);
      expect(securityHeadersOf(answer.headers)).toEqual(API);
    }
  });
});

describe("securityHeaders", () => {
  it("adds HSTS to both sets over HTTPS, and only there", () => {
    const hsts = ["strict-transport-security", "max-age=31536000"];
    const overHttps = securityHeaders(true);
    const overHttp = securityHeaders(false);
    expect(overHttps.page).toContainEqual(hsts);
    expect(overHttps.api).toContainEqual(hsts);
    expect([...overHttp.page, ...overHttp.api]).not.toContainEqual(hsts);
  });
});

describe("isApiUrl", () => {
  it("is true for the API's paths as sent, with or without a query, and for nothing else", () => {
    expect(["/api", "/api/", "/api/v1/worker/whoami", "/api?x=1"].map(isApiUrl)).toEqual([
      true,
      true,
      true,
      true,
    ]);
    expect(["/", "/apis", "/api-keys", "/settings/api", "/%61pi/v1"].map(isApiUrl)).toEqual([
      false,
      false,
      false,
      false,
      false,
    ]);
  });
});
