import { describe, expect, it } from "vitest";
import { buildPath, isAppPath, matchRoute, safeNextPath } from "./route-match.ts";

describe("matchRoute", () => {
  it("captures named segments", () => {
    expect(matchRoute("/w/:workspaceId/settings/api-keys", "/w/wsp_1/settings/api-keys")).toEqual({
      workspaceId: "wsp_1",
    });
  });

  it("ignores trailing slashes and rejects other paths", () => {
    expect(matchRoute("/docs", "/docs/")).toEqual({});
    expect(matchRoute("/docs", "/docs/more")).toBeNull();
    expect(matchRoute("/w/:id", "/x/1")).toBeNull();
  });

  it("decodes segments and refuses malformed escapes", () => {
    expect(matchRoute("/invite/:token", "/invite/a%2Fb")).toEqual({ token: "a/b" });
    expect(matchRoute("/invite/:token", "/invite/%E0%A4%A")).toBeNull();
  });
});

describe("buildPath", () => {
  it("escapes each segment", () => {
    expect(buildPath("w", "a/b", "docs")).toBe("/w/a%2Fb/docs");
  });
});

describe("safeNextPath", () => {
  it("accepts app paths, with their query", () => {
    expect(safeNextPath("/invite/abc")).toBe("/invite/abc");
    expect(safeNextPath("/w/wsp_1/settings/api-keys?state=all")).toBe("/w/wsp_1/settings/api-keys?state=all");
    expect(safeNextPath("/w/a%2Fb/settings/workers")).toBe("/w/a%2Fb/settings/workers");
    expect(safeNextPath("/docs?q=two%20words")).toBe("/docs?q=two%20words");
    expect(safeNextPath(null)).toBeNull();
  });

  it("refuses other origins, protocol-relative and backslash forms", () => {
    for (const next of [
      "https://evil.example",
      "javascript:alert(1)",
      "evil.example",
      "",
      "//evil.example",
      "/\\evil.example",
      "/\\/evil.example",
      "\\/evil.example",
      "/docs\\..\\..",
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBeNull();
    }
  });

  it("regression: refuses /<tab>/evil.example, which the URL parser turns into //evil.example (the page went blank)", () => {
    for (const next of ["/\t/evil.example", "/\n/evil.example", "/\r/evil.example", "/\t\t/evil.example"]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBeNull();
    }
  });

  it("refuses control characters, C1 controls and whitespace anywhere", () => {
    for (const next of [
      "/docs\u0000",
      "/do\u0007cs",
      "/docs\u007f",
      "/docs\u0085",
      "/ /evil.example",
      "/docs\u000b",
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBeNull();
    }
  });

  it("refuses escapes that unescape into a second slash, a backslash or a control character, and malformed escapes", () => {
    for (const next of [
      "/%2F/evil.example",
      "/%2fevil.example",
      "/%5Cevil.example",
      "/%5c%5cevil.example",
      "/%09/evil.example",
      "/%0a/evil.example",
      "/docs%00",
      "/%E0%A4%A",
    ]) {
      expect(safeNextPath(next), JSON.stringify(next)).toBeNull();
    }
  });
});

describe("isAppPath", () => {
  it("is the check behind safeNextPath", () => {
    expect(isAppPath("/docs#create-a-key")).toBe(true);
    expect(isAppPath("/\\evil.example")).toBe(false);
  });
});
