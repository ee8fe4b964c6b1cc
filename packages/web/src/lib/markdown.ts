/**
 * A small Markdown parser for the Docs page: headings, paragraphs, ordered and unordered lists,
 * fenced code, pipe tables, block quotes, rules; inline code, **strong**, *emphasis* and links.
 * It returns a tree, never HTML, so the renderer builds React elements and nothing in a document
 * can inject markup. Underscores are never emphasis: `cogno_wk_` must survive as written.
 */

export type Inline =
  | { type: "text"; text: string }
  | { type: "code"; text: string }
  | { type: "strong"; children: Inline[] }
  | { type: "emphasis"; children: Inline[] }
  | { type: "link"; href: string; children: Inline[] };

export type Alignment = "left" | "center" | "right" | null;

export type Block =
  | { type: "heading"; level: 1 | 2 | 3 | 4; id: string; children: Inline[] }
  | { type: "paragraph"; children: Inline[] }
  | { type: "list"; ordered: boolean; start: number; items: Inline[][] }
  | { type: "code"; language: string; text: string }
  | { type: "table"; header: Inline[][]; align: Alignment[]; rows: Inline[][][] }
  | { type: "quote"; children: Block[] }
  | { type: "rule" };

const HEADING = /^(#{1,4})\s+(.*?)\s*#*\s*$/;
const FENCE = /^```\s*([\w-]*)\s*$/;
const UNORDERED_ITEM = /^\s*[-*+]\s+(.*)$/;
const ORDERED_ITEM = /^\s*(\d+)[.)]\s+(.*)$/;
const RULE = /^\s*(?:-{3,}|\*{3,}|_{3,})\s*$/;
const TABLE_DIVIDER = /^\s*\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;
const QUOTE = /^\s*>\s?(.*)$/;

export function parseMarkdown(source: string): Block[] {
  const lines = source.replace(/\r\n?/g, "\n").split("\n");
  const blocks: Block[] = [];
  const usedIds = new Map<string, number>();
  let index = 0;

  const lineAt = (at: number): string => lines[at] ?? "";
  const isBlank = (at: number): boolean => lineAt(at).trim() === "";

  while (index < lines.length) {
    const line = lineAt(index);
    if (line.trim() === "") {
      index += 1;
      continue;
    }

    const fence = FENCE.exec(line);
    if (fence) {
      const body: string[] = [];
      index += 1;
      while (index < lines.length && !/^```\s*$/.test(lineAt(index))) {
        body.push(lineAt(index));
        index += 1;
      }
      index += 1; // the closing fence, or past the end of an unclosed block
      blocks.push({ type: "code", language: fence[1] ?? "", text: body.join("\n") });
      continue;
    }

    const heading = HEADING.exec(line);
    if (heading) {
      const level = Math.min(4, (heading[1] ?? "#").length) as 1 | 2 | 3 | 4;
      const text = heading[2] ?? "";
      blocks.push({
        type: "heading",
        level,
        id: uniqueId(slugify(text), usedIds),
        children: parseInline(text),
      });
      index += 1;
      continue;
    }

    if (RULE.test(line)) {
      blocks.push({ type: "rule" });
      index += 1;
      continue;
    }

    if (line.includes("|") && TABLE_DIVIDER.test(lineAt(index + 1)) && lineAt(index + 1).includes("-")) {
      const header = splitRow(line);
      const align = splitRow(lineAt(index + 1)).map(alignmentOf);
      const rows: Inline[][][] = [];
      index += 2;
      while (index < lines.length && !isBlank(index) && lineAt(index).includes("|")) {
        const cells = splitRow(lineAt(index));
        rows.push(header.map((_, column) => parseInline(cells[column] ?? "")));
        index += 1;
      }
      blocks.push({ type: "table", header: header.map((cell) => parseInline(cell)), align, rows });
      continue;
    }

    if (QUOTE.test(line)) {
      const inner: string[] = [];
      while (index < lines.length && QUOTE.test(lineAt(index))) {
        inner.push(QUOTE.exec(lineAt(index))?.[1] ?? "");
        index += 1;
      }
      blocks.push({ type: "quote", children: parseMarkdown(inner.join("\n")) });
      continue;
    }

    const ordered = ORDERED_ITEM.exec(line);
    if (ordered || UNORDERED_ITEM.test(line)) {
      const pattern = ordered ? ORDERED_ITEM : UNORDERED_ITEM;
      const items: string[] = [];
      while (index < lines.length && !isBlank(index)) {
        const current = lineAt(index);
        const item = pattern.exec(current);
        if (item) {
          items.push((ordered ? item[2] : item[1]) ?? "");
        } else if (/^\s+\S/.test(current) && items.length > 0) {
          // An indented line continues the previous item.
          items[items.length - 1] = `${items[items.length - 1] ?? ""} ${current.trim()}`;
        } else {
          break;
        }
        index += 1;
      }
      blocks.push({
        type: "list",
        ordered: ordered !== null,
        start: ordered ? Number(ordered[1]) : 1,
        items: items.map((item) => parseInline(item)),
      });
      continue;
    }

    const paragraph: string[] = [];
    while (index < lines.length && !isBlank(index) && !startsOtherBlock(lineAt(index), lineAt(index + 1))) {
      paragraph.push(lineAt(index).trim());
      index += 1;
    }
    blocks.push({ type: "paragraph", children: parseInline(paragraph.join(" ")) });
  }
  return blocks;
}

