/**
 * Revocation fan-out: a fleet of workers registered with one key (in a child process), then the
 * key revoked, timed from sending the DELETE until the last worker has received `revoked`.
 */
import { startChildTask } from "./child-task.mjs";

/** Connects `count` workers to `workerServer`; resolves once every one of them is registered. */
export async function connectFleet(workerServer, { key, count, concurrency = 32, machinePrefix }) {
  const client = startChildTask("./fanout-client.mjs");
  try {
    client.send({ type: "connect", workerUrl: workerServer.url, key, count, concurrency, machinePrefix });
    const connected = await client.next("connected", 90_000);
    return {
      count: connected.count,
      connectMs: connected.connectMs,
      /** Revokes through `apiServer` (the same server or another replica); the fleet ends with it. */
      async revoke(apiServer, { path, cookie }) {
        try {
          client.send({ type: "revoke", apiUrl: apiServer.url, path, cookie });
          return await client.next("revoked", 30_000);
        } finally {
          await client.stop();
        }
      },
      stop: () => client.stop(),
    };
  } catch (error) {
    await client.stop();
    throw error;
  }
}
