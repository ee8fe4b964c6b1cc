/**
 * Compiles the Docs page's Markdown to HTML while the app is built (markdown-plugin.ts), with marked
 * (GitHub-flavoured: tables, fenced code, intraword underscores left alone, so `cogno_wk_` survives).
 * The documents are ours, but the output keeps two rules so that a careless edit cannot open a
 * hole in the page: raw HTML in a document shows as text, and a link keeps its target only when it
 * is a web page, mail, an anchor of the page or a path of this app (isAppPath: never "//host",
 * "/\host" or "/<tab>/host"); any other link keeps its words and loses its target.
 */
import GithubSlugger from "github-slugger";
import { Marked, Renderer } from "marked";
import { escapeHtml, unescapeHtml } from "../lib/escape-html.ts";
import { holdsUnsafeCharacter, isAppPath } from "../lib/route-match.ts";

export interface DocHeading {
  level: number;
  /** The element id, as GitHub makes it ("Create a key" → "create-a-key"), unique in the page. */
  id: string;
  text: string;
}

export interface CompiledDoc {
  html: string;
  headings: DocHeading[];
}

const WEB_PROTOCOLS = new Set(["http:", "https:", "mailto:"]);

/** Where a link in the docs may point: a web page, mail, an anchor of this page, or a path of this app. */
export function isSafeDocHref(href: string): boolean {
  if (href.startsWith("#")) return /^#[\w-]+$/.test(href);
  if (href.startsWith("/")) return isAppPath(href);
  if (holdsUnsafeCharacter(href, { spaceAllowed: false })) return false;
  try {
    return WEB_PROTOCOLS.has(new URL(href).protocol);
  } catch {
    return false; // not absolute, so relative to the page: no document of ours needs that
  }
}

export function compileMarkdown(source: string): CompiledDoc {
  const headings: DocHeading[] = [];
  const slugger = new GithubSlugger();
  const marked = new Marked({
    gfm: true,
    renderer: {
      heading({ tokens, depth }) {
        const inner = this.parser.parseInline(tokens);
        const text = unescapeHtml(this.parser.parseInline(tokens, this.parser.textRenderer));
        const id = slugger.slug(text);
        headings.push({ level: depth, id, text });
        // The page's h1 takes focus after a navigation, so a screen reader announces the new page.
        const focusable = depth === 1 ? ' tabindex="-1"' : "";
        return `<h${depth} id="${escapeHtml(id)}"${focusable}>${inner}</h${depth}>\n`;
      },
      link({ href, title, tokens }) {
        const label = this.parser.parseInline(tokens);
        if (!isSafeDocHref(href)) return label;
        const titled = title ? ` title="${escapeHtml(title)}"` : "";
        const external = /^https?:/i.test(href) ? ' rel="noreferrer"' : "";
        return `<a href="${escapeHtml(href)}"${titled}${external}>${label}</a>`;
      },
      // A wide table scrolls inside its own box instead of widening the page on a phone.
      table(token) {
        return `<div class="table-scroll">${Renderer.prototype.table.call(this, token)}</div>\n`;
      },
      // The docs have no pictures; an image would be a request to wherever its address points.
      image({ text }) {
        return escapeHtml(text);
      },
      html({ text, block }) {
        return block ? `<p>${escapeHtml(text.trim())}</p>\n` : escapeHtml(text);
      },
    },
  });
  const html = marked.parse(source, { async: false });
  return { html, headings };
}
