import { describe, expect, it } from "vitest";
import { escapeHtml, unescapeHtml } from "./escape-html.ts";

describe("escapeHtml", () => {
  it("escapes the five characters that matter in HTML text and attributes, and reverses", () => {
    const text = `<a href="x" title='y'>Tom & Jerry</a>`;
    expect(escapeHtml(text)).toBe("&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;Tom &amp; Jerry&lt;/a&gt;");
    expect(unescapeHtml(escapeHtml(text))).toBe(text);
    expect(unescapeHtml("&amp;lt;")).toBe("&lt;");
  });
});
