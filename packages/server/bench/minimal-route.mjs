/**
 * Child process: the floor a key check should beat, the peer bench's "D". A minimal Fastify app with
 * one route that does what a hand-written key check does without a cache or any of the product
 * around it: take the bearer token, SHA-256 it, look the hash up in SQLite by a unique index, answer
 * a small JSON body. No logging, hooks, request ids, security headers, metrics, limits or audit.
 *
 * Protocol (IPC): receives { type: "start", key, path, directory }; answers { type: "listening", url }
 * once it takes GET <path> on a loopback port, and serves until the parent stops it.
 */
import { createHash } from "node:crypto";
import path from "node:path";
import Database from "better-sqlite3";
import Fastify from "fastify";
import { serveParent } from "./child-task.mjs";

const HARD_LIMIT_MS = 120_000;

const sha256Hex = (text) => createHash("sha256").update(text).digest("hex");

async function start({ key, path: routePath, directory }) {
  const db = new Database(path.join(directory, "minimal-route.sqlite"));
  db.pragma("journal_mode = WAL");
  db.exec("CREATE TABLE worker_keys (key_hash TEXT PRIMARY KEY, worker_id TEXT NOT NULL)");
  db.prepare("INSERT INTO worker_keys VALUES (?, ?)").run(sha256Hex(key), "wrk_minimal");
  const byHash = /** @type {import("better-sqlite3").Statement<[string], { worker_id: string }>} */ (
    db.prepare("SELECT worker_id FROM worker_keys WHERE key_hash = ?")
  );

  const app = Fastify({ logger: false });
  app.get(routePath, async (request, reply) => {
    const header = request.headers.authorization;
    const token = typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : null;
    const row = token === null ? undefined : byHash.get(sha256Hex(token));
    if (!row) return reply.code(401).send({ ok: false });
    return { ok: true, workerId: row.worker_id };
  });
  const url = await app.listen({ host: "127.0.0.1", port: 0 });
  return { url };
}

serveParent(HARD_LIMIT_MS, { start: ["listening", start] });
