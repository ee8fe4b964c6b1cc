/**
 * Behind an HTTPS front (COGNO_PUBLIC_URL=https://…): the session cookie is Secure, pages say so
 * with HSTS, and the cross-origin guard compares browsers' Origin with the public origin.
 */
import { errorBodySchema } from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import { ApiClient, bodyOf } from "../support/api.ts";
import { useServer } from "../support/server.ts";

const PUBLIC_URL = "https://cogno.example.com";

describe("behind an HTTPS front", () => {
  const fixture = useServer({ COGNO_PUBLIC_URL: PUBLIC_URL });

  it("sets the session cookie Secure, HttpOnly and SameSite=Lax, and sends HSTS", async () => {
    const client = new ApiClient(fixture.server.url);
    const response = await client.post("/api/v1/auth/signup", {
      email: `https.${Date.now()}@example.com`,
      password: "correct horse battery",
      name: "Https",
    });
    expect(response.status).toBe(201);
    const cookie = response.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^cogno_session=/);
    expect(cookie).toMatch(/;\s*Secure/i);
    expect(cookie).toMatch(/;\s*HttpOnly/i);
    expect(cookie).toMatch(/;\s*SameSite=Lax/i);
    expect(response.headers.get("strict-transport-security")).toContain("max-age=");
  });

  it("accepts the public origin and refuses any other, whatever the Host header says", async () => {
    const client = new ApiClient(fixture.server.url);
    const email = `origin.${Date.now()}@example.com`;
    const fromPublic = await client.request(
      "POST",
      "/api/v1/auth/signup",
      { email, password: "correct horse battery", name: "Origin" },
      { origin: PUBLIC_URL },
    );
    expect(fromPublic.status).toBe(201);
    const fromServerAddress = await client.request(
      "POST",
      "/api/v1/workspaces",
      { name: "Nope" },
      { origin: fixture.server.url },
    );
    expect(fromServerAddress.status).toBe(403);
    expect(bodyOf(fromServerAddress, errorBodySchema).error.code).toBe("cross_origin_rejected");
  });
});
