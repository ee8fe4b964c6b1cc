/**
 * What every command does when the server refuses the key: note it in the key-event log (so
 * `handoff` can say the key was just refused or revoked), then end with exit 3 and the same words.
 */
import { EXIT_CODES } from "@cogno/protocol";
import { appendKeyEvent } from "../credentials/key-events.ts";
import { ExitError } from "../exit-error.ts";
import { describeKeyRefusal, type KeyRefusal } from "../output/key-refused.ts";
import type { CommandContext } from "./context.ts";

/** Records the refusal and returns the error for the caller to throw; `note` is a last line of its own. */
export async function recordKeyRefusal(
  context: CommandContext,
  refusal: KeyRefusal,
  note?: string,
): Promise<ExitError> {
  // The log is a courtesy for `handoff`: failing to write it must not hide the refusal itself.
  await appendKeyEvent(context.config.configDir, {
    kind: refusal.code === "api_key_revoked" ? "revoked" : "refused",
    at: context.now().toISOString(),
    prefix: refusal.displayPrefix,
    name: refusal.keyName,
    previousPrefix: undefined,
  }).catch(() => undefined);
  const message = describeKeyRefusal(refusal);
  return new ExitError(EXIT_CODES.keyRefused, note === undefined ? message : `${message}\n${note}`);
}
