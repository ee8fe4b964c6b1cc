/**
 * A replica can miss a NOTIFY (its listening connection dropped at the wrong moment). Revocation
 * must still reach its workers: each replica re-checks the keys of its sockets once per interval.
 * Simulated by revoking in the database directly, where no notification is sent at all.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createKey, signUpWithWorkspace } from "../support/api.ts";
import { useServer } from "../support/server.ts";
import { TEST_ENGINE } from "../support/store.ts";
import { connectRegistered } from "../support/worker-socket.ts";

const HEARTBEAT_MS = 300;

describe.runIf(TEST_ENGINE === "postgres")("a revocation whose notification was missed", () => {
  const fixture = useServer({ COGNO_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });

  it("still cuts the worker off with 4001 within about one heartbeat interval", async () => {
    const owner = await signUpWithWorkspace(fixture.server.url);
    const { apiKey, key } = await createKey(owner, "silently-revoked");
    const worker = await connectRegistered(fixture.server.url, key, randomUUID());
    const beat = setInterval(() => worker.send({ type: "heartbeat" }), HEARTBEAT_MS / 2);
    const message = worker.next(10_000);

    const database = new pg.Client({ connectionString: fixture.store.env.COGNO_DATABASE_URL });
    await database.connect();
    await database.query("UPDATE api_keys SET revoked_at = $1, revoked_by = owner_id WHERE id = $2", [
      new Date().toISOString(),
      apiKey.id,
    ]);
    await database.end();
    const revokedAt = Date.now();

    expect(await message).toEqual({
      type: "revoked",
      apiKey: { id: apiKey.id, name: apiKey.name, prefix: apiKey.prefix },
      reason: "revoked",
    });
    expect((await worker.closed).code).toBe(4001);
    clearInterval(beat);
    expect(Date.now() - revokedAt).toBeLessThan(HEARTBEAT_MS * 3);
  });
});
