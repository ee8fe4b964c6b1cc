/**
 * A WebSocket client written on a bare TCP socket, for clients that do not cooperate: it reads
 * what the server sends but never answers a close frame, and it keeps sending whatever it is told
 * to until the server destroys the TCP connection. (The `ws` client answers close frames itself,
 * so it cannot play this part.)
 */
import { randomBytes } from "node:crypto";
import net from "node:net";
import { type ServerMessage, serverMessageSchema } from "@cogno/protocol";
import { assertShape } from "../support/api.ts";

export interface RawWorker {
  /** Sends a masked text frame (ignored if the TCP connection is gone). */
  send(message: unknown): void;
  /**
   * Every text message received so far, checked against the protocol's server-message schema
   * (a frame outside it throws from the socket's listener, an unhandled error that fails the run).
   */
  messages: ServerMessage[];
  /** The close code the server sent, once it sent one (never answered). */
  closeCode(): number | undefined;
  /** Resolves when the TCP connection is gone. */
  gone: Promise<void>;
  isGone(): boolean;
  destroy(): void;
}

export async function openRawWorker(baseUrl: string, key: string): Promise<RawWorker> {
  const url = new URL(baseUrl);
  const socket = net.connect(Number(url.port), url.hostname);
  socket.on("error", () => {}); // writes after the server destroyed the connection: expected here
  let goneFlag = false;
  const gone = new Promise<void>((resolve) =>
    socket.once("close", () => {
      goneFlag = true;
      resolve();
    }),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.write(
    [
      "GET /api/v1/worker/connect HTTP/1.1",
      `Host: ${url.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${randomBytes(16).toString("base64")}`,
      "Sec-WebSocket-Version: 13",
      `Authorization: Bearer ${key}`,
      "",
      "",
    ].join("\r\n"),
  );

  const messages: ServerMessage[] = [];
  let closeCode: number | undefined;
  let buffer = Buffer.alloc(0);
  let upgraded = false;
  const upgradedOrRefused = new Promise<void>((resolve, reject) => {
    socket.on("data", (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      if (!upgraded) {
        const end = buffer.indexOf("\r\n\r\n");
        if (end < 0) return;
        const head = buffer.subarray(0, end).toString("latin1");
        if (!head.startsWith("HTTP/1.1 101")) {
          reject(new Error(`upgrade refused: ${head.split("\r\n")[0]}`));
          return;
        }
        upgraded = true;
        buffer = buffer.subarray(end + 4);
        resolve();
      }
      for (let frame = readFrame(buffer); frame !== undefined; frame = readFrame(buffer)) {
        buffer = buffer.subarray(frame.size);
        if (frame.opcode === 0x1) {
          const message: unknown = JSON.parse(frame.payload.toString("utf8"));
          assertShape(serverMessageSchema, message);
          messages.push(message);
        }
        if (frame.opcode === 0x8)
          closeCode = frame.payload.length >= 2 ? frame.payload.readUInt16BE(0) : 1005;
      }
    });
    void gone.then(() => reject(new Error("connection closed before the upgrade")));
  });
  await upgradedOrRefused;

  return {
    send(message) {
      if (goneFlag || socket.destroyed) return;
      socket.write(maskedTextFrame(JSON.stringify(message)));
    },
    messages,
    closeCode: () => closeCode,
    gone,
    isGone: () => goneFlag,
    destroy: () => socket.destroy(),
  };
}

function readFrame(buffer: Buffer): { opcode: number; payload: Buffer; size: number } | undefined {
  if (buffer.length < 2) return undefined;
  const opcode = (buffer[0] ?? 0) & 0x0f;
  let length = (buffer[1] ?? 0) & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (buffer.length < 4) return undefined;
    length = buffer.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (buffer.length < 10) return undefined;
    length = Number(buffer.readBigUInt64BE(2));
    offset = 10;
  }
  if (buffer.length < offset + length) return undefined;
  return { opcode, payload: buffer.subarray(offset, offset + length), size: offset + length };
}

function maskedTextFrame(text: string): Buffer {
  const payload = Buffer.from(text, "utf8");
  const mask = randomBytes(4);
  const header =
    payload.length < 126
      ? Buffer.from([0x81, 0x80 | payload.length])
      : Buffer.from([0x81, 0x80 | 126, payload.length >> 8, payload.length & 0xff]);
  const masked = Buffer.alloc(payload.length);
  for (let i = 0; i < payload.length; i++) masked[i] = (payload[i] ?? 0) ^ (mask[i % 4] ?? 0);
  return Buffer.concat([header, mask, masked]);
}
