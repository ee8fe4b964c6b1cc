/**
 * The two ways into whoami give one answer. Over a real socket (the lane sits in front of Fastify,
 * which `inject` goes around): a key's first whoami is Fastify's route, its next ones the fast lane,
 * and the two answers carry the same status, headers and body, the metric and the log line. Every
 * case the lane is not made for is declined and answered by the route, refusals included.
 */
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { Writable } from "node:stream";
import { errorBodySchema, type User, whoamiResponseSchema } from "@cogno/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../app.ts";
import { createLogger } from "../logging/logger.ts";
import { signedUpPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { KeyAuthenticator } from "./authenticator.ts";
import { createApiKey } from "./service.ts";
import { whoamiLane } from "./whoami.ts";

const WHOAMI = "/api/v1/worker/whoami";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

interface Setup {
  deps: TestDeps;
  owner: User;
  workspaceId: string;
  key(options?: { expiresAt?: string }): Promise<{ key: string; id: string }>;
}

async function setUp(settings: Record<string, string> = {}): Promise<Setup> {
  const deps = await createTestDeps(settings);
  cleanups.push(() => deps.cleanup());
  const owner = (await signedUpPerson(deps, "Owner")).user;
  const workspace = await createWorkspace(deps, owner.id, "Acme");
  return {
    deps,
    owner,
    workspaceId: workspace.id,
    async key(options = {}) {
      const created = await createApiKey(deps, {
        workspaceId: workspace.id,
        actor: owner,
        name: "runner",
        expiresAt: options.expiresAt ?? null,
      });
      return { key: created.key, id: created.apiKey.id };
    },
  };
}

/** The app listening on a port, with a count of the requests Fastify saw and the lines it logged. */
async function listen(
  setup: Setup,
): Promise<{ app: App; url: string; fastifyRequests: () => number; lines: unknown[] }> {
  const lines: unknown[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString("utf8")));
      done();
    },
  });
  const app = await createApp({ ...setup.deps, log: createLogger("info", sink) });
  let seen = 0;
  app.http.addHook("onRequest", (_request, _reply, done) => {
    seen += 1;
    done();
  });
  await app.http.listen({ port: 0, host: "127.0.0.1" });
  cleanups.push(() => app.shutDown());
  const { port } = app.http.server.address() as { port: number };
  return { app, url: `http://127.0.0.1:${port}`, fastifyRequests: () => seen, lines };
}

