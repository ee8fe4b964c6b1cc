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

/**
 * In a child task: answers the parent's commands, one reply each. `handlers` maps a command's type
 * to the type of its reply and the work that makes it; an unknown command or failed work reports an
 * error and ends the task. The task also ends when its parent goes away, and after `hardLimitMs`.
 * @param {number} hardLimitMs
 * @param {Record<string, [string, (command: any) => Promise<object>]>} handlers
 */
export function serveParent(hardLimitMs, handlers) {
  setTimeout(() => process.exit(2), hardLimitMs).unref();
  process.on("disconnect", () => process.exit(1));
  process.on("message", (message) => {
    const command = /** @type {{ type: string }} */ (message);
    const handler = handlers[command.type];
    const work = handler
      ? handler[1](command).then((result) => ({ type: handler[0], ...result }))
      : Promise.reject(new Error(`unknown command ${JSON.stringify(command)}`));
    work.then(
      (reply) => sendToParent(reply),
      (error) =>
        sendToParent({ type: "error", message: String(error?.stack ?? error) }, () => process.exit(1)),
    );
  });
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
