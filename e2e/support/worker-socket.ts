/** A protocol-level worker for tests: a raw WebSocket speaking API.md's messages, no CLI involved. */
import WebSocket from "ws";

export interface Refusal {
  status: number;
  body: { error: { code: string; message: string } };
}

export interface TestWorker {
  socket: WebSocket;
  send(message: unknown): void;
  /** The next message from the server (already received or still to come). */
  next(timeoutMs?: number): Promise<Record<string, unknown>>;
  closed: Promise<{ code: number; reason: string }>;
}

export function connectWorker(baseUrl: string, key: string | undefined): Promise<TestWorker | Refusal> {
  const url = `${baseUrl.replace(/^http/, "ws")}/api/v1/worker/connect`;
  const socket = new WebSocket(url, { headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
  const inbox: Record<string, unknown>[] = [];
  const waiting: ((message: Record<string, unknown>) => void)[] = [];
  socket.on("message", (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
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
          if (queued) return Promise.resolve(queued);
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
      response.on("end", () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
    });
    socket.once("error", (error) => {
      if (!String(error.message).includes("Unexpected server response")) reject(error);
    });
  });
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
    workerId: String(registered.workerId),
    heartbeatIntervalMs: Number(registered.heartbeatIntervalMs),
  };
}
