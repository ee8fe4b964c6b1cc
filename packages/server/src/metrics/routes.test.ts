/** GET /metrics in-process: who may read it (API.md "Operations, v1.1") and what the HTTP hook counts. */
import { afterEach, describe, expect, it } from "vitest";
import { startTestApp, type TestApp } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";

const TOKEN = "metrics-token-0123456789";
let deps: TestDeps;
let http: TestApp;

afterEach(async () => {
  await http.close();
  await deps.cleanup();
});

async function start(settings: Record<string, string>) {
  deps = await createTestDeps(settings);
  http = await startTestApp(deps);
}

describe("GET /metrics", () => {
  it("answers 404 with the error body when COGNO_METRICS_TOKEN is not set, even with a token", async () => {
    await start({});
    const response = await http.call("GET", "/metrics", { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe("not_found");
  });

  it("answers 401 unauthenticated without the token and with another one", async () => {
    await start({ COGNO_METRICS_TOKEN: TOKEN });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await http.call("GET", "/metrics", { headers });
      expect(response.statusCode).toBe(401);
      expect(response.json().error.code).toBe("unauthenticated");
      expect(response.body).not.toContain(TOKEN);
    }
  });

  it("answers Prometheus text with the token, counting requests by route pattern, never by URL", async () => {
    await start({ COGNO_METRICS_TOKEN: TOKEN });
    await http.call("GET", "/api/v1/workspaces/wsp_secretish/members");
    await http.call("GET", "/healthz");
    const response = await http.call("GET", "/metrics", { headers: { authorization: `bearer ${TOKEN}` } });
    expect(response.statusCode).toBe(200);
    expect(response.headers["content-type"]).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain(
      'cogno_http_requests_total{method="GET",route="/api/v1/workspaces/:workspaceId/members",status="401"} 1',
    );
    expect(response.body).toContain(
      'cogno_http_requests_total{method="GET",route="/healthz",status="200"} 1',
    );
    expect(response.body).not.toContain("wsp_secretish");
    expect(response.body).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(response.body).toMatch(/^cogno_workers_connected 0$/m);
    expect(response.body).toContain("# TYPE cogno_bus_lag_seconds histogram");
    expect(response.body).toContain("# TYPE cogno_key_change_fanout_seconds histogram");
  });
});
