/** Starts the real cogno-server process for a test and reads its ready line for the URL. */
import { type ChildProcess, spawn } from "node:child_process";
import { afterAll, beforeAll } from "vitest";
import { SERVER_BIN } from "./paths.ts";
import { createTestStore, type TestStore } from "./store.ts";

export interface RunningServer {
  url: string;
  port: number;
  process: ChildProcess;
  /** Everything the server printed so far, stdout and stderr. */
  output(): string;
  /** Sends a signal and waits for the process to end; resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  store: TestStore;
  env?: Record<string, string>;
  /** Reuse a port, e.g. to restart a server under running workers. Default: any free port. */
  port?: number;
  timeoutMs?: number;
}

const READY = /Cogno server ready at (http:\/\/[^\s]+?)\s/;

export async function startServer(options: StartOptions): Promise<RunningServer> {
  const child = spawn(process.execPath, [SERVER_BIN], {
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      COGNO_HOST: "127.0.0.1",
      COGNO_PORT: String(options.port ?? 0),
      COGNO_LOG_FORMAT: "json",
      COGNO_AUTH_FAILURES_PER_MINUTE: "1000",
      // Tests sign up many users from 127.0.0.1.
      COGNO_SIGNUPS_PER_MINUTE: "1000",
      ...options.store.env,
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`server did not start in time:\n${output}`)),
      options.timeoutMs ?? 20_000,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY.exec(output);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code} before it was ready:\n${output}`));
    });
  });
  return {
    url,
    port: Number(new URL(url).port),
    process: child,
    output: () => output,
    async stop(signal = "SIGTERM") {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      return exited;
    },
  };
}

export interface ServerFixture {
  readonly server: RunningServer;
  readonly store: TestStore;
}

/**
 * One real server on a fresh store for the test file that calls it: started before its tests,
 * stopped and cleaned up after them.
 */
export function useServer(env: Record<string, string> = {}): ServerFixture {
  let running: { server: RunningServer; store: TestStore } | undefined;
  beforeAll(async () => {
    const store = await createTestStore();
    running = { store, server: await startServer({ store, env }) };
  });
  afterAll(async () => {
    await running?.server.stop();
    await running?.store.cleanup();
  });
  const current = () => {
    if (!running)
      throw new Error("useServer: the server is started in beforeAll; use it inside tests and hooks");
    return running;
  };
  return {
    get server() {
      return current().server;
    },
    get store() {
      return current().store;
    },
  };
}
