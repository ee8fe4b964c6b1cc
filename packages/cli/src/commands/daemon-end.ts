/**
 * How `cogno run` ends, in words: a clean stop returns (exit 0); a stop from the web app says who
 * stopped it and returns; a refused or revoked key says which key, why and what to do, and throws
 * ExitError(3); anything else the server decided throws ExitError(1).
 */
import { EXIT_CODES, parseApiKey } from "@cogno/protocol";
import type { ActiveCredentials } from "../credentials/resolve.ts";
import { readCredentials } from "../credentials/store.ts";
import type { DaemonEnd } from "../daemon/run-daemon.ts";
import { ExitError } from "../exit-error.ts";
import { fetchWhoami } from "../http/worker-client.ts";
import { describeKeyName, describeRevokedReason } from "../output/key-refused.ts";
import { asSentence } from "../output/sentence.ts";
import type { CommandContext } from "./context.ts";
import { recordKeyRefusal } from "./key-refusal.ts";

/** Short: the daemon is on its way out and the check only chooses the words. */
const REPLACEMENT_CHECK_TIMEOUT_MS = 3_000;

/**
 * After a rotation whose restart was skipped, the daemon still runs on the old key while
 * credentials.json already holds the new one: when the old key is refused, the fix is a restart,
 * not a new key. Returns that next step, or undefined when no other usable key is stored.
 */
async function describeStoredReplacement(
  active: ActiveCredentials,
  context: CommandContext,
): Promise<string | undefined> {
  // COGNO_TOKEN wins over the file on every start, so a restart would bring the same key back.
  if (active.keySource !== "credentials.json") return undefined;
  const stored = await readCredentials(context.config.configDir);
  if (stored.state !== "present" || stored.credentials.key === active.key) return undefined;
  const parsed = parseApiKey(stored.credentials.key);
  if (!parsed.ok) return undefined;
  context.warnIfCleartext(stored.credentials.server);
  const newer = `${describeKeyName(parsed.displayPrefix, stored.credentials.apiKey.name)}, saved ${stored.credentials.savedAt}`;
  const check = await fetchWhoami(
    stored.credentials.server,
    stored.credentials.key,
    REPLACEMENT_CHECK_TIMEOUT_MS,
  );
  if (check.kind === "refused") return undefined;
  const accepted = check.kind === "accepted" ? " and the server accepts it" : "";
  return `This machine already has a newer key (${newer})${accepted}: restart cogno to use the new key.`;
}

export async function finishDaemon(
  end: DaemonEnd,
  active: ActiveCredentials,
  context: CommandContext,
): Promise<void> {
  const { output } = context;
  switch (end.kind) {
    case "stopped":
      return;
    case "disconnected":
      // A stop from the web app is a clean stop (exit 0): a supervisor must not start it again.
      output.state(`stopped from the web app${end.by === undefined ? "" : ` by ${end.by.name}`}`);
      output.info("The key stays valid: run cogno again to reconnect this worker.");
      return;
    case "rejected":
      throw new ExitError(EXIT_CODES.failure, `The server closed the connection: ${asSentence(end.reason)}`);
    case "refused":
    case "revoked": {
      const revoked = end.kind === "revoked" || end.error.code === "api_key_revoked";
      const keyName = (end.kind === "revoked" ? end.apiKey?.name : undefined) ?? active.known?.apiKey.name;
      const revokedReason = end.kind === "revoked" ? end.reason : undefined;
      output.state(
        revoked
          ? `revoked: key ${describeKeyName(active.displayPrefix, keyName)}: ${describeRevokedReason(revokedReason)}`
          : `refused: key ${describeKeyName(active.displayPrefix, keyName)}`,
      );
      throw await recordKeyRefusal(context, {
        code: end.kind === "revoked" ? "api_key_revoked" : end.error.code,
        revokedReason,
        serverMessage: end.kind === "refused" ? end.error.message : undefined,
        displayPrefix: active.displayPrefix,
        keyName,
        keySource: active.keySource,
        nextStep: await describeStoredReplacement(active, context),
      });
    }
  }
}
