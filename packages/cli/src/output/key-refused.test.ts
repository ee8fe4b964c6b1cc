import { describe, expect, it } from "vitest";
import { describeKeyRefusal } from "./key-refused.ts";

const base = { displayPrefix: "cogno_wk_abcd1234", keyName: "ci-worker", serverMessage: undefined } as const;

describe("describeKeyRefusal", () => {
  it("names the key by prefix and name, says why, and what to do", () => {
    const text = describeKeyRefusal({ ...base, code: "api_key_revoked", keySource: "credentials.json" });
    expect(text).toBe(
      'Key cogno_wk_abcd1234… ("ci-worker") was refused: it was revoked.\nCreate a new key in Settings > API Keys, then run: cogno login --token <key>',
    );
  });

  it("tells malformed, invalid and revoked apart", () => {
    const reasons = (["api_key_malformed", "api_key_invalid", "api_key_revoked"] as const).map(
      (code) => describeKeyRefusal({ ...base, code, keySource: "--token" }).split("\n")[0],
    );
    expect(new Set(reasons).size).toBe(3);
  });

  it("says an expired key expired (401 api_key_expired, v1.1), and a rolled key needs the new one", () => {
    expect(describeKeyRefusal({ ...base, code: "api_key_expired", keySource: "credentials.json" })).toContain(
      "was refused: it expired.",
    );
    const rolled = describeKeyRefusal({
      ...base,
      code: "api_key_revoked",
      revokedReason: "rolled",
      keySource: "COGNO_TOKEN",
    });
    expect(rolled).toContain("this key was replaced");
    expect(rolled).toContain("Put the new key (shown when this one was rolled) in COGNO_TOKEN.");
  });

  it("shows the server's message and does not repeat a next step it already gives", () => {
    const serverMessage =
      "The key was revoked. Create a new key in Settings > API Keys, then run cogno login --token <key>.";
    const text = describeKeyRefusal({
      ...base,
      serverMessage,
      code: "api_key_revoked",
      keySource: "credentials.json",
    });
    expect(text.split("\n")).toEqual([
      'Key cogno_wk_abcd1234… ("ci-worker") was refused: it was revoked.',
      `Server: ${serverMessage}`,
    ]);
  });

  it("points at COGNO_TOKEN when the key came from there", () => {
    const text = describeKeyRefusal({
      ...base,
      serverMessage: "run cogno login --token <key>",
      code: "api_key_invalid",
      keySource: "COGNO_TOKEN",
    });
    expect(text).toContain("put it in COGNO_TOKEN");
  });
});
