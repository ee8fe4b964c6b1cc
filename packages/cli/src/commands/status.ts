/**
 * `cogno status`: which server and key this machine uses, whether the server accepts the key right
 * now, and this machine's worker id. Exit 3 when the key is refused, so a script can check a key.
 */
import { EXIT_CODES } from "@cogno/protocol";
import { resolveActiveCredentials } from "../credentials/resolve.ts";
import { readCredentials } from "../credentials/store.ts";
import { readWorkerRecord } from "../daemon/worker-record.ts";
import { ExitError } from "../exit-error.ts";
import { fetchWhoami } from "../http/worker-client.ts";
import { describeKeyName } from "../output/key-refused.ts";
import { asSentence } from "../output/sentence.ts";
import type { CommandContext } from "./context.ts";
import { recordKeyRefusal } from "./key-refusal.ts";

export async function showStatus(context: CommandContext): Promise<void> {
  const { config, output } = context;
  const active = resolveActiveCredentials(config, await readCredentials(config.configDir));
  const answer = await fetchWhoami(active.server, active.key);
  const accepted = answer.kind === "accepted" ? answer.whoami : undefined;
  const workspace = accepted?.workspace ?? active.known?.workspace;
  const keyName = accepted?.apiKey.name ?? active.known?.apiKey.name;
  const worker = await readWorkerRecord(config.configDir);

  output.info(`Server:    ${active.server}`);
  output.info(`Workspace: ${workspace === undefined ? "unknown" : `${workspace.name} (${workspace.id})`}`);
  output.info(`Key:       ${describeKeyName(active.displayPrefix, keyName)}, from ${active.keySource}`);
  const verdict =
    answer.kind === "accepted"
      ? "accepted by the server"
      : answer.kind === "refused"
        ? `refused (${answer.error.code ?? "401"})`
        : `not checked: ${answer.reason}`;
  output.info(`Key state: ${verdict}`);
  output.info(
    `Worker:    ${
      worker !== undefined && worker.server === active.server
        ? `${worker.workerId} (last registered ${worker.registeredAt})`
        : "not registered from this machine yet; run cogno to start the worker"
    }`,
  );

  if (answer.kind === "refused") {
    throw await recordKeyRefusal(context, {
      code: answer.error.code,
      serverMessage: answer.error.message,
      displayPrefix: active.displayPrefix,
      keyName,
      keySource: active.keySource,
    });
  }
  if (answer.kind === "unavailable") {
    throw new ExitError(EXIT_CODES.failure, `Could not check the key: ${asSentence(answer.reason)}`);
  }
}
