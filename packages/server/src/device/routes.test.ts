/** Browser login over HTTP, in-process: shapes, the contract's error bodies, limits per address and per person. */
import {
  deviceAuthorizationResponseSchema,
  deviceTokenResponseSchema,
  errorBodySchema,
} from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { signedUpPerson, startTestApp, type TestApp, type TestPerson } from "../testing/test-app.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import {
  AUTHORIZATIONS_PER_ADDRESS_PER_MINUTE,
  WASTED_POLLS_PER_ADDRESS_PER_MINUTE,
  WRONG_USER_CODES_PER_USER_PER_MINUTE,
} from "./routes.ts";

let deps: TestDeps;
let http: TestApp;
let alice: TestPerson;
let workspaceId: string;

async function setUp(settings: Record<string, string> = {}) {
  deps = await createTestDeps(settings);
  http = await startTestApp(deps);
  alice = await signedUpPerson(deps, "Alice");
  workspaceId = (await http.call("POST", "/api/v1/workspaces", { as: alice, body: { name: "Acme" } })).json()
    .workspace.id;
}

afterEach(async () => {
  await http.close();
  await deps.cleanup();
});

function authorize(clientName: unknown = "alice-laptop", address = "203.0.113.1") {
  return http.call("POST", "/api/v1/device/authorize", {
    body: { clientName },
    remoteAddress: address,
  });
}

function poll(deviceCode: string) {
  return http.call("POST", "/api/v1/device/token", { body: { deviceCode } });
}

describe("the device routes", () => {
  beforeEach(() => setUp());

  it("run the whole flow over HTTP with the contract's shapes", async () => {
    const started = await authorize();
    expect(started.statusCode).toBe(200);
    expect(started.headers["cache-control"]).toBe("no-store");
    const codes = deviceAuthorizationResponseSchema.strict().parse(started.json());
    expect(codes.verificationUri).toBe("http://localhost:80/device");
    expect(codes.verificationUriComplete).toBe(`http://localhost:80/device?code=${codes.userCode}`);

    const pending = await poll(codes.deviceCode);
    expect(pending.statusCode).toBe(400);
    expect(errorBodySchema.parse(pending.json()).error.code).toBe("authorization_pending");

    const preview = await http.call("GET", `/api/v1/device/${codes.userCode}`, { as: alice });
    expect(preview.json()).toEqual({ clientName: "alice-laptop", expiresAt: expect.any(String) });

    const approved = await http.call("POST", "/api/v1/device/approve", {
      as: alice,
      body: { userCode: codes.userCode.toLowerCase(), workspaceId },
    });
    expect(approved.statusCode).toBe(200);
    expect(Object.keys(approved.json())).toEqual(["apiKey"]);

    deps.clock.advance(5_000);
    const token = await poll(codes.deviceCode);
    expect(token.statusCode).toBe(200);
    expect(token.headers["cache-control"]).toBe("no-store");
    const body = deviceTokenResponseSchema.strict().parse(token.json());
    expect(body.apiKey.id).toBe(approved.json().apiKey.id);
    expect(body.workspace).toEqual({ id: workspaceId, name: "Acme" });
    const whoami = await http.call("GET", "/api/v1/worker/whoami", {
      headers: { authorization: `Bearer ${body.key}` },
    });
    expect(whoami.statusCode).toBe(200);

    deps.clock.advance(5_000);
    const again = await poll(codes.deviceCode);
    expect(again.statusCode).toBe(400);
    expect(again.json().error.code).toBe("expired_token");
  });

  it("deny answers 204 and the poll then gets access_denied", async () => {
    const codes = (await authorize()).json();
    const denied = await http.call("POST", "/api/v1/device/deny", {
      as: alice,
      body: { userCode: codes.userCode },
    });
    expect(denied.statusCode).toBe(204);
    const polled = await poll(codes.deviceCode);
    expect(polled.statusCode).toBe(400);
    expect(polled.json().error.code).toBe("access_denied");
  });

  it("needs a session to look at, approve or deny a code; not to start or poll", async () => {
    expect((await http.call("GET", "/api/v1/device/BCDF-GHJK")).statusCode).toBe(401);
    expect(
      (await http.call("POST", "/api/v1/device/approve", { body: { userCode: "BCDF-GHJK", workspaceId } }))
        .statusCode,
    ).toBe(401);
    expect(
      (await http.call("POST", "/api/v1/device/deny", { body: { userCode: "BCDF-GHJK" } })).statusCode,
    ).toBe(401);
  });

  it("answers 400 naming the field for a bad body or a code that cannot be one", async () => {
    const noName = await authorize("\u0007");
    expect(noName.statusCode).toBe(400);
    expect(noName.json().error.message).toContain("clientName");
    const noCode = await http.call("POST", "/api/v1/device/token", { body: {} });
    expect(noCode.statusCode).toBe(400);
    expect(noCode.json().error.message).toContain("deviceCode");
    const badCode = await http.call("GET", "/api/v1/device/AEIO-1234", { as: alice });
    expect(badCode.statusCode).toBe(400);
    expect(badCode.json().error.message).toContain("userCode");
  });

  it("limits logins started per address, with Retry-After, and other addresses are not affected", async () => {
    for (let i = 0; i < AUTHORIZATIONS_PER_ADDRESS_PER_MINUTE; i++)
      expect((await authorize()).statusCode).toBe(200);
    const refused = await authorize();
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error).toMatchObject({
      code: "rate_limited",
      message: expect.stringContaining("logins"),
    });
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect((await authorize("other", "203.0.113.2")).statusCode).toBe(200);
    deps.clock.advance(60_000);
    expect((await authorize()).statusCode).toBe(200);
  });

  it("limits wasted polls per address, but never a client that polls at the interval", async () => {
    const codes = (await authorize()).json();
    for (let i = 0; i < WASTED_POLLS_PER_ADDRESS_PER_MINUTE + 5; i++) {
      deps.clock.advance(5_000);
      expect((await poll(codes.deviceCode)).json().error.code).toBe("authorization_pending");
    }
    for (let i = 0; i < WASTED_POLLS_PER_ADDRESS_PER_MINUTE; i++) {
      expect((await poll(`unknown-${i}`)).json().error.code).toBe("expired_token");
    }
    const refused = await poll("unknown");
    expect(refused.statusCode).toBe(429);
    expect(refused.json().error.code).toBe("rate_limited");
  });

  it("limits the wrong user codes one person may try (RFC 8628 §5.1)", async () => {
    for (let i = 0; i < WRONG_USER_CODES_PER_USER_PER_MINUTE; i++) {
      expect((await http.call("GET", "/api/v1/device/BBBB-BBBB", { as: alice })).statusCode).toBe(404);
    }
    const refused = await http.call("GET", "/api/v1/device/BBBB-BBBB", { as: alice });
    expect(refused.statusCode).toBe(429);
    const bob = await signedUpPerson(deps, "Bob");
    expect((await http.call("GET", "/api/v1/device/BBBB-BBBB", { as: bob })).statusCode).toBe(404);
  });
});

describe("the verification URI", () => {
  it("is the public URL's origin + /device when COGNO_PUBLIC_URL is set", async () => {
    await setUp({ COGNO_PUBLIC_URL: "https://cogno.example.com/some/path" });
    const codes = (await authorize()).json();
    expect(codes.verificationUri).toBe("https://cogno.example.com/device");
  });
});
