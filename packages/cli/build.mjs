// Bundles the CLI into one file so `cogno` starts fast and @cogno/protocol (TypeScript source) is
// compiled in. Dependencies are bundled too; only ws's optional native add-ons stay out.
import { readFile } from "node:fs/promises";
import { build } from "esbuild";

const packageJson = JSON.parse(await readFile(new URL("./package.json", import.meta.url), "utf8"));

await build({
  entryPoints: [new URL("./src/bin.ts", import.meta.url).pathname],
  outfile: new URL("./dist/cogno.js", import.meta.url).pathname,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  minify: true,
  sourcemap: false,
  legalComments: "none",
  define: { __COGNO_VERSION__: JSON.stringify(packageJson.version) },
  // ws loads these with a guarded require and works without them.
  external: ["bufferutil", "utf-8-validate"],
  // Bundled CommonJS (commander, ws) calls require() for Node built-ins; ESM has no require of its own.
  banner: {
    js: 'import { createRequire as __cognoCreateRequire } from "node:module";\nconst require = __cognoCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});
