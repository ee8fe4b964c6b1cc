/**
 * Every process the bench starts is registered here, so that a failure anywhere (or Ctrl-C) still
 * stops them all: nothing the bench started outlives it.
 */
const running = new Set();

export function trackChild(child) {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

export function hasExited(child) {
  return child.exitCode !== null || child.signalCode !== null;
}

/** Resolves when the child has exited, or after timeoutMs (then with false). */
export function waitForExit(child, timeoutMs) {
  if (hasExited(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

const stopping = new WeakMap();

/**
 * Asks politely (SIGTERM), then insists (SIGKILL) if the child is still there after graceMs.
 * Idempotent: the server treats a second SIGTERM as "force quit", so a child being stopped is
 * never signalled again by a later call.
 */
export function stopChild(child, graceMs = 5_000) {
  if (hasExited(child)) return Promise.resolve();
  let stopped = stopping.get(child);
  if (!stopped) {
    stopped = (async () => {
      child.kill("SIGTERM");
      if (await waitForExit(child, graceMs)) return;
      child.kill("SIGKILL");
      await waitForExit(child, 2_000);
    })();
    stopping.set(child, stopped);
  }
  return stopped;
}

export async function stopAllChildren() {
  await Promise.all([...running].map((child) => stopChild(child)));
}

// Last resort when the bench dies without reaching its own cleanup: exit handlers must be synchronous.
process.once("exit", () => {
  for (const child of running) if (!hasExited(child)) child.kill("SIGKILL");
});
