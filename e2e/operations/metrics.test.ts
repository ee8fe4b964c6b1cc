/**
 * GET /metrics on a real server process: after real traffic (a registered worker on a real socket,
 * bearer checks with good, malformed, unknown and revoked keys, a revocation), the counters say
 * exactly what happened.
 */
import { generateApiKey } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, bearer, createKey, signUpWithWorkspace } from "../support/api.ts";
import { useServer } from "../support/server.ts";
import { connectRegistered } from "../support/worker-socket.ts";

const TOKEN = "e2e-metrics-token-0123456789";
const fixture = useServer({ COGNO_METRICS_TOKEN: TOKEN });

/** The value of one sample of the Prometheus text, or undefined when the series is absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("GET /metrics", () => {
  it("counts real traffic: workers connected, authentications by result, fan-out, requests by route", async () => {
    const url = fixture.server.url;
    const anyone = new ApiClient(url);
    expect((await anyone.get("/metrics")).status).toBe(401);

    const owner = await signUpWithWorkspace(url);
    const kept = await createKey(owner, "kept");
    const doomed = await createKey(owner, "doomed");
    const worker = await connectRegistered(url, kept.key, "machine-1");

    expect((await anyone.request("GET", "/api/v1/worker/whoami", undefined, bearer(kept.key))).status).toBe(
      200,
    );
    expect((await anyone.request("GET", "/api/v1/worker/whoami", undefined, bearer("nope"))).status).toBe(
      401,
    );
    const unknown = generateApiKey();
    expect((await anyone.request("GET", "/api/v1/worker/whoami", undefined, bearer(unknown))).status).toBe(
      401,
    );
    const revoked = await owner.client.request(
      "DELETE",
      `/api/v1/workspaces/${owner.workspaceId}/api-keys/${doomed.apiKey.id}`,
    );
    expect(revoked.status).toBe(200);
    expect((await anyone.request("GET", "/api/v1/worker/whoami", undefined, bearer(doomed.key))).status).toBe(
      401,
    );

    const response = await anyone.request("GET", "/metrics", undefined, bearer(TOKEN));
    expect(response.status).toBe(200);
    const text = String(response.body);
    expect(sample(text, "cogno_workers_connected")).toBe(1);
    // The socket and one whoami authenticated; each refusal under its own code.
    expect(sample(text, 'cogno_key_authentications_total{result="ok"}')).toBe(2);
    expect(sample(text, 'cogno_key_authentications_total{result="api_key_malformed"}')).toBe(1);
    expect(sample(text, 'cogno_key_authentications_total{result="api_key_invalid"}')).toBe(1);
    expect(sample(text, 'cogno_key_authentications_total{result="api_key_revoked"}')).toBe(1);
    expect(sample(text, 'cogno_key_change_fanout_seconds_count{change="revoked"}')).toBe(1);
    expect(
      sample(text, 'cogno_http_requests_total{method="GET",route="/api/v1/worker/whoami",status="401"}'),
    ).toBe(3);
    expect(
      sample(
        text,
        'cogno_http_request_duration_seconds_count{method="DELETE",route="/api/v1/workspaces/:workspaceId/api-keys/:keyId",status="200"}',
      ),
    ).toBe(1);
    expect(sample(text, "nodejs_eventloop_lag_seconds")).toBeGreaterThanOrEqual(0);
    expect(text).not.toContain(kept.key);

    worker.socket.close();
    await worker.closed;
  });
});
