#!/usr/bin/env node
// `npm start`: builds the web app, server and CLI, then runs cogno-server on embedded SQLite
// (./.cogno unless COGNO_DATA_DIR says otherwise). Settings pass through from the environment.
import { spawn, spawnSync } from "node:child_process";
import path from "node:path";

const root = path.resolve(import.meta.dirname, "..");
const build = spawnSync("npm", ["run", "build"], { cwd: root, stdio: "inherit" });
if (build.status !== 0) process.exit(build.status ?? 1);

const server = spawn(process.execPath, [path.join(root, "packages/server/bin/cogno-server.js")], {
  cwd: root,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => server.kill(signal));
server.on("exit", (code) => process.exit(code ?? 0));
