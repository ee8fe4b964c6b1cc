/**
 * `cogno logout`: forget the stored key on this machine. Logging out does not revoke the key (only
 * Settings > API Keys does), and the machine id stays so a later login is the same worker. What it
 * says about the key is what the server says now: still active, already revoked, or unknown when
 * the server cannot be asked.
 */
import { displayPrefixOf } from "@cogno/protocol";
import { credentialsPathOf, readCredentials, removeCredentials } from "../credentials/store.ts";
import { fetchWhoami, type WhoamiResult } from "../http/worker-client.ts";
import { describeKeyName } from "../output/key-refused.ts";
import { asSentence } from "../output/sentence.ts";
import type { CommandContext } from "./context.ts";

/** Short: logging out must not hang on a server that is gone. */
const KEY_CHECK_TIMEOUT_MS = 3_000;

const REVOKE_IF_UNUSED = "Revoke it in Settings > API Keys if no machine should use it any more.";

export function describeKeyAfterLogout(answer: WhoamiResult): string {
  switch (answer.kind) {
    case "accepted":
      return `The key is still active on the server. ${REVOKE_IF_UNUSED}`;
    case "refused":
      switch (answer.error.code) {
        case "api_key_revoked":
          return "The key was already revoked on the server; nothing more to do.";
        case "api_key_expired":
          return "The key has expired on the server; nothing more to do.";
        case "api_key_invalid":
          return "The server does not know the key (deleted, or made on another server); nothing more to do.";
        default:
          return `The server refuses the key (${answer.error.message ?? "no reason given"}); nothing more to do.`;
      }
    case "unavailable":
      return `Whether the key is still active is unknown: ${asSentence(answer.reason)} ${REVOKE_IF_UNUSED}`;
  }
}

export async function logout(context: CommandContext): Promise<void> {
  const { config, output } = context;
  const stored = await readCredentials(config.configDir);
  // Ask before removing: the file is what names the server and the key.
  if (stored.state === "present") context.warnIfCleartext(stored.credentials.server);
  const answer =
    stored.state === "present"
      ? await fetchWhoami(stored.credentials.server, stored.credentials.key, KEY_CHECK_TIMEOUT_MS)
      : undefined;
  const removed = await removeCredentials(config.configDir);
  if (!removed) {
    output.info("Not logged in on this machine; nothing to remove.");
  } else if (stored.state === "present") {
    const { credentials } = stored;
    output.info(
      `Logged out: removed key ${describeKeyName(displayPrefixOf(credentials.key), credentials.apiKey.name)} for workspace "${credentials.workspace.name}" from ${credentialsPathOf(config.configDir)}.`,
    );
    if (answer !== undefined) output.info(describeKeyAfterLogout(answer));
  } else {
    output.info(`Logged out: removed ${credentialsPathOf(config.configDir)}.`);
  }
  if (config.envToken !== undefined) {
    output.info("Note: COGNO_TOKEN is still set in this shell; cogno keeps using it.");
  }
}
