/**
 * A TCP proxy between one replica and PostgreSQL that the bench can cut: every connection ended and
 * new ones refused until restored, which is how a database restart looks from the replica, without
 * restarting the machine's shared PostgreSQL.
 */
import net from "node:net";

export async function startCuttableProxy(target) {
  const sockets = new Set();
  let refusing = false;
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
  await /** @type {Promise<void>} */ (
    new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve()))
  );
  return {
    port: /** @type {net.AddressInfo} */ (server.address()).port,
    cut() {
      refusing = true;
      for (const socket of sockets) socket.destroy();
    },
    restore() {
      refusing = false;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return /** @type {Promise<void>} */ (new Promise((resolve) => server.close(() => resolve())));
    },
  };
}