function whoami(url: string, key: string, headers: Record<string, string> = {}, path = WHOAMI) {
  return fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}`, ...headers } });
}

/** A response's headers, but the ones that differ on every answer. */
function stableHeaders(response: Response): Record<string, string> {
  const headers = Object.fromEntries(response.headers);
  delete headers.date;
  delete headers["x-request-id"];
  return headers;
}

const requestLines = (lines: unknown[]) =>
  lines.filter((line) => (line as { msg?: string }).msg === "request") as Record<string, unknown>[];

describe("whoami over a socket", () => {
  it("answers a key verified earlier in the fast lane, with what Fastify's route answers", async () => {
    const setup = await setUp();
    const server = await listen(setup);
    const { key, id } = await setup.key();

    const first = await whoami(server.url, key);
    expect(server.fastifyRequests()).toBe(1); // not in memory yet: the route verified it
    const second = await whoami(server.url, key);
    expect(server.fastifyRequests()).toBe(1); // the lane answered

    expect(second.status).toBe(200);
    expect(stableHeaders(second)).toEqual(stableHeaders(first));
    expect(stableHeaders(second)).toMatchObject({
      "content-type": "application/json; charset=utf-8",
      "x-content-type-options": "nosniff",
      "x-frame-options": "DENY",
    });
    const [firstBody, secondBody] = [await first.text(), await second.text()];
    expect(secondBody).toBe(firstBody);
    expect(whoamiResponseSchema.parse(JSON.parse(secondBody)).apiKey.id).toBe(id);
    const ids = [first.headers.get("x-request-id"), second.headers.get("x-request-id")];
    expect(ids[0]).toMatch(UUID);
    expect(ids[1]).toMatch(UUID);
    expect(ids[1]).not.toBe(ids[0]);

    // One request line each, naming its request, and both counted under the route's pattern.
    const logged = requestLines(server.lines);
    expect(logged.map(({ reqId, method, url, status }) => ({ reqId, method, url, status }))).toEqual([
      { reqId: ids[0], method: "GET", url: WHOAMI, status: 200 },
      { reqId: ids[1], method: "GET", url: WHOAMI, status: 200 },
    ]);
    const metrics = await server.app.metrics.registry.metrics();
    expect(metrics).toContain(`cogno_http_requests_total{method="GET",route="${WHOAMI}",status="200"} 2`);
    expect(metrics).toContain('cogno_key_authentications_total{result="ok"} 2');
  });

  it("keeps a sane incoming request id and replaces one that is not", async () => {
    const setup = await setUp();
    const server = await listen(setup);
    const { key } = await setup.key();
    await whoami(server.url, key);

    const kept = await whoami(server.url, key, { "x-request-id": "trace-1234.abc" });
    const replaced = await whoami(server.url, key, { "x-request-id": "has spaces" });
    expect(server.fastifyRequests()).toBe(1);
    expect(kept.headers.get("x-request-id")).toBe("trace-1234.abc");
    expect(replaced.headers.get("x-request-id")).toMatch(UUID);
  });

  it("leaves an expired key to the route, which refuses it", async () => {
    const setup = await setUp();
    const server = await listen(setup);
    const expiresAt = new Date(setup.deps.clock.now().getTime() + 60_000).toISOString();
    const { key } = await setup.key({ expiresAt });
    expect((await whoami(server.url, key)).status).toBe(200); // now in memory

    setup.deps.clock.advance(60_000);
    const refused = await whoami(server.url, key);
    expect(server.fastifyRequests()).toBe(2);
    expect(refused.status).toBe(401);
    expect(errorBodySchema.parse(await refused.json()).error.code).toBe("api_key_expired");
  });

  it("leaves an address over its failure limit to the route, which refuses it with 429", async () => {
    const setup = await setUp();
    const server = await listen(setup);
    const { key } = await setup.key();
    expect((await whoami(server.url, key)).status).toBe(200);
    // COGNO_AUTH_FAILURES_PER_MINUTE is 5 in tests: five guesses from this address use it up.
    for (let guess = 0; guess < 5; guess += 1) {
      expect((await whoami(server.url, `cogno_wk_guess${guess}`)).status).toBe(401);
    }
    const refused = await whoami(server.url, key);
    expect(refused.status).toBe(429);
    expect(server.fastifyRequests()).toBe(7);
  });

  it("leaves a query string, another method, or a response queued behind another to the route", async () => {
    const setup = await setUp();
    const server = await listen(setup);
    const { key } = await setup.key();
    await whoami(server.url, key);

    expect((await whoami(server.url, key, {}, `${WHOAMI}?verbose=1`)).status).toBe(200);
    expect(server.fastifyRequests()).toBe(2);
    const head = await fetch(`${server.url}${WHOAMI}`, {
      method: "HEAD",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(head.status).toBe(200);
    expect(server.fastifyRequests()).toBe(3);

    // Two requests in one write: the second's answer waits its turn behind the first.
    const { port } = new URL(server.url);
    const socket = connect(Number(port), "127.0.0.1");
    await once(socket, "connect");
    const request = `GET ${WHOAMI} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${key}\r\n\r\n`;
    let received = "";
    socket.on("data", (chunk: Buffer) => {
      received += chunk.toString("utf8");
    });
    socket.write(request + request);
    await expect.poll(() => received.match(/HTTP\/1\.1 200 OK/g)?.length ?? 0).toBe(2);
    socket.destroy();
    expect(server.fastifyRequests()).toBe(4); // the first went by the lane, the queued one by the route
  });

  it("records the address Fastify would: the forwarded one, behind a trusted proxy", async () => {
    const setup = await setUp({ COGNO_TRUST_PROXY: "127.0.0.1" });
    const server = await listen(setup);
    const { key, id } = await setup.key();
    const lastUsedIp = async () =>
      (
        await setup.deps.db
          .selectFrom("api_keys")
          .select("last_used_ip")
          .where("id", "=", id)
          .executeTakeFirstOrThrow()
      ).last_used_ip;

    await whoami(server.url, key, { "x-forwarded-for": "203.0.113.7" });
    await expect.poll(lastUsedIp).toBe("203.0.113.7");
    setup.deps.clock.advance(61_000); // a key's last use is written at most once a minute
    await whoami(server.url, key, { "x-forwarded-for": "198.51.100.9" });
    expect(server.fastifyRequests()).toBe(1);
    await expect.poll(lastUsedIp).toBe("198.51.100.9");
  });
});

describe("the whoami lane", () => {
  /** The lane alone in front of a server that answers 599 for whatever it declines. */
  async function laneServer(setup: Setup, options: { draining?: boolean } = {}) {
    const keys = new KeyAuthenticator({
      db: setup.deps.db,
      clock: setup.deps.clock,
      log: setup.deps.log,
      keyChanges: setup.deps.keyChanges,
      failuresPerMinute: 5,
    });
    const lane = whoamiLane({
      keys,
      clientAddress: (request) => request.socket.remoteAddress,
      draining: () => options.draining ?? false,
      https: false,
      observe: () => {},
      log: setup.deps.log,
    });
    const server: Server = createServer((request, response) => {
      if (lane(request, response)) return;
      response.writeHead(599).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    cleanups.push(async () => {
      server.closeAllConnections();
      server.close();
    });
    const { port } = server.address() as { port: number };
    return { keys, url: `http://127.0.0.1:${port}` };
  }

  it("declines a key it has not verified, a malformed header, a body, and a draining server", async () => {
    const setup = await setUp();
    const { key } = await setup.key();
    const open = await laneServer(setup);
    expect((await whoami(open.url, key)).status).toBe(599); // not in memory
    await open.keys.authenticate(`Bearer ${key}`, "127.0.0.1");
    expect((await whoami(open.url, key)).status).toBe(200);
    expect((await fetch(`${open.url}${WHOAMI}`, { headers: { authorization: key } })).status).toBe(599);
    expect((await fetch(`${open.url}${WHOAMI}`)).status).toBe(599);
    const withBody = await fetch(`${open.url}${WHOAMI}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body: "{}",
    });
    expect(withBody.status).toBe(599);

    const draining = await laneServer(setup, { draining: true });
    await draining.keys.authenticate(`Bearer ${key}`, "127.0.0.1");
    expect((await whoami(draining.url, key)).status).toBe(599);
  });

  it("declines a key once its revocation reached this process", async () => {
    const setup = await setUp();
    const { key, id } = await setup.key();
    const lane = await laneServer(setup);
    await lane.keys.authenticate(`Bearer ${key}`, "127.0.0.1");
    expect((await whoami(lane.url, key)).status).toBe(200);
    await setup.deps.keyChanges.announce({ seq: 1, keyIds: [id], change: "revoked", reason: "revoked" });
    expect((await whoami(lane.url, key)).status).toBe(599);
  });
});
