import { describe, expect, it } from "vitest";
import { buildPath, matchRoute, safeNextPath } from "./route-match.ts";

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
  it("accepts app paths and refuses other origins", () => {
    expect(safeNextPath("/invite/abc")).toBe("/invite/abc");
    expect(safeNextPath("//evil.example")).toBeNull();
    expect(safeNextPath("/\\evil.example")).toBeNull();
    expect(safeNextPath("https://evil.example")).toBeNull();
    expect(safeNextPath(null)).toBeNull();
  });
});
