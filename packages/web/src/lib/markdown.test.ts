import { describe, expect, it } from "vitest";
import { type Block, inlineText, isSafeHref, parseInline, parseMarkdown } from "./markdown.ts";

describe("parseMarkdown", () => {
  it("reads headings with unique ids", () => {
    const blocks = parseMarkdown("# API keys\n\n## Create a key\n\n## Create a key");
    expect(blocks).toEqual([
      { type: "heading", level: 1, id: "api-keys", children: [{ type: "text", text: "API keys" }] },
      { type: "heading", level: 2, id: "create-a-key", children: [{ type: "text", text: "Create a key" }] },
      { type: "heading", level: 2, id: "create-a-key-2", children: [{ type: "text", text: "Create a key" }] },
    ]);
  });

  it("joins the lines of a paragraph and separates paragraphs at blank lines", () => {
    const blocks = parseMarkdown("one\ntwo\n\nthree");
    expect(blocks.map((block) => block.type)).toEqual(["paragraph", "paragraph"]);
    const first = blocks[0];
    expect(first?.type === "paragraph" && inlineText(first.children)).toBe("one two");
  });

  it("reads ordered lists with their start and unordered lists", () => {
    const blocks = parseMarkdown("3. c\n4. d\n\n- x\n- y\n  continued");
    expect(blocks[0]).toMatchObject({ type: "list", ordered: true, start: 3 });
    const list = blocks[1];
    expect(list).toMatchObject({ type: "list", ordered: false });
    if (list?.type !== "list") throw new Error("expected a list");
    expect(list.items.map(inlineText)).toEqual(["x", "y continued"]);
  });

  it("keeps fenced code verbatim, including Markdown characters", () => {
    const blocks = parseMarkdown("```sh\ncogno login --token <key>\n# not a heading\n```\nafter");
    expect(blocks[0]).toEqual({
      type: "code",
      language: "sh",
      text: "cogno login --token <key>\n# not a heading",
    });
    expect(blocks[1]?.type).toBe("paragraph");
  });

  it("reads pipe tables with alignment, escaped pipes and missing cells", () => {
    const blocks = parseMarkdown("| Use | Supported |\n|:---|---:|\n| `a \\| b` | Yes |\n| short |");
    const table = blocks[0] as Extract<Block, { type: "table" }>;
    expect(table.type).toBe("table");
    expect(table.header.map(inlineText)).toEqual(["Use", "Supported"]);
    expect(table.align).toEqual(["left", "right"]);
    expect(table.rows.map((row) => row.map(inlineText))).toEqual([
      ["a | b", "Yes"],
      ["short", ""],
    ]);
  });

  it("reads block quotes and rules", () => {
    const blocks = parseMarkdown("> **Note** text\n> more\n\n---");
    expect(blocks[0]?.type).toBe("quote");
    expect(blocks[1]).toEqual({ type: "rule" });
  });

  it("does not stop a paragraph's flow at a list that starts on the next line", () => {
    const blocks = parseMarkdown("Intro:\n- item");
    expect(blocks.map((block) => block.type)).toEqual(["paragraph", "list"]);
  });
});

describe("parseInline", () => {
  it("reads code, strong, emphasis and links", () => {
    expect(parseInline("Run `cogno` **now** or *later*, see [docs](/docs).")).toEqual([
      { type: "text", text: "Run " },
      { type: "code", text: "cogno" },
      { type: "text", text: " " },
      { type: "strong", children: [{ type: "text", text: "now" }] },
      { type: "text", text: " or " },
      { type: "emphasis", children: [{ type: "text", text: "later" }] },
      { type: "text", text: ", see " },
      { type: "link", href: "/docs", children: [{ type: "text", text: "docs" }] },
      { type: "text", text: "." },
    ]);
  });

  it("never treats underscores as emphasis, so key prefixes survive", () => {
    expect(parseInline("cogno_wk_ and snake_case_name")).toEqual([
      { type: "text", text: "cogno_wk_ and snake_case_name" },
    ]);
  });

  it("keeps angle brackets as text", () => {
    expect(inlineText(parseInline("<img src=x onerror=alert(1)>"))).toBe("<img src=x onerror=alert(1)>");
  });

  it("drops unsafe link targets but keeps their label", () => {
    expect(parseInline("[click](javascript:alert(1))")).toEqual([{ type: "text", text: "click" }]);
    expect(isSafeHref("https://example.com")).toBe(true);
    expect(isSafeHref("//evil.example")).toBe(false);
    expect(isSafeHref("data:text/html,x")).toBe(false);
  });
});
