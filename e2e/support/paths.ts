import { fileURLToPath } from "node:url";

export const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SERVER_BIN = fileURLToPath(
  new URL("../../packages/server/bin/cogno-server.js", import.meta.url),
);
export const CLI_BIN = fileURLToPath(new URL("../../packages/cli/bin/cogno.js", import.meta.url));
