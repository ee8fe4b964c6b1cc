import { readFileSync } from "node:fs";
import { lexer } from "marked";
import { describe, expect, it } from "vitest";
import { compileMarkdown } from "./compile-markdown.ts";

const guide = readFileSync(new URL("./api-keys.md", import.meta.url), "utf8");
const headings = compileMarkdown(guide).headings.map((heading) => heading.text);

describe("the API keys guide", () => {
  it("covers every section of the public help page", () => {
    expect(headings).toEqual([
      "API keys",
      "What a key is for",
      "Create a key",
      "Use the key with the CLI",
      "Key format and limits",
      "Naming keys",
      "Store the key",
      "Revoke a key",
      "Rotate a key",
      "Troubleshooting",
      "Asking an assistant for help",
    ]);
  });

  it("keeps the steps the help page numbers: seven to create, four to revoke, five to rotate, five to hand off", () => {
    const ordered = lexer(guide).flatMap((token) =>
      token.type === "list" && token.ordered === true ? [token.items.length] : [],
    );
    expect(ordered).toEqual([7, 4, 5, 5]);
  });

  it("states the facts users rely on", () => {
    for (const fact of [
      "cogno_wk_",
      "25 per person per workspace",
      "cogno login --token <key>",
      "Copy for LLM",
    ]) {
      expect(guide).toContain(fact);
    }
    expect(guide).toMatch(/immediately and cannot be undone/);
  });

  it("contains no real key", () => {
    expect(guide).not.toMatch(/cogno_wk_[0-9A-Za-z]{8}/);
  });
});
