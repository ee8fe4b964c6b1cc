import { describe, expect, it } from "vitest";
import { checkSignInFields } from "./sign-in-page.tsx";

describe("checkSignInFields", () => {
  it("regression: an empty form gets one plain sentence per field, not the server's 'Invalid body'", () => {
    expect(checkSignInFields("", "")).toEqual({
      email: "Enter your email address.",
      password: "Enter your password.",
    });
    expect(checkSignInFields("   ", "x")).toEqual({ email: "Enter your email address." });
  });

  it("asks for an address that looks like one", () => {
    expect(checkSignInFields("alice", "secret").email).toBe(
      "Enter an email address, such as alice@example.com.",
    );
  });

  it("accepts a filled-in form", () => {
    expect(checkSignInFields(" alice@example.com ", "correct horse")).toEqual({});
  });
});
