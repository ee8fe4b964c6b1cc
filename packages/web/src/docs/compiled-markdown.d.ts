/** What markdown-plugin.ts makes of "x.md?compiled". */
declare module "*.md?compiled" {
  export const html: string;
  export const headings: ReadonlyArray<import("./compile-markdown.ts").DocHeading>;
}
