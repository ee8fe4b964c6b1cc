/**
 * Rate limits that a client cannot step around: a burst of parallel password guesses, repeated
 * sign-ups with a taken email, and (behind a load balancer) a forged X-Forwarded-For.
 */
import { describe, expect, it } from "vitest";
import { ApiClient, signUp } from "../support/api.ts";
import { useServer } from "../support/server.ts";

const LIMIT = 5;

describe("rate limits under load", () => {
  // One trusted proxy: the test client stands in for the load balancer at 127.0.0.1.
  const fixture = useServer({ COGNO_AUTH_FAILURES_PER_MINUTE: String(LIMIT), COGNO_TRUST_PROXY: "true" });
  const from = (address: string) => ({ "x-forwarded-for": address });

  it("regression: 30 parallel wrong-password logins cannot outrun the limit", async () => {
    const { user } = await signUp(fixture.server.url);
    const client = new ApiClient(fixture.server.url);
    const statuses = await Promise.all(
      Array.from({ length: 30 }, () =>
        client
          .request(
            "POST",
            "/api/v1/auth/login",
            { email: user.email, password: "wrong guess!" },
            from("203.0.113.7"),
          )
          .then((response) => response.status),
      ),
    );
    expect(statuses.filter((status) => status === 401).length).toBeLessThanOrEqual(LIMIT);
    expect(statuses.filter((status) => status === 429).length).toBeGreaterThanOrEqual(30 - LIMIT);
  });

  it("regression: sign-ups with a taken email are limited like failed logins", async () => {
    const { user } = await signUp(fixture.server.url);
    const client = new ApiClient(fixture.server.url);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) {
      const response = await client.request(
        "POST",
        "/api/v1/auth/signup",
        { email: user.email, password: "correct horse battery", name: "Again" },
        from("203.0.113.8"),
      );
      statuses.push(response.status);
    }
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(409));
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
  });

  it("regression: a forged left part of X-Forwarded-For does not give a client a fresh limit", async () => {
    const client = new ApiClient(fixture.server.url);
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 3; i++) {
      // The client writes "10.0.0.i"; the load balancer appends the address it really saw.
      const response = await client.request("GET", "/api/v1/worker/whoami", undefined, {
        authorization: "Bearer cogno_wk_not-a-key",
        ...from(`10.0.0.${i}, 198.51.100.9`),
      });
      statuses.push(response.status);
    }
    expect(statuses.slice(0, LIMIT)).toEqual(Array(LIMIT).fill(401));
    expect(statuses.slice(LIMIT)).toEqual([429, 429, 429]);
  });
});
