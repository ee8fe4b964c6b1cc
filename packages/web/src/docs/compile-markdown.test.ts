import { describe, expect, it } from "vitest";
import { compileMarkdown, isSafeDocHref } from "./compile-markdown.ts";

describe("compileMarkdown", () => {
  it("gives headings GitHub's ids, unique in the page, and lists them for the table of contents", () => {
    const { html, headings } = compileMarkdown(
      "# API keys\n\n## Create a key\n\n## Create a key\n\n### `cogno` & you",
    );
    expect(headings).toEqual([
      { level: 1, id: "api-keys", text: "API keys" },
      { level: 2, id: "create-a-key", text: "Create a key" },
      { level: 2, id: "create-a-key-1", text: "Create a key" },
      { level: 3, id: "cogno--you", text: "cogno & you" },
    ]);
    expect(html).toContain('<h1 id="api-keys" tabindex="-1">API keys</h1>');
    expect(html).toContain('<h2 id="create-a-key-1">');
  });

  it("keeps key-shaped words and code verbatim", () => {
    const { html } = compileMarkdown(
      "Keys start with cogno_wk_ and `cogno_wk_` alike.\n\n```sh\ncogno login --token <key>\n# not a heading\n```",
    );
    expect(html).toContain("Keys start with cogno_wk_ and <code>cogno_wk_</code> alike.");
    expect(html).toContain(
      '<pre><code class="language-sh">cogno login --token &lt;key&gt;\n# not a heading\n</code></pre>',
    );
  });

  it("renders GitHub tables inside a scrolling box, with their alignment", () => {
    const { html } = compileMarkdown("| Use | Supported |\n|:---|---:|\n| `a \\| b` | Yes |");
    expect(html).toMatch(/^<div class="table-scroll"><table>/);
    expect(html).toContain('<th align="left">Use</th>');
    expect(html).toContain('<td align="left"><code>a | b</code></td>');
    expect(html).toContain('<td align="right">Yes</td>');
  });

  it("shows raw HTML as text, so no document can add markup or script", () => {
    const { html } = compileMarkdown(
      '<div onclick="x()">hi</div>\n\nText <script>alert(1)</script> <img src=x onerror=alert(1)>',
    );
    expect(html).not.toMatch(/<(div|script|img)\b/);
    expect(html).toContain("&lt;div onclick=&quot;x()&quot;&gt;hi&lt;/div&gt;");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
  });

  it("keeps links to web pages, mail, anchors and app paths", () => {
    const { html } = compileMarkdown(
      "[a](https://example.com/x) [b](mailto:ops@example.com) [c](#create-a-key) [d](/w/wsp_1/settings/api-keys)",
    );
    expect(html).toContain('<a href="https://example.com/x" rel="noreferrer">a</a>');
    expect(html).toContain('<a href="mailto:ops@example.com">b</a>');
    expect(html).toContain('<a href="#create-a-key">c</a>');
    expect(html).toContain('<a href="/w/wsp_1/settings/api-keys">d</a>');
  });

  it("regression: drops the target of /\\evil.example, which the old renderer took for a path of this app", () => {
    const { html } = compileMarkdown(
      "[help](/\\evil.example) and [more](//evil.example) and [tab](/%09/evil.example)",
    );
    expect(html).not.toContain("<a");
    expect(html).toBe("<p>help and more and tab</p>\n");
  });

  it("drops script, data and relative targets, and images", () => {
    const { html } = compileMarkdown(
      "[x](javascript:alert(1)) [y](data:text/html,hi) [z](evil.example) ![shot](https://example.com/a.png)",
    );
    expect(html).toBe("<p>x y z shot</p>\n");
  });
});

describe("isSafeDocHref", () => {
  it("accepts only web pages, mail, anchors and app paths", () => {
    for (const href of [
      "https://example.com",
      "http://127.0.0.1:8080/docs",
      "mailto:a@example.com",
      "#top",
      "/docs",
    ]) {
      expect(isSafeDocHref(href), href).toBe(true);
    }
    for (const href of [
      "/\\evil.example",
      "//evil.example",
      "/\t/evil.example",
      "/%2F/evil.example",
      "javascript:alert(1)",
      "JAVASCRIPT:alert(1)",
      "vbscript:x",
      "data:text/html,x",
      "https://exa mple.com",
      "#a b",
      "docs",
      "",
    ]) {
      expect(isSafeDocHref(href), JSON.stringify(href)).toBe(false);
    }
  });
});
