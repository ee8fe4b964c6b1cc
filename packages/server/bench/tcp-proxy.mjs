/**
 * A TCP proxy between one replica and PostgreSQL that the bench can cut: every connection ended and
 * new ones refused until restored, which is how a database restart looks from the replica, without
 * restarting the machine's shared PostgreSQL.
 */
import net from "node:net";

/** @param {{ host: string, port: number }} target */
export async function startCuttableProxy(target) {
  /** @type {Set<net.Socket>} */
  const sockets = new Set();
  let refusing = false;
  /** @param {net.Socket} socket */
  const track = (socket) => {
    sockets.add(socket);
    socket.on("error", () => {});
    socket.once("close", () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream);
    upstream.pipe(client);
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
  });
  /** @type {Promise<void>} */
  const listening = new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  await listening;
  const address = /** @type {net.AddressInfo} */ (server.address());
  return {
    port: address.port,
    cut() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      refusing = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      /** @type {Promise<void>} */
      const closed = new Promise((resolve) => server.close(() => resolve()));
      return closed;
    },
  };
}
