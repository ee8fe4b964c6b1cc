/** A protocol-level worker for tests: a raw WebSocket speaking API.md's messages, no CLI involved. */
import { type ErrorBody, errorBodySchema, type ServerMessage, serverMessageSchema } from "@cogno/protocol";
import WebSocket from "ws";
import { assertShape } from "./api.ts";

export interface Refusal {
  status: number;
  body: ErrorBody;
}

export interface TestWorker {
  socket: WebSocket;
  send(message: unknown): void;
  /** The next message from the server (already received or still to come), checked against the
   * protocol's server-message schema: a message outside it rejects, failing the test. */
  next(timeoutMs?: number): Promise<ServerMessage>;
  closed: Promise<{ code: number; reason: string }>;
}

export function connectWorker(baseUrl: string, key: string | undefined): Promise<TestWorker | Refusal> {
  const url = `${baseUrl.replace(/^http/, "ws")}/api/v1/worker/connect`;
  const socket = new WebSocket(url, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
  // Each frame is kept as its parse result, so that a frame outside the schema fails the next()
  // that reads it rather than throwing inside the socket's listener.
  const inbox: Promise<ServerMessage>[] = [];
  const waiting: ((message: Promise<ServerMessage>) => void)[] = [];
  socket.on("message", (data) => {
    const message = readServerMessage(String(data));
    message.catch(() => {}); // read (and failed) by next(), not here
    const resolve = waiting.shift();
    if (resolve) resolve(message);
    else inbox.push(message);
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.on("close", (code, reason) => resolve({ code, reason: String(reason) })),
  );
  return new Promise((resolve, reject) => {
    socket.once("open", () =>
      resolve({
        socket,
        closed,
        send: (message) => socket.send(typeof message === "string" ? message : JSON.stringify(message)),
        next: (timeoutMs = 5_000) => {
          const queued = inbox.shift();
          if (queued !== undefined) return queued;
          return new Promise((resolveMessage, rejectMessage) => {
            const timer = setTimeout(
              () => rejectMessage(new Error("no message from the server in time")),
              timeoutMs,
            );
            waiting.push((message) => {
              clearTimeout(timer);
              resolveMessage(message);
            });
          });
        },
      }),
    );
    socket.once("unexpected-response", (_request, response) => {
      let text = "";
      response.on("data", (chunk: Buffer) => {
        text += chunk.toString();
      });
      response.on("end", () => {
        try {
          const body: unknown = JSON.parse(text);
          assertShape(errorBodySchema, body);
          resolve({ status: response.statusCode ?? 0, body });
        } catch (error) {
          reject(error);
        }
      });
    });
    socket.once("error", (error) => {
      if (!String(error.message).includes("Unexpected server response")) reject(error);
    });
  });
}

/** A server frame, parsed with the protocol's server-message schema; kept whole for equality checks. */
async function readServerMessage(text: string): Promise<ServerMessage> {
  const message: unknown = JSON.parse(text);
  assertShape(serverMessageSchema, message);
  return message;
}

export function isRefusal(value: TestWorker | Refusal): value is Refusal {
  return "status" in value;
}

export async function connectRegistered(
  baseUrl: string,
  key: string,
  machineId: string,
  name = machineId,
): Promise<TestWorker & { workerId: string; heartbeatIntervalMs: number }> {
  const worker = await connectWorker(baseUrl, key);
  if (isRefusal(worker)) throw new Error(`refused: ${worker.status} ${JSON.stringify(worker.body)}`);
  worker.send({
    type: "register",
    machineId,
    name,
    hostname: `${name}.local`,
    os: "linux",
    arch: "x64",
    version: "0.1.0",
  });
  const registered = await worker.next();
  if (registered.type !== "registered")
    throw new Error(`expected registered, got ${JSON.stringify(registered)}`);
  return {
    ...worker,
    workerId: registered.workerId,
    heartbeatIntervalMs: registered.heartbeatIntervalMs,
  };
}
