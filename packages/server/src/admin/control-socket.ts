/**
 * The control socket: a Unix socket in the data directory through which `cogno-server backup`
 * asks the running server to act. Only the data directory's owner can reach it (the directory is
 * 0700), so it needs no other authentication; it is never exposed on the network.
 *
 * One request per connection: a line of JSON in, a line of JSON out.
 */
import { rm } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { z } from "zod";

export const controlRequestSchema = z.object({ command: z.literal("backup"), file: z.string().min(1) });
export type ControlRequest = z.infer<typeof controlRequestSchema>;

export const controlAnswerSchema = z.union([
  z.object({ ok: z.literal(true), file: z.string(), pages: z.number(), bytes: z.number() }),
  z.object({ ok: z.literal(false), message: z.string() }),
]);
export type ControlAnswer = z.infer<typeof controlAnswerSchema>;

export function controlSocketPath(dataDir: string): string {
  return path.join(dataDir, "control.sock");
}

const MAX_REQUEST_BYTES = 16 * 1024;

export async function listenForControl(
  dataDir: string,
  handle: (request: ControlRequest) => Promise<ControlAnswer>,
): Promise<{ close(): Promise<void> }> {
  const socketPath = controlSocketPath(dataDir);
  // A socket file left by a server that died: this process holds the data directory's lock, so
  // no other server can be listening on it.
  await rm(socketPath, { force: true });
  const server = net.createServer((connection) => {
    let received = "";
    connection.setEncoding("utf8");
    connection.setTimeout(10_000, () => connection.destroy());
    connection.on("error", () => {});
    connection.on("data", (chunk: string) => {
      received += chunk;
      if (received.length > MAX_REQUEST_BYTES) connection.destroy();
      const end = received.indexOf("\n");
      if (end === -1) return;
      connection.setTimeout(0);
      const answer = (request: unknown): Promise<ControlAnswer> => {
        const parsed = controlRequestSchema.safeParse(request);
        if (!parsed.success) return Promise.resolve({ ok: false, message: "unknown control request" });
        return handle(parsed.data).catch((error: unknown) => ({
          ok: false,
          message: error instanceof Error ? error.message : String(error),
        }));
      };
      let request: unknown;
      try {
        request = JSON.parse(received.slice(0, end));
      } catch {
        request = undefined;
      }
      void answer(request).then((result) => connection.end(`${JSON.stringify(result)}\n`));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(socketPath, () => resolve());
  });
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        void rm(socketPath, { force: true });
      }),
  };
}

/** Sends one request to the server of `dataDir`; rejects with code ENOENT/ECONNREFUSED when none listens. */
export function requestControl(dataDir: string, request: ControlRequest): Promise<ControlAnswer> {
  return new Promise((resolve, reject) => {
    const connection = net.connect(controlSocketPath(dataDir));
    let received = "";
    connection.setEncoding("utf8");
    connection.on("error", reject);
    connection.on("connect", () => connection.write(`${JSON.stringify(request)}\n`));
    connection.on("data", (chunk: string) => {
      received += chunk;
    });
    connection.on("end", () => {
      const parsed = controlAnswerSchema.safeParse(safeParse(received.trim()));
      if (parsed.success) resolve(parsed.data);
      else reject(new Error("the server gave an answer this command cannot read"));
    });
  });
}

function safeParse(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
