// Bundles the server and @cogno/protocol into dist/main.js; other packages stay in node_modules.
import { build } from "esbuild";

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
});
