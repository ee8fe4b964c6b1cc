/** Runs one of the bench's child-process scripts and talks to it over IPC, bounded in time. */
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stopChild, trackChild } from "./children.mjs";

/**
 * In a child task: sends `message` to the parent over IPC, then calls `done`.
 * @param {unknown} message
 * @param {() => void} [done]
 */
export function sendToParent(message, done = () => {}) {
  if (!process.send) throw new Error("a bench child task runs with an IPC channel to its parent");
  process.send(message, undefined, undefined, done);
}

export function startChildTask(script) {
  const child = trackChild(
    fork(fileURLToPath(new URL(script, import.meta.url)), [], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      serialization: "json",
    }),
  );
  const inbox = [];
  const waiters = [];
  const deliver = (message) => {
    const waiter = waiters.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  };
  child.on("message", deliver);
  child.once("exit", (code, signal) => deliver({ type: "exit", code, signal }));

  return {
    pid: child.pid,
    send(message) {
      child.send(message);
    },
    /** The child's next message; an error report, an early exit or a timeout rejects. */
    async next(expectedType, timeoutMs) {
      const message =
        inbox.shift() ??
        (await new Promise((resolve, reject) => {
          const timer = setTimeout(() => {
            const index = waiters.indexOf(onMessage);
            if (index >= 0) waiters.splice(index, 1);
            reject(new Error(`${script}: no "${expectedType}" within ${timeoutMs} ms`));
          }, timeoutMs);
          const onMessage = (received) => {
            clearTimeout(timer);
            resolve(received);
          };
          waiters.push(onMessage);
        }));
      if (message.type === "error") throw new Error(`${script}: ${message.message}`);
      if (message.type === "exit") {
        throw new Error(`${script} exited (${message.code ?? message.signal}) before "${expectedType}"`);
      }
      if (message.type !== expectedType) {
        throw new Error(`${script}: expected "${expectedType}", got "${message.type}"`);
      }
      return message;
    },
    stop: () => stopChild(child, 2_000),
  };
}
