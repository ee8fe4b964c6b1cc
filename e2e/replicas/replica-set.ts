/**
 * Helpers for the replica tests: several real cogno-server processes on one PostgreSQL database
 * (each may reach it through its own TCP proxy, to be cut off alone), an owner to act as, and the
 * race that fires requests and worker registrations at every replica around a DELETE.
 */
import { randomUUID } from "node:crypto";
import pg from "pg";
import { ApiClient, createKey, signUpWithWorkspace } from "../support/api.ts";
import { type RunningServer, startServer } from "../support/server.ts";
import type { TestStore } from "../support/store.ts";
import { connectWorker, isRefusal } from "../support/worker-socket.ts";

export type Owner = Awaited<ReturnType<typeof signUpWithWorkspace>>;

/** The store's settings with the database reached through `port` on loopback instead. */
export function throughPort(store: TestStore, port: number): Record<string, string> {
  const url = new URL(store.env.COGNO_DATABASE_URL ?? "");
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return { ...store.env, COGNO_DATABASE_URL: url.toString() };
}

/**
 * `count` replicas: the first reaches the database directly, the others through `farPort` when
 * given (a proxy that delays every byte, as a replica in another zone would see its database).
 */
export async function startReplicas(store: TestStore, count: number, farPort?: number) {
  const first = await startServer({ store });
  const far = farPort === undefined ? {} : throughPort(store, farPort);
  const others = await Promise.all(Array.from({ length: count - 1 }, () => startServer({ store, env: far })));
  return [first, ...others];
}

/** Runs one SQL statement on the store's database. */
export async function query<Row extends pg.QueryResultRow>(
  store: TestStore,
  text: string,
  values: unknown[] = [],
): Promise<Row[]> {
  const client = new pg.Client({ connectionString: store.env.COGNO_DATABASE_URL });
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

export function revoke(server: RunningServer, owner: Owner, keyId: string) {
  return new ApiClient(server.url).request(
    "DELETE",
    `/api/v1/workspaces/${owner.workspaceId}/api-keys/${keyId}`,
    undefined,
    { cookie: owner.client.sessionCookie ?? "" },
  );
}

export function whoami(server: RunningServer, key: string) {
  return new ApiClient(server.url).request("GET", "/api/v1/worker/whoami", undefined, {
    authorization: `Bearer ${key}`,
  });
}

interface Attempt {
  kind: "request" | "register";
  replica: number;
  /** When the test sent it (the request, or the register message), by this process's clock. */
  sentAt: number;
  succeeded: boolean;
  machineId?: string;
}

export interface RaceResult {
  answeredAt: number;
  deleteStatus: number;
  attempts: Attempt[];
  /** Attempts sent after the DELETE answered that succeeded anyway: must be none. */
  lateSuccesses: Attempt[];
  /** Machine ids registered after the DELETE answered that have a worker row: must be none. */
  lateRows: string[];
}

/**
 * One round: a fresh key; requests (`requests` of them, `concurrency` at a time, spread over every
 * replica) and `registers` worker sockets on the replicas other than the first, whose `register`
 * messages go out at spread moments around a DELETE sent to the first replica.
 */
export async function raceRevocation(
  store: TestStore,
  replicas: RunningServer[],
  owner: Owner,
  options: { requests: number; concurrency: number; registers: number },
): Promise<RaceResult> {
  const [api] = replicas;
  if (!api) throw new Error("no replica");
  const { apiKey, key } = await createKey(owner, `race-${randomUUID().slice(0, 8)}`);
  const attempts: Attempt[] = [];
  let answeredAt = Number.POSITIVE_INFINITY;
  let sent = 0;
  let deleteSent = false;
  let deleteStatus = 0;
  let deletion: Promise<void> | undefined;

  let deleteWasSent: () => void = () => {};
  const deleteSentSignal = new Promise<void>((resolve) => {
    deleteWasSent = resolve;
  });
  const sendDelete = () => {
    deleteSent = true;
    deleteWasSent();
    deletion = revoke(api, owner, apiKey.id).then((response) => {
      deleteStatus = response.status;
      answeredAt = performance.now();
    });
  };

  const requestLoop = async (): Promise<void> => {
    while (sent < options.requests) {
      const index = sent++;
      if (!deleteSent && index >= options.requests / 4) sendDelete();
      const replica = index % replicas.length;
      const server = replicas[replica];
      if (!server) continue;
      const sentAt = performance.now();
      const response = await whoami(server, key);
      attempts.push({ kind: "request", replica, sentAt, succeeded: response.status === 200 });
    }
  };

  // Sockets are opened first (the key still works), so the registers race the DELETE, not the upgrade.
  const others = replicas.length > 1 ? replicas.slice(1) : replicas;
  const sockets = await Promise.all(
    Array.from({ length: options.registers }, async (_, index) => {
      const replica = 1 + (index % others.length);
      const worker = await connectWorker(replicas[replica % replicas.length]?.url ?? api.url, key);
      return { worker, replica };
    }),
  );
  const registerAll = sockets.map(async ({ worker, replica }, index) => {
    if (isRefusal(worker)) return;
    // Half race the DELETE (spread over the 100 ms after it is sent), half go once it has answered.
    await deleteSentSignal;
    if (index % 2 === 0)
      await new Promise((resolve) => setTimeout(resolve, (index * 100) / options.registers));
    else await deletion;
    const machineId = randomUUID();
    const sentAt = performance.now();
    let succeeded = false;
    const registered = worker
      .next(3_000)
      .then((message) => {
        succeeded = message.type === "registered";
      })
      .catch(() => {});
    try {
      worker.send({
        type: "register",
        machineId,
        name: `race-${index}`,
        hostname: `race-${index}.local`,
        os: "linux",
        arch: "x64",
        version: "0.1.0",
      });
    } catch {
      // The socket was terminated already: nothing was sent.
    }
    await Promise.race([registered, worker.closed]);
    await new Promise((resolve) => setTimeout(resolve, 20));
    attempts.push({ kind: "register", replica, sentAt, succeeded, machineId });
    worker.socket.terminate();
  });

  await Promise.all(Array.from({ length: options.concurrency }, requestLoop));
  if (!deleteSent) sendDelete();
  await Promise.all(registerAll);
  await deletion;
  const late = attempts.filter((attempt) => attempt.sentAt > answeredAt);
  const lateMachines = late.flatMap((attempt) => (attempt.machineId ? [attempt.machineId] : []));
  const rows =
    lateMachines.length === 0
      ? []
      : await query<{ machine_id: string }>(
          store,
          "SELECT machine_id FROM workers WHERE machine_id = ANY($1)",
          [lateMachines],
        );
  return {
    answeredAt,
    deleteStatus,
    attempts,
    lateSuccesses: late.filter((attempt) => attempt.succeeded),
    lateRows: rows.map((row) => row.machine_id),
  };
}

export { signUpWithWorkspace };