function startsOtherBlock(line: string, next: string): boolean {
  return (
    HEADING.test(line) ||
    FENCE.test(line) ||
    RULE.test(line) ||
    QUOTE.test(line) ||
    UNORDERED_ITEM.test(line) ||
    ORDERED_ITEM.test(line) ||
    (line.includes("|") && TABLE_DIVIDER.test(next) && next.includes("-"))
  );
}

function splitRow(line: string): string[] {
  let row = line.trim();
  if (row.startsWith("|")) row = row.slice(1);
  if (row.endsWith("|") && !row.endsWith("\\|")) row = row.slice(0, -1);
  const cells: string[] = [];
  let current = "";
  let inCode = false;
  for (let at = 0; at < row.length; at += 1) {
    const char = row.charAt(at);
    if (char === "\\" && row.charAt(at + 1) === "|") {
      current += "|";
      at += 1;
    } else if (char === "`") {
      inCode = !inCode;
      current += char;
    } else if (char === "|" && !inCode) {
      cells.push(current.trim());
      current = "";
    } else {
      current += char;
    }
  }
  cells.push(current.trim());
  return cells;
}

function alignmentOf(divider: string): Alignment {
  const left = divider.startsWith(":");
  const right = divider.endsWith(":");
  if (left && right) return "center";
  if (right) return "right";
  if (left) return "left";
  return null;
}

export function slugify(text: string): string {
  const slug = text
    .toLowerCase()
    .replace(/[`*[\]()]/g, "")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "");
  return slug === "" ? "section" : slug;
}

function uniqueId(base: string, used: Map<string, number>): string {
  const seen = used.get(base) ?? 0;
  used.set(base, seen + 1);
  return seen === 0 ? base : `${base}-${seen + 1}`;
}

/** Links may only point at web pages, mail or this app; anything else (javascript:, data:) stays text. */
export function isSafeHref(href: string): boolean {
  return /^(https?:\/\/|mailto:|\/(?!\/)|#)/i.test(href);
}

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let plain = "";
  const flush = () => {
    if (plain !== "") out.push({ type: "text", text: plain });
    plain = "";
  };

  let at = 0;
  while (at < text.length) {
    const char = text.charAt(at);

    if (char === "\\" && at + 1 < text.length && /[\\`*_[\]()#|<>-]/.test(text.charAt(at + 1))) {
      plain += text.charAt(at + 1);
      at += 2;
      continue;
    }

    if (char === "`") {
      const close = text.indexOf("`", at + 1);
      if (close > at) {
        flush();
        out.push({ type: "code", text: text.slice(at + 1, close) });
        at = close + 1;
        continue;
      }
    }

    if (text.startsWith("**", at)) {
      const close = text.indexOf("**", at + 2);
      if (close > at + 2) {
        flush();
        out.push({ type: "strong", children: parseInline(text.slice(at + 2, close)) });
        at = close + 2;
        continue;
      }
    }

    if (char === "*" && text.charAt(at + 1) !== " ") {
      const close = text.indexOf("*", at + 1);
      if (close > at + 1) {
        flush();
        out.push({ type: "emphasis", children: parseInline(text.slice(at + 1, close)) });
        at = close + 1;
        continue;
      }
    }

    if (char === "[") {
      // One level of parentheses inside a target, as in Wikipedia-style addresses.
      const link = /^\[([^\]]+)\]\(((?:[^()\s]|\([^()\s]*\))+)\)/.exec(text.slice(at));
      if (link) {
        const [whole, label = "", href = ""] = link;
        flush();
        if (isSafeHref(href)) out.push({ type: "link", href, children: parseInline(label) });
        else out.push(...parseInline(label));
        at += whole.length;
        continue;
      }
    }

    plain += char;
    at += 1;
  }
  flush();
  return mergeText(out);
}

function mergeText(nodes: Inline[]): Inline[] {
  const merged: Inline[] = [];
  for (const node of nodes) {
    const last = merged[merged.length - 1];
    if (node.type === "text" && last?.type === "text")
      merged[merged.length - 1] = { type: "text", text: last.text + node.text };
    else merged.push(node);
  }
  return merged;
}

/** The visible text of inline content, for titles and tests. */
export function inlineText(children: Inline[]): string {
  return children
    .map((child) =>
      child.type === "text" || child.type === "code" ? child.text : inlineText(child.children),
    )
    .join("");
}
