/**
 * `cogno status [--json]`: which server and key this machine uses, whether the server accepts the key
 * right now (and why not), and this machine's worker id. Exit 3 when the key is refused, 1 when it
 * could not be checked, so a script can check a key; `--json` prints the same facts as one object.
 */
import { EXIT_CODES } from "@cogno/protocol";
import { type ActiveCredentials, exitCodeOfProblem, resolveCredentials } from "../credentials/resolve.ts";
import { readCredentials } from "../credentials/store.ts";
import { readWorkerRecord, type WorkerRecord } from "../daemon/worker-record.ts";
import { ExitError } from "../exit-error.ts";
import { fetchWhoami, type WhoamiResult } from "../http/worker-client.ts";
import { asSentence } from "../output/sentence.ts";
import type { CommandContext } from "./context.ts";
import { recordKeyRefusal } from "./key-refusal.ts";

export interface StatusOptions {
  json: boolean;
}

/** `cogno status --json`, field by field; the help text documents the same (STATUS_JSON_HELP). */
export interface StatusReport {
  server: string;
  workspace: { id: string; name: string } | null;
  key: { name: string | null; prefix: string; source: ActiveCredentials["keySource"] } | null;
  accepted: boolean | null;
  reason: { code: string; message: string } | null;
  worker: { id: string; registeredAt: string } | null;
}

export const STATUS_JSON_HELP = `
With --json, status prints one JSON object on standard output:
  server     the server URL this machine uses
  workspace  { id, name } of the key's workspace, or null when unknown
  key        { name, prefix, source }: the key's name (null if unknown), its
             display prefix ("cogno_wk_" + 8 characters + "…", never the key
             itself) and where it comes from ("credentials.json" or
             "COGNO_TOKEN"); null when there is no usable key
  accepted   true if the server accepts the key now, false if it refuses it,
             null if it could not be asked (no key, or no answer)
  reason     null when accepted, else { code, message }. code: the server's
             error code (api_key_revoked, api_key_expired, api_key_invalid,
             api_key_malformed, or "refused" when it gave none), unreachable,
             not_logged_in or credentials_unreadable
  worker     { id, registeredAt } of this machine's worker on this server, or
             null
Exit codes as without --json: 0 accepted, 3 refused, 1 not checked.`;

function workerOn(server: string, record: WorkerRecord | undefined): StatusReport["worker"] {
  return record !== undefined && record.server === server
    ? { id: record.workerId, registeredAt: record.registeredAt }
    : null;
}

function describeReason(answer: WhoamiResult): StatusReport["reason"] {
  switch (answer.kind) {
    case "accepted":
      return null;
    case "refused":
      return {
        code: answer.error.code ?? "refused",
        message: answer.error.message ?? "The server refused the key.",
      };
    case "unavailable":
      return { code: "unreachable", message: asSentence(answer.reason) };
  }
}

function renderText(report: StatusReport, context: CommandContext): void {
  const { output } = context;
  output.info(`Server:    ${report.server}`);
  output.info(
    `Workspace: ${report.workspace === null ? "unknown" : `${report.workspace.name} (${report.workspace.id})`}`,
  );
  if (report.key !== null) {
    const name = report.key.name === null ? "" : ` ("${report.key.name}")`;
    output.info(`Key:       ${report.key.prefix}${name}, from ${report.key.source}`);
  }
  const refusedCode = report.reason === null || report.reason.code === "refused" ? "401" : report.reason.code;
  const verdict =
    report.accepted === true
      ? "accepted by the server"
      : report.accepted === false
        ? `refused (${refusedCode})`
        : `not checked: ${report.reason?.message ?? "unknown"}`;
  output.info(`Key state: ${verdict}`);
  output.info(
    `Worker:    ${
      report.worker !== null
        ? `${report.worker.id} (last registered ${report.worker.registeredAt})`
        : "not registered from this machine yet; run cogno to start the worker"
    }`,
  );
}

export async function showStatus(options: StatusOptions, context: CommandContext): Promise<void> {
  const { config, output } = context;
  const resolution = resolveCredentials(config, await readCredentials(config.configDir));
  const worker = await readWorkerRecord(config.configDir);

  if (!resolution.ok) {
    // Without a usable key there is nothing to ask the server; --json still says why.
    if (options.json) {
      const report: StatusReport = {
        server: resolution.server,
        workspace: null,
        key: null,
        accepted: resolution.problem.code === "api_key_malformed" ? false : null,
        reason: { code: resolution.problem.code, message: resolution.problem.message },
        worker: workerOn(resolution.server, worker),
      };
      output.info(JSON.stringify(report));
    }
    throw new ExitError(exitCodeOfProblem(resolution.problem), resolution.problem.message);
  }

  const active = resolution.active;
  context.warnIfCleartext(active.server);
  const answer = await fetchWhoami(active.server, active.key);
  const accepted = answer.kind === "accepted" ? answer.whoami : undefined;
  const workspace = accepted?.workspace ?? active.known?.workspace;
  const keyName = accepted?.apiKey.name ?? active.known?.apiKey.name;
  const report: StatusReport = {
    server: active.server,
    workspace: workspace === undefined ? null : { id: workspace.id, name: workspace.name },
    key: { name: keyName ?? null, prefix: `${active.displayPrefix}…`, source: active.keySource },
    accepted: answer.kind === "accepted" ? true : answer.kind === "refused" ? false : null,
    reason: describeReason(answer),
    worker: workerOn(active.server, worker),
  };
  if (options.json) output.info(JSON.stringify(report));
  else renderText(report, context);

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
