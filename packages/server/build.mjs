// Bundles the server and @cogno/protocol into dist/main.js; other packages stay in node_modules.
import { readFileSync } from "node:fs";
import { build } from "esbuild";

const packageJson = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8"));

await build({
  entryPoints: ["src/main.ts"],
  outfile: "dist/main.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  packages: "external",
  alias: { "@cogno/protocol": "../protocol/src/index.ts" },
  logLevel: "warning",
  define: { __COGNO_VERSION__: JSON.stringify(packageJson.version) },
});
