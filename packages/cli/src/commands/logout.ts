/**
 * `cogno logout`: forget the stored key on this machine. The key itself stays active on the server
 * (only Settings > API Keys revokes), and the machine id stays so a later login is the same worker.
 */
import { displayPrefixOf } from "@cogno/protocol";
import { credentialsPathOf, readCredentials, removeCredentials } from "../credentials/store.ts";
import { describeKeyName } from "../output/key-refused.ts";
import type { CommandContext } from "./context.ts";

export async function logout(context: CommandContext): Promise<void> {
  const { config, output } = context;
  const stored = await readCredentials(config.configDir);
  const removed = await removeCredentials(config.configDir);
  if (!removed) {
    output.info("Not logged in on this machine; nothing to remove.");
  } else if (stored.state === "present") {
    const { credentials } = stored;
    output.info(
      `Logged out: removed key ${describeKeyName(displayPrefixOf(credentials.key), credentials.apiKey.name)} for workspace "${credentials.workspace.name}" from ${credentialsPathOf(config.configDir)}.`,
    );
    output.info(
      "The key is still active. Revoke it in Settings > API Keys if no machine should use it any more.",
    );
  } else {
    output.info(`Logged out: removed ${credentialsPathOf(config.configDir)}.`);
  }
  if (config.envToken !== undefined) {
    output.info("Note: COGNO_TOKEN is still set in this shell; cogno keeps using it.");
  }
}
