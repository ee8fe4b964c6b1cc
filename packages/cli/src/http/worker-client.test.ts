import { generateApiKey } from "@cogno/protocol";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { FAKE_WHOAMI, type FakeServer, startFakeServer } from "../testing/fake-server.ts";
import { fetchWhoami } from "./worker-client.ts";

describe("whoami, read with the contract's schema", () => {
  let server: FakeServer;
  beforeEach(async () => {
    server = await startFakeServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it("accepts the contract's answer", async () => {
    expect(await fetchWhoami(server.url, generateApiKey())).toEqual({
      kind: "accepted",
      whoami: FAKE_WHOAMI,
    });
  });

  it("does not take an answer without the user for a Cogno server's (the hand-written check did)", async () => {
    const { user: _user, ...withoutUser } = FAKE_WHOAMI;
    server.answerWhoami = () => ({ status: 200, body: withoutUser });
    const answer = await fetchWhoami(server.url, generateApiKey());
    expect(answer.kind).toBe("unavailable");
    expect(answer.kind === "unavailable" && answer.reason).toMatch(
      /did not answer like a Cogno server \(user: /,
    );
  });

  it("keeps the message of a refusal whose code this CLI does not know", async () => {
    server.answerWhoami = () => ({
      status: 401,
      body: { error: { code: "api_key_suspended", message: "This key is suspended until Monday." } },
    });
    expect(await fetchWhoami(server.url, generateApiKey())).toEqual({
      kind: "refused",
      error: { code: undefined, message: "This key is suspended until Monday." },
    });
  });

  it("reads a 401 that is not the error body as a refusal without details", async () => {
    server.answerWhoami = () => ({ status: 401, body: "<h1>Unauthorized</h1>" });
    expect(await fetchWhoami(server.url, generateApiKey())).toEqual({
      kind: "refused",
      error: { code: undefined, message: undefined },
    });
  });

  it("escapes control characters in the names it returns", async () => {
    server.answerWhoami = () => ({
      status: 200,
      body: { ...FAKE_WHOAMI, workspace: { id: "wsp_1", name: "Acme\u001b]52;c;ZXZpbA==\u0007" } },
    });
    const answer = await fetchWhoami(server.url, generateApiKey());
    expect(answer.kind === "accepted" && answer.whoami.workspace.name).toBe(
      "Acme\\u001b]52;c;ZXZpbA==\\u0007",
    );
  });
});
