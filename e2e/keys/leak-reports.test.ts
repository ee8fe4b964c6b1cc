/**
 * Leaked-key reports against the real server (API.md v1.1 "Leaked-key reports"): GitHub's
 * secret-scanning partner format, the signature over the raw body (a real P-256 key pair made
 * here), labels for a mix of live, revoked, unknown and garbage tokens, the 100-finding limit, the
 * per-address rate limit, and that no reported token reaches the server's output.
 */
import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import {
  apiKeyDetailResponseSchema,
  auditLogResponseSchema,
  errorBodySchema,
  generateApiKey,
  leakedKeyResponseSchema,
  revokeApiKeyResponseSchema,
} from "@cogno/protocol";
import { describe, expect, it } from "vitest";
import {
  ApiClient,
  type ApiResponse,
  bearer,
  bodyOf,
  createKey,
  signUpWithWorkspace,
} from "../support/api.ts";
import { expectError } from "../support/expect-error.ts";
import { type ServerFixture, useServer } from "../support/server.ts";
import { connectRegistered } from "../support/worker-socket.ts";

const github = generateKeyPairSync("ec", { namedCurve: "P-256" });
const stranger = generateKeyPairSync("ec", { namedCurve: "P-256" });
const unsigned = useServer();
const signed = useServer({
  COGNO_LEAK_REPORT_PUBLIC_KEYS: github.publicKey.export({ type: "spki", format: "pem" }).toString(),
});

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

function send(
  fixture: ServerFixture,
  body: string,
  headers: Record<string, string> = {},
): Promise<ApiResponse> {
  return fetch(`${fixture.server.url}/api/v1/leaked-keys`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  }).then(async (response) => ({
    status: response.status,
    headers: response.headers,
    body: JSON.parse(await response.text()),
  }));
}

function findingsOf(...tokens: string[]) {
  return tokens.map((token, i) => ({
    token,
    type: "cogno_api_key",
    url: `https://github.com/octo/repo/blob/main/file-${i}.env`,
    source: "content",
  }));
}

function whoami(fixture: ServerFixture, key: string) {
  return new ApiClient(fixture.server.url).request("GET", "/api/v1/worker/whoami", undefined, bearer(key));
}

describe("reports without a signature, when no public keys are set", () => {
  it("labels live, revoked, unknown and garbage tokens, and revokes the live key at once, cutting off its worker", async () => {
    const owner = await signUpWithWorkspace(unsigned.server.url);
    const keysPath = `/api/v1/workspaces/${owner.workspaceId}/api-keys`;
    const live = await createKey(owner, "live");
    const revoked = await createKey(owner, "revoked earlier");
    const revokedAnswer = await owner.client.delete(`${keysPath}/${revoked.apiKey.id}`);
    const worker = await connectRegistered(unsigned.server.url, live.key, randomUUID());
    const unknown = generateApiKey();
    const garbage = "ghp_0123456789abcdefghijABCDEFGHIJ012345";
    const tokens = [live.key, revoked.key, unknown, garbage];

    const response = await send(unsigned, JSON.stringify(findingsOf(...tokens)));
    expect(response.status).toBe(200);
    expect(leakedKeyResponseSchema.parse(response.body)).toEqual([
      { token_hash: sha256(live.key), token_type: "cogno_api_key", label: "true_positive" },
      { token_hash: sha256(revoked.key), token_type: "cogno_api_key", label: "true_positive" },
      { token_hash: sha256(unknown), token_type: "cogno_api_key", label: "false_positive" },
      { token_hash: sha256(garbage), token_type: "cogno_api_key", label: "false_positive" },
    ]);

    // Cut off before the answer: refused at once, and the worker is told why.
    expect(expectError(await whoami(unsigned, live.key), 401, "api_key_revoked")).toContain("leaked");
    expect(await worker.next()).toEqual({
      type: "revoked",
      apiKey: { id: live.apiKey.id, name: "live", prefix: live.apiKey.prefix },
      reason: "leaked",
    });
    expect((await worker.closed).code).toBe(4001);

    const detail = apiKeyDetailResponseSchema.parse(
      (await owner.client.get(`${keysPath}/${live.apiKey.id}`)).body,
    );
    expect(detail.apiKey).toMatchObject({ revokedReason: "leaked" });
    expect(detail.leakReport).toEqual({
      url: "https://github.com/octo/repo/blob/main/file-0.env",
      source: "content",
      reportedAt: detail.apiKey.revokedAt,
    });
    // A key revoked before keeps its first revocation.
    const earlier = apiKeyDetailResponseSchema.parse(
      (await owner.client.get(`${keysPath}/${revoked.apiKey.id}`)).body,
    );
    expect(earlier.apiKey).toMatchObject({
      revokedAt: bodyOf(revokedAnswer, revokeApiKeyResponseSchema).apiKey.revokedAt,
      revokedReason: "revoked",
    });
    expect(earlier.leakReport?.url).toBe("https://github.com/octo/repo/blob/main/file-1.env");

    const audit = auditLogResponseSchema.parse(
      (await owner.client.get(`/api/v1/workspaces/${owner.workspaceId}/audit-log?actor=reporter`)).body,
    );
    expect(audit.entries.map((entry) => entry.target.id).sort()).toEqual(
      [live.apiKey.id, revoked.apiKey.id].sort(),
    );
    for (const entry of audit.entries) {
      expect(entry).toMatchObject({
        action: "api_key.reported_leaked",
        actor: { type: "reporter", id: null },
        ip: "127.0.0.1",
        details: { url: expect.stringContaining("https://github.com/octo/repo"), source: "content" },
      });
    }

    // No reported token reaches a log line, not even a stranger's secret.
    const output = unsigned.server.output();
    expect(output).toContain("keys reported leaked were revoked");
    for (const token of tokens) expect(output).not.toContain(token);
    for (const key of [live.key, revoked.key, unknown]) expect(output).not.toContain(key.slice(17));
  });

  it(`answers 400 to more than 100 findings and to a body that is not a list of findings`, async () => {
    const many = findingsOf(...Array.from({ length: 101 }, () => generateApiKey()));
    const tooMany = await send(unsigned, JSON.stringify(many));
    expect(tooMany.status).toBe(400);
    expect(bodyOf(tooMany, errorBodySchema).error).toMatchObject({
      code: "validation_failed",
      message: expect.stringContaining("100"),
    });
    expect((await send(unsigned, JSON.stringify(many.slice(0, 100)))).status).toBe(200);
    for (const body of ["{}", "[{]", '[{"token": 5, "type": "x"}]']) {
      expect((await send(unsigned, body)).status).toBe(400);
    }
  });
});

