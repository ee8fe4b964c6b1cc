/**
 * docs/worker-service.md gives a systemd unit, a launchd plist and a wrapper script for the worker
 * daemon. They must agree with the exit codes the CLI really uses (EXIT_CODES): a refused key (3) is
 * never restarted, a clean stop (0, also after a stop from the web app) is not restarted, other
 * failures (1) are. The unit is checked with systemd-analyze where it is installed, and the wrapper
 * is run for real with a stand-in for the CLI.
 */
import { execFile, spawn } from "node:child_process";
import { once } from "node:events";
import { access, chmod, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { EXIT_CODES } from "@cogno/protocol";
import { describe, expect, it } from "vitest";

const DOC_PATH = fileURLToPath(new URL("../../../docs/worker-service.md", import.meta.url));
const README_PATH = fileURLToPath(new URL("../../../README.md", import.meta.url));

/** The doc's files: fenced blocks whose info string names one (```ini cogno-worker.service). */
async function readDocumentedFiles(): Promise<Map<string, string>> {
  const doc = await readFile(DOC_PATH, "utf8");
  const files = new Map<string, string>();
  for (const match of doc.matchAll(/^```\w+ (\S+)\n([\s\S]*?)^```$/gm)) {
    const [, name, body] = match;
    if (name !== undefined && body !== undefined) files.set(name, body);
  }
  return files;
}

async function documentedFile(name: string): Promise<string> {
  const file = (await readDocumentedFiles()).get(name);
  if (file === undefined) throw new Error(`docs/worker-service.md has no ${name}`);
  return file;
}

function directiveValues(unit: string, name: string): string[] {
  return [...unit.matchAll(new RegExp(`^${name}=(.*)$`, "gm"))].map((match) => match[1] ?? "");
}

async function hasSystemdAnalyze(): Promise<boolean> {
  try {
    await promisify(execFile)("systemd-analyze", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

const SYSTEMD_ANALYZE = await hasSystemdAnalyze();

describe("the systemd unit", () => {
  it("never restarts a refused key (3) or a usage error (2), and restarts only on failure, so exit 0 stays stopped", async () => {
    const unit = await documentedFile("cogno-worker.service");
    expect(directiveValues(unit, "Restart")).toEqual(["on-failure"]);
    const prevented = directiveValues(unit, "RestartPreventExitStatus").flatMap((value) =>
      value.split(/\s+/),
    );
    expect(prevented).toContain(String(EXIT_CODES.keyRefused));
    expect(prevented).toContain(String(EXIT_CODES.usage));
    expect(prevented).not.toContain(String(EXIT_CODES.failure));
    expect(EXIT_CODES.ok).toBe(0); // on-failure restarts on any non-zero exit, never on 0
  });

  it("reads COGNO_TOKEN from an environment file, never from the unit itself", async () => {
    const unit = await documentedFile("cogno-worker.service");
    expect(directiveValues(unit, "EnvironmentFile")).toEqual(["/etc/cogno/worker.env"]);
    expect(unit).not.toContain("COGNO_TOKEN");
  });

  it.skipIf(!SYSTEMD_ANALYZE)("passes systemd-analyze verify without a warning", async () => {
    const dir = await mkdtemp(join(tmpdir(), "cogno-unit-"));
    const cli = join(dir, "cogno.mjs");
    await writeFile(cli, "");
    // The unit as a machine here would install it: this Node.js, and a CLI file that exists.
    const unit = (await documentedFile("cogno-worker.service")).replace(
      /^ExecStart=\S+ \S+$/m,
      `ExecStart=${process.execPath} ${cli}`,
    );
    const path = join(dir, "cogno-worker.service");
    await writeFile(path, unit);
    const { stderr } = await promisify(execFile)("systemd-analyze", ["verify", path]);
    expect(stderr).toBe("");
  });
});

describe("the launchd plist and its wrapper", () => {
  it("keeps the job alive only after a non-zero exit", async () => {
    const plist = await documentedFile("com.example.cogno-worker.plist");
    expect(plist).toMatch(
      /<key>KeepAlive<\/key>\s*<dict>\s*<key>SuccessfulExit<\/key>\s*<false\/>\s*<\/dict>/,
    );
    expect(plist).toContain("<string>/usr/local/libexec/cogno-worker</string>");
    expect(plist).not.toContain("COGNO_TOKEN");
  });

  /** Runs the documented wrapper with a stand-in CLI that exits as told (or on SIGTERM, 0). */
  async function runWrapper(cliExit: number | "wait-for-sigterm") {
    const dir = await mkdtemp(join(tmpdir(), "cogno-wrapper-"));
    const wrapper = join(dir, "cogno-worker");
    await writeFile(wrapper, await documentedFile("cogno-worker"));
    await chmod(wrapper, 0o755);
    const envFile = join(dir, "worker.env");
    await writeFile(envFile, "COGNO_TOKEN=cogno_wk_from_the_env_file\n", { mode: 0o600 });
    const seen = join(dir, "seen.txt");
    const cli = join(dir, "cogno.mjs");
    await writeFile(
      cli,
      `import { writeFileSync } from "node:fs";
writeFileSync(${JSON.stringify(seen)}, process.env.COGNO_TOKEN ?? "none");
${
  cliExit === "wait-for-sigterm"
    ? `process.on("SIGTERM", () => { writeFileSync(${JSON.stringify(seen)}, "SIGTERM"); process.exit(0); });
setInterval(() => {}, 1000);`
    : `process.exit(${cliExit});`
}`,
    );
    const child = spawn("/bin/sh", [wrapper], {
      env: {
        PATH: process.env.PATH ?? "",
        COGNO_ENV_FILE: envFile,
        COGNO_NODE: process.execPath,
        COGNO_CLI: cli,
      },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const exited = once(child, "exit").then(([code]) => code as number | null);
    return { child, exited, seenPath: seen, stderr: () => stderr };
  }

  async function readWhenWritten(path: string, expected?: string): Promise<string> {
    for (let attempt = 0; attempt < 400; attempt += 1) {
      const text = await readFile(path, "utf8").catch(() => "");
      if (text !== "" && (expected === undefined || text === expected)) return text;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    throw new Error(`${path} never held ${expected ?? "anything"}`);
  }

  it("reports a refused key (3) to launchd as 0, so it is not restarted, and says so", async () => {
    const run = await runWrapper(EXIT_CODES.keyRefused);
    expect(await run.exited).toBe(0);
    expect(run.stderr()).toContain("the key was refused (exit 3); not restarting");
    expect(await readFile(run.seenPath, "utf8")).toBe("cogno_wk_from_the_env_file");
  });

  it.each([EXIT_CODES.ok, EXIT_CODES.failure, EXIT_CODES.usage])("passes exit %i through", async (code) => {
    const run = await runWrapper(code);
    expect(await run.exited).toBe(code);
  });

  it("passes SIGTERM on to the worker, which stops cleanly (exit 0)", async () => {
    const run = await runWrapper("wait-for-sigterm");
    await readWhenWritten(run.seenPath, "cogno_wk_from_the_env_file");
    run.child.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(await readWhenWritten(run.seenPath, "SIGTERM")).toBe("SIGTERM");
  });
});

describe("the README", () => {
  it("links the service guide", async () => {
    const readme = await readFile(README_PATH, "utf8");
    expect(readme).toContain("(docs/worker-service.md)");
    await access(DOC_PATH);
  });
});
