/**
 * A TCP proxy a test can freeze: every byte between the server under test and its database goes
 * through it, and `freeze()` stops reading in both directions, as a stopped database machine would
 * look from the server (connections stay open, nothing answers). Nothing of the real database
 * server is stopped, so other users of it are not disturbed.
 */
import net from "node:net";

export interface TcpProxy {
  port: number;
  /** Stops passing bytes (connections stay open, new ones are accepted and stall). */
  freeze(): void;
  /** Passes bytes again, those held meanwhile included. */
  thaw(): void;
  /**
   * Ends every connection and refuses new ones until `restore()`, as a database restart or a lost
   * link looks from the server.
   */
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/** `latencyMs` delays every chunk, each way, as a link to a database in another zone would. */
export async function startTcpProxy(
  target: { host: string; port: number },
  options: { latencyMs?: number } = {},
): Promise<TcpProxy> {
  const latencyMs = options.latencyMs ?? 0;
  const sockets = new Set<net.Socket>();
  let frozen = false;
  let refusing = false;
  const track = (socket: net.Socket): void => {
    sockets.add(socket);
    if (frozen) socket.pause();
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  };
  // Not pipe(): it resumes a source when its destination drains, which would thaw a frozen proxy.
  const forward = (from: net.Socket, to: net.Socket): void => {
    from.on("data", (chunk: Buffer) => {
      if (latencyMs > 0) {
        // Equal delays keep the order; back-pressure is not modelled on a delayed link.
        setTimeout(() => {
          if (!to.destroyed) to.write(chunk);
        }, latencyMs);
        return;
      }
      if (!to.write(chunk)) from.pause();
    });
    to.on("drain", () => {
      if (!frozen) from.resume();
    });
  };
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    forward(client, upstream);
    forward(upstream, client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the proxy has no port");
  return {
    port: address.port,
    freeze() {
      frozen = true;
      for (const socket of sockets) socket.pause();
    },
    thaw() {
      frozen = false;
      for (const socket of sockets) socket.resume();
    },
    cut() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      refusing = false;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
