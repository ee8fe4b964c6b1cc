/**
 * Request ids (API.md "Operations, v1.1"): the header on every response, `error.requestId` in the
 * error body, and `reqId` on the request's log lines, all the same id.
 */
import { connect } from "node:net";
import { Writable } from "node:stream";
import { errorBodySchema } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createApiKey } from "../apikeys/service.ts";
import { type App, createApp } from "../app.ts";
import { createLogger } from "../logging/logger.ts";
import { signedUpPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps, withBuiltWebApp } from "../testing/test-deps.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let deps: TestDeps;
let app: App;
let logLines: Record<string, unknown>[];

beforeEach(async () => {
  deps = await createTestDeps();
  logLines = [];
  const capture = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) logLines.push(JSON.parse(line));
      done();
    },
  });
  app = await createApp({ ...deps, log: createLogger("info", capture) });
  await app.http.ready();
});

afterEach(async () => {
  await app.shutDown();
  await deps.cleanup();
});

const get = (url: string, headers: Record<string, string> = {}) =>
  app.http.inject({ method: "GET", url, headers });

describe("x-request-id", () => {
  it("is a new UUID on each response when none is sent", async () => {
    const first = await get("/healthz");
    const second = await get("/healthz");
    expect(first.headers["x-request-id"]).toMatch(UUID);
    expect(second.headers["x-request-id"]).toMatch(UUID);
    expect(first.headers["x-request-id"]).not.toBe(second.headers["x-request-id"]);
  });

  it("keeps a sane incoming id and replaces one that is too long or could forge a log line", async () => {
    const kept = await get("/healthz", { "x-request-id": "Root=1-5759e988-bd862e3fe1be46a9" });
    expect(kept.headers["x-request-id"]).toBe("Root=1-5759e988-bd862e3fe1be46a9");
    for (const insane of ["a".repeat(129), "two words", 'x","msg":"ready', "\u001b[2J"]) {
      const replaced = await get("/healthz", { "x-request-id": insane });
      expect(replaced.headers["x-request-id"]).toMatch(UUID);
    }
  });

  it("is in the error body as error.requestId, for errors of routes, of validation and of the router", async () => {
    const answers = [
      await get("/api/v1/me"), // 401 from a route
      await get("/api/v1/nowhere"), // 404, no such route
      await get("/api/v1/workspaces/wsp_1/members?limit=0", { "x-request-id": "trace-42" }),
      await get("/api/v1/invitations/%zz"), // 400 from the router: a bad percent-escape
    ];
    expect(answers.map((answer) => answer.statusCode)).toEqual([401, 404, 400, 400]);
    for (const answer of answers) {
      const body = errorBodySchema.parse(answer.json());
      expect(body.error.requestId).toBeDefined();
      expect(body.error.requestId).toBe(answer.headers["x-request-id"]);
    }
    expect(answers[2]?.json().error.requestId).toBe("trace-42");
  });

  it("names the request on its log lines as reqId", async () => {
    const answer = await get("/api/v1/me", { "x-request-id": "find-me-in-the-log" });
    const lines = logLines.filter((line) => line.reqId === "find-me-in-the-log");
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.some((line) => line.msg === "request" && line.status === 401)).toBe(true);
    expect(answer.headers["x-request-id"]).toBe("find-me-in-the-log");
  });

  it("is on answers written outside Fastify's reply: the event stream, and a request that is not HTTP", async () => {
    const url = await app.http.listen({ host: "127.0.0.1", port: 0 });
    const owner = await signedUpPerson(deps, "Olivia");
    const created = await app.http.inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { cookie: owner.cookie },
      payload: { name: "Acme" },
    });
    const workspaceId = created.json().workspace.id;
    const abort = new AbortController();
    const stream = await fetch(`${url}/api/v1/workspaces/${workspaceId}/events`, {
      headers: { cookie: owner.cookie, "x-request-id": "stream-1" },
      signal: abort.signal,
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get("x-request-id")).toBe("stream-1");
    abort.abort();

    const { port } = new URL(url);
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
      let text = "";
      socket.on("data", (data) => {
        text += data.toString();
      });
      socket.on("close", () => resolve(text));
      socket.on("error", reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400/);
    const id = raw.match(/^x-request-id: (\S+)\r$/m)?.[1];
    expect(id).toMatch(UUID);
    expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)).error.requestId).toBe(id);
  });

  it("is on the 101 that opens a worker's WebSocket", async () => {
    const url = await app.http.listen({ host: "127.0.0.1", port: 0 });
    const owner = await signedUpPerson(deps, "Olivia");
    const created = await app.http.inject({
      method: "POST",
      url: "/api/v1/workspaces",
      headers: { cookie: owner.cookie },
      payload: { name: "Acme" },
    });
    const { key } = await createApiKey(deps, {
      workspaceId: created.json().workspace.id,
      actor: owner.user,
      name: "laptop",
    });
    const socket = new WebSocket(`${url.replace(/^http/, "ws")}/api/v1/worker/connect`, {
      headers: { authorization: `Bearer ${key}`, "x-request-id": "upgrade-7" },
    });
    const upgraded = await new Promise<string | string[] | undefined>((resolve, reject) => {
      socket.once("upgrade", (response) => resolve(response.headers["x-request-id"]));
      socket.once("error", reject);
    });
    socket.terminate();
    expect(upgraded).toBe("upgrade-7");
  });

  it("is on the web app's files and pages, which are streamed from disk", async () => {
    const withWeb = await createApp(withBuiltWebApp(deps));
    try {
      const asset = await withWeb.http.inject({ method: "GET", url: "/assets/app.js" });
      const page = await withWeb.http.inject({ method: "GET", url: "/settings/api-keys" });
      expect([asset.statusCode, page.statusCode]).toEqual([200, 200]);
      expect(page.body).toContain("<title>Cogno</title>");
      expect(asset.headers["x-request-id"]).toMatch(UUID);
      expect(page.headers["x-request-id"]).toMatch(UUID);
    } finally {
      await withWeb.shutDown();
    }
  });
});