describe("signed reports, when COGNO_LEAK_REPORT_PUBLIC_KEYS is set", () => {
  it("accepts a report signed over its exact bytes, and refuses a wrong, missing or reused signature with 401", async () => {
    const owner = await signUpWithWorkspace(signed.server.url);
    const target = await createKey(owner, "target");
    const body = JSON.stringify(findingsOf(target.key), null, 1); // GitHub's spacing is its own
    const signature = sign("sha256", Buffer.from(body), github.privateKey).toString("base64");

    const refusals: [string, string, Record<string, string>][] = [
      ["no signature", body, {}],
      [
        "a stranger's signature",
        body,
        {
          "github-public-key-signature": sign("sha256", Buffer.from(body), stranger.privateKey).toString(
            "base64",
          ),
        },
      ],
      ["a tampered body", body.replace("content", "commit"), { "github-public-key-signature": signature }],
      [
        "a re-serialised body",
        JSON.stringify(JSON.parse(body)),
        { "github-public-key-signature": signature },
      ],
    ];
    for (const [what, sent, headers] of refusals) {
      const response = await send(signed, sent, headers);
      expect({ what, status: response.status, code: bodyOf(response, errorBodySchema).error.code }).toEqual({
        what,
        status: 401,
        code: "unauthenticated",
      });
    }
    expect((await whoami(signed, target.key)).status).toBe(200); // nothing was revoked

    const accepted = await send(signed, body, {
      "Github-Public-Key-Identifier": "bcb53661c06b4728e59d897fb6165d5c9cda0fd9cdf9d09ead458168deb7518c",
      "Github-Public-Key-Signature": signature,
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toEqual([
      { token_hash: sha256(target.key), token_type: "cogno_api_key", label: "true_positive" },
    ]);
    expectError(await whoami(signed, target.key), 401, "api_key_revoked");
    expect(signed.server.output()).not.toContain(target.key.slice(17));
  });

  it("limits reports per client address, counting every report, with Retry-After", async () => {
    let limited: Awaited<ReturnType<typeof send>> | undefined;
    for (let i = 0; i < 61 && limited === undefined; i++) {
      const response = await send(signed, "[]");
      if (response.status === 429) limited = response;
      else expect(response.status).toBe(401);
    }
    expect(limited && bodyOf(limited, errorBodySchema).error).toMatchObject({
      code: "rate_limited",
      message: expect.stringContaining("reports"),
    });
    expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
  });
});
