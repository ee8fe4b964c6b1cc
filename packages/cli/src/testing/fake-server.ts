/**
 * A stand-in for the endpoints of API.md the CLI calls (whoami, the worker socket, the device
 * login), for unit tests of the CLI's client side (backoff, close codes, refused upgrades, the
 * browser login's polling) that need exact control over what the server does and when. What the CLI
 * sends is checked with the contract's schemas. The end-to-end tests in e2e/ run the real server.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import {
  type DeviceAuthorization,
  deviceAuthorizeBodySchema,
  deviceTokenBodySchema,
  type WhoamiResponse,
  workerMessageSchema,
} from "@cogno/protocol";
import { type WebSocket, WebSocketServer } from "ws";
import type { z } from "zod";

export interface HttpAnswer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export interface FakeConnection {
  socket: WebSocket;
  authorization: string | undefined;
  received: unknown[];
  /** Resolves with the next message received (or one already waiting). */
  nextMessage: () => Promise<unknown>;
  closed: Promise<{ code: number }>;
}

export interface FakeServer {
  url: string;
  /** What GET /api/v1/worker/whoami answers; the default accepts any key. */
  answerWhoami: (authorization: string | undefined) => HttpAnswer;
  /** Refuse the upgrade with this answer instead of accepting it, when set. */
  refuseUpgrade: ((authorization: string | undefined) => HttpAnswer | undefined) | undefined;
  connections: FakeConnection[];
  waitForConnection: (index: number) => Promise<FakeConnection>;
  upgradeAttempts: number;
  /** What POST /api/v1/device/authorize answers; the default starts a login with FAKE_USER_CODE. */
  answerDeviceAuthorize: (body: unknown) => HttpAnswer;
  /** What the `poll`-th POST /api/v1/device/token (0-based) answers; the default: authorization_pending. */
  answerDeviceToken: (body: unknown, poll: number) => HttpAnswer;
  /** Bodies of the device requests, as the contract's schema reads them ({ invalid } if it does not). */
  deviceRequests: { path: string; body: unknown }[];
  close: () => Promise<void>;
}

export const FAKE_USER_CODE = "WDJB-MJHT";

export function fakeDeviceAuthorization(serverUrl: string): DeviceAuthorization {
  return {
    deviceCode: "fake-device-code-0123456789",
    userCode: FAKE_USER_CODE,
    verificationUri: `${serverUrl}/device`,
    verificationUriComplete: `${serverUrl}/device?code=${FAKE_USER_CODE}`,
    expiresIn: 900,
    interval: 5,
  };
}

export function deviceError(code: string, message = `The login is ${code}.`): HttpAnswer {
  return { status: 400, body: { error: { code, message } } };
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
  });
}

function readWith(schema: z.ZodType, text: string): unknown {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : { invalid: text };
  } catch {
    return { invalid: text };
  }
}

export const FAKE_WHOAMI: WhoamiResponse = {
  workspace: { id: "wsp_test", name: "Test workspace" },
  apiKey: { id: "key_test", name: "test-laptop-worker", prefix: "cogno_wk_00000000" },
  user: { id: "usr_test", email: "alice@example.com", name: "Alice" },
};

function sendJson(response: ServerResponse, answer: HttpAnswer): void {
  response.writeHead(answer.status, { "content-type": "application/json", ...answer.headers });
  response.end(JSON.stringify(answer.body));
}

function refuseSocket(socket: Duplex, answer: HttpAnswer): void {
  const body = JSON.stringify(answer.body);
  const extra = Object.entries(answer.headers ?? {})
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join("");
  socket.end(
    `HTTP/1.1 ${answer.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n${extra}connection: close\r\n\r\n${body}`,
  );
}

function trackConnection(socket: WebSocket, request: IncomingMessage): FakeConnection {
  const received: unknown[] = [];
  const waiters: ((message: unknown) => void)[] = [];
  let consumed = 0;
  socket.on("message", (data) => {
    // The contract's schema checks what the CLI sends: a frame it does not fit shows up in a test's
    // expectations as { invalid: <the text> } instead of passing unnoticed.
    let message: unknown;
    try {
      const parsed = workerMessageSchema.safeParse(JSON.parse(data.toString()));
      message = parsed.success ? parsed.data : { invalid: data.toString() };
    } catch {
      message = { invalid: data.toString() };
    }
    received.push(message);
    const waiter = waiters.shift();
    if (waiter !== undefined) {
      consumed += 1;
      waiter(message);
    }
  });
  return {
    socket,
    authorization: request.headers.authorization,
    received,
    nextMessage: () =>
      new Promise((resolve) => {
        if (consumed < received.length) {
          resolve(received[consumed]);
          consumed += 1;
        } else {
          waiters.push(resolve);
        }
      }),
    closed: new Promise((resolve) => socket.on("close", (code) => resolve({ code }))),
  };
}

export async function startFakeServer(): Promise<FakeServer> {
  const sockets = new WebSocketServer({ noServer: true });
  const connectionWaiters: (() => void)[] = [];
  let polls = 0;
  const http: Server = createServer((request, response) => {
    if (request.url === "/api/v1/worker/whoami") {
      sendJson(response, fake.answerWhoami(request.headers.authorization));
    } else if (request.method === "POST" && request.url === "/api/v1/device/authorize") {
      void readBody(request).then((text) => {
        const body = readWith(deviceAuthorizeBodySchema, text);
        fake.deviceRequests.push({ path: "authorize", body });
        sendJson(response, fake.answerDeviceAuthorize(body));
      });
    } else if (request.method === "POST" && request.url === "/api/v1/device/token") {
      void readBody(request).then((text) => {
        const body = readWith(deviceTokenBodySchema, text);
        fake.deviceRequests.push({ path: "token", body });
        sendJson(response, fake.answerDeviceToken(body, polls));
        polls += 1;
      });
    } else {
      sendJson(response, { status: 404, body: { error: { code: "not_found", message: "No such route." } } });
    }
  });
  const fake: FakeServer = {
    url: "",
    answerWhoami: () => ({ status: 200, body: FAKE_WHOAMI }),
    refuseUpgrade: undefined,
    connections: [],
    upgradeAttempts: 0,
    answerDeviceAuthorize: () => ({ status: 200, body: fakeDeviceAuthorization(fake.url) }),
    answerDeviceToken: () => deviceError("authorization_pending"),
    deviceRequests: [],
    waitForConnection: (index) =>
      new Promise((resolve) => {
        const check = (): void => {
          const connection = fake.connections[index];
          if (connection !== undefined) resolve(connection);
          else connectionWaiters.push(check);
        };
        check();
      }),
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      sockets.close();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
  http.on("upgrade", (request, socket, head) => {
    fake.upgradeAttempts += 1;
    const refusal = fake.refuseUpgrade?.(request.headers.authorization);
    if (refusal !== undefined) {
      refuseSocket(socket, refusal);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (client) => {
      fake.connections.push(trackConnection(client, request));
      for (const waiter of connectionWaiters.splice(0)) waiter();
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const address = http.address();
  if (address === null || typeof address === "string") throw new Error("the fake server has no TCP port");
  fake.url = `http://127.0.0.1:${address.port}`;
  return fake;
}
