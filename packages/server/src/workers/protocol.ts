/**
 * The worker protocol on the wire (API.md "Worker side"): a frame in, a message or the sentence
 * that says what is wrong with it; a message out, its text. Validation is the protocol package's
 * zod schema, the same way HTTP bodies are validated: a name with control characters is stripped,
 * a field that is empty or too long is refused, and nothing unchecked reaches the database.
 */
import { type ServerMessage, type WorkerMessage, workerMessageSchema } from "@cogno/protocol";

export type ParsedFrame = { ok: true; message: WorkerMessage } | { ok: false; problem: string };

export function parseWorkerFrame(data: Buffer, isBinary: boolean): ParsedFrame {
  let json: unknown;
  if (!isBinary) {
    try {
      json = JSON.parse(data.toString("utf8"));
    } catch {
      json = undefined;
    }
  }
  const parsed = workerMessageSchema.safeParse(json);
  if (parsed.success) return { ok: true, message: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? `${issue.path.join(".")}: ` : "";
  return { ok: false, problem: `Invalid message. ${where}${issue?.message ?? "send JSON text frames"}.` };
}

export function encodeServerMessage(message: ServerMessage): string {
  return JSON.stringify(message);
}
