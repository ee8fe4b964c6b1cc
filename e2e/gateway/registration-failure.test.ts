/**
 * When the server cannot record a registration (its database fails), the worker is not left
 * waiting: the socket closes with 1011, which tells a worker to reconnect later, and it can.
 * PostgreSQL only: the failure is made by renaming the workers table under the running server.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createKey, signUpWithWorkspace } from "../support/api.ts";
import { useServer } from "../support/server.ts";
import { TEST_ENGINE } from "../support/store.ts";
import { connectRegistered, connectWorker, isRefusal } from "../support/worker-socket.ts";

describe.runIf(TEST_ENGINE === "postgres")("a registration the database cannot record", () => {
  const fixture = useServer();

  it("closes with 1011 (reconnect), and the worker registers once the database is back", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { key } = await createKey(owner, "unlucky");
    const database = new pg.Client({ connectionString: fixture.store.env.COGNO_DATABASE_URL });
    await database.connect();
    try {
      await database.query("ALTER TABLE workers RENAME TO workers_away");
      const worker = await connectWorker(fixture.server.url, key);
      if (isRefusal(worker)) throw new Error(`refused: ${JSON.stringify(worker.body)}`);
      worker.send({
        type: "register",
        machineId: randomUUID(),
        name: "n",
        hostname: "h",
        os: "linux",
        arch: "x64",
        version: "1",
      });
      expect((await worker.closed).code).toBe(1011);
    } finally {
      await database.query("ALTER TABLE workers_away RENAME TO workers");
      await database.end();
    }
    const again = await connectRegistered(fixture.server.url, key, randomUUID());
    expect(again.workerId).toMatch(/^wkr_/);
    again.socket.close();
  });
});
