/**
 * A Vite plugin that compiles a Markdown file when the app is built: importing "x.md?compiled"
 * yields `html` and `headings` (compile-markdown.ts), so the browser never parses Markdown. The
 * source itself stays importable with "?raw", for Copy for LLM.
 */
import { readFile } from "node:fs/promises";
import type { Plugin } from "vite";
import { compileMarkdown } from "./compile-markdown.ts";

const QUERY = "?compiled";

export function compiledMarkdown(): Plugin {
  return {
    name: "cogno:compiled-markdown",
    enforce: "pre",
    async load(id) {
      if (!id.endsWith(`.md${QUERY}`)) return null;
      const file = id.slice(0, -QUERY.length);
      this.addWatchFile(file);
      const { html, headings } = compileMarkdown(await readFile(file, "utf8"));
      return `export const html = ${JSON.stringify(html)};\nexport const headings = ${JSON.stringify(headings)};\n`;
    },
  };
}
