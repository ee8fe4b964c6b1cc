/**
 * POST /api/v1/leaked-keys in-process (app.inject): GitHub's signature over the raw body, made here
 * with a real P-256 key pair; the 100-finding limit; the per-address rate limit.
 */
import { generateKeyPairSync, type KeyObject, sign } from "node:crypto";
import { LEAK_REPORT_MAX_TOKENS, leakedKeyResponseSchema, type User } from "@cogno/protocol";
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../app.ts";
import { signUp } from "../auth/service.ts";
import { ConfigError } from "../config.ts";
import { createTestDeps, type TestDeps } from "../testing/test-deps.ts";
import { createWorkspace } from "../workspaces/service.ts";
import { LEAK_REPORTS_PER_MINUTE } from "./routes.ts";
import { createApiKey } from "./service.ts";

let deps: TestDeps | undefined;
let app: App | undefined;

afterEach(async () => {
  await app?.shutDown();
  await deps?.cleanup();
  app = undefined;
  deps = undefined;
});

function keyPair(): { publicPem: string; privateKey: KeyObject } {
  const { publicKey, privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return { publicPem: publicKey.export({ type: "spki", format: "pem" }).toString(), privateKey };
}

/** As GitHub signs: ECDSA with SHA-256 over the exact bytes, DER, base64. */
function signatureOf(body: string, privateKey: KeyObject): string {
  return sign("sha256", Buffer.from(body), privateKey).toString("base64");
}

async function start(settings: Record<string, string> = {}) {
  deps = await createTestDeps(settings);
  const alice: User = (
    await signUp(deps, { email: "alice@example.com", password: "long enough", name: "Alice" }, "t")
  ).user;
  const workspaceId = (await createWorkspace(deps, alice.id, "Acme")).id;
  const live = await createApiKey(deps, { workspaceId, actor: alice, name: "live" });
  app = await createApp(deps);
  return { app, live };
}

function report(server: App, body: string, headers: Record<string, string> = {}) {
  return server.http.inject({
    method: "POST",
    url: "/api/v1/leaked-keys",
    headers: { "content-type": "application/json", ...headers },
    payload: body,
  });
}

const bodyFor = (token: string) =>
  // Spacing GitHub might send: the signature covers these exact bytes, not a re-serialisation.
  `[ {"token": "${token}", "type":"cogno_api_key", "url":"https://github.com/o/r", "source":"commit"} ]`;

describe("signed reports, with COGNO_LEAK_REPORT_PUBLIC_KEYS set", () => {
  it("accepts a report signed over its raw bytes by a configured key, and revokes the key", async () => {
    const github = keyPair();
    const { app: server, live } = await start({ COGNO_LEAK_REPORT_PUBLIC_KEYS: github.publicPem });
    const body = bodyFor(live.key);
    const response = await report(server, body, {
      "github-public-key-identifier": "ignored",
      "github-public-key-signature": signatureOf(body, github.privateKey),
    });
    expect(response.statusCode).toBe(200);
    expect(leakedKeyResponseSchema.parse(response.json())).toEqual([
      {
        token_hash: expect.stringMatching(/^[0-9a-f]{64}$/),
        token_type: "cogno_api_key",
        label: "true_positive",
      },
    ]);
    const row = await deps?.db
      .selectFrom("api_keys")
      .select("revoked_reason")
      .where("id", "=", live.apiKey.id)
      .executeTakeFirst();
    expect(row?.revoked_reason).toBe("leaked");
  });

  it("answers 401 unauthenticated to a missing, wrong or garbled signature and to a tampered body, revoking nothing", async () => {
    const github = keyPair();
    const stranger = keyPair();
    const { app: server, live } = await start({ COGNO_LEAK_REPORT_PUBLIC_KEYS: github.publicPem });
    const body = bodyFor(live.key);
    const cases: [string, string, Record<string, string>][] = [
      ["no signature", body, {}],
      ["empty signature", body, { "github-public-key-signature": "" }],
      [
        "another key's signature",
        body,
        { "github-public-key-signature": signatureOf(body, stranger.privateKey) },
      ],
      ["not a signature", body, { "github-public-key-signature": "bm90IGEgc2lnbmF0dXJl" }],
      [
        "tampered body",
        body.replace('"commit"', '"content"'),
        { "github-public-key-signature": signatureOf(body, github.privateKey) },
      ],
      [
        "re-serialised body",
        JSON.stringify(JSON.parse(body)),
        { "github-public-key-signature": signatureOf(body, github.privateKey) },
      ],
    ];
    for (const [what, sent, headers] of cases) {
      const response = await report(server, sent, headers);
      expect({ what, status: response.statusCode, code: response.json().error?.code }).toEqual({
        what,
        status: 401,
        code: "unauthenticated",
      });
      expect(response.json().error.message).toContain("Github-Public-Key-Signature");
    }
    const row = await deps?.db
      .selectFrom("api_keys")
      .select("revoked_at")
      .where("id", "=", live.apiKey.id)
      .executeTakeFirst();
    expect(row?.revoked_at).toBeNull();
  });

  it("accepts a signature by any of several configured keys (a rotation), even with escaped newlines", async () => {
    const current = keyPair();
    const next = keyPair();
    const setting = `${current.publicPem}\n${next.publicPem}`.replace(/\n/g, "\\n");
    const { app: server, live } = await start({ COGNO_LEAK_REPORT_PUBLIC_KEYS: setting });
    const body = bodyFor(live.key);
    const response = await report(server, body, {
      "github-public-key-signature": signatureOf(body, next.privateKey),
    });
    expect(response.statusCode).toBe(200);
  });

  it("refuses to start with a setting that holds no usable EC public key, naming the setting", async () => {
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey.export({
      type: "spki",
      format: "pem",
    });
    for (const setting of [rsa.toString(), "-----BEGIN PUBLIC KEY-----\nbroken\n-----END PUBLIC KEY-----"]) {
      const broken = await createTestDeps({ COGNO_LEAK_REPORT_PUBLIC_KEYS: setting });
      await expect(createApp(broken)).rejects.toThrow(/COGNO_LEAK_REPORT_PUBLIC_KEYS/);
      await expect(createApp(broken)).rejects.toBeInstanceOf(ConfigError);
      await broken.cleanup();
    }
  }, 30_000);
});

describe("unsigned reports, with no public keys set", () => {
  it("accepts a report without a signature", async () => {
    const { app: server, live } = await start();
    const response = await report(server, bodyFor(live.key));
    expect(response.statusCode).toBe(200);
    expect(response.json()[0].label).toBe("true_positive");
  });

  it(`answers 400 to more than ${LEAK_REPORT_MAX_TOKENS} findings, to a body that is not an array, and to bad JSON`, async () => {
    const { app: server } = await start();
    const many = JSON.stringify(
      Array.from({ length: LEAK_REPORT_MAX_TOKENS + 1 }, (_, i) => ({
        token: `t${i}`,
        type: "x",
        url: "",
        source: "",
      })),
    );
    const tooMany = await report(server, many);
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().error.message).toContain("100");
    const exactly = JSON.stringify(
      Array.from({ length: LEAK_REPORT_MAX_TOKENS }, (_, i) => ({
        token: `t${i}`,
        type: "x",
        url: "",
        source: "",
      })),
    );
    expect((await report(server, exactly)).statusCode).toBe(200);
    for (const body of ['{"token":"x"}', "[{", '[{"type":"x"}]']) {
      const response = await report(server, body);
      expect({ body, status: response.statusCode, code: response.json().error?.code }).toEqual({
        body,
        status: 400,
        code: "validation_failed",
      });
    }
  });

  it(`limits each address to ${LEAK_REPORTS_PER_MINUTE} reports a minute, accepted or not, with Retry-After`, async () => {
    const { app: server } = await start();
    for (let i = 0; i < LEAK_REPORTS_PER_MINUTE; i++) {
      const body = i % 2 === 0 ? "[]" : "not json";
      expect((await report(server, body)).statusCode).not.toBe(429);
    }
    const limited = await report(server, "[]");
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error).toMatchObject({
      code: "rate_limited",
      message: expect.stringContaining("reports"),
    });
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    deps?.clock.advance(60_000);
    expect((await report(server, "[]")).statusCode).toBe(200);
  });
});
