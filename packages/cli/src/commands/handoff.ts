/**
 * `cogno handoff`: the five items the help page asks for when getting help with key setup, as
 * Markdown ready to paste: workspace, key name and prefix, last command, its output, and whether
 * the key was just created, rotated or revoked. Built only from redacted records; the raw key is
 * used for one live `whoami` check and never printed.
 */

import { type KeyEvent, readKeyEvents } from "../credentials/key-events.ts";
import { type ActiveCredentials, resolveActiveCredentials } from "../credentials/resolve.ts";
import { readCredentials } from "../credentials/store.ts";
import { ExitError } from "../exit-error.ts";
import { fetchWhoami, type WhoamiResult } from "../http/worker-client.ts";
import { type ActivityRecord, readActivityLog } from "../output/activity-log.ts";
import type { CommandContext } from "./context.ts";

/** Short: a hand-off should not hang because the server is down; that is often why it is written. */
const LIVE_CHECK_TIMEOUT_MS = 3_000;

export interface HandoffFacts {
  workspace: { id: string; name: string } | undefined;
  key: { displayPrefix: string; name: string | undefined; source: string } | undefined;
  /** Why no key could be used, e.g. a malformed COGNO_TOKEN. */
  keyProblem: string | undefined;
  server: string | undefined;
  lastCommand: ActivityRecord | undefined;
  keyEvents: KeyEvent[];
  live: WhoamiResult | undefined;
  cli: { version: string; os: string; arch: string };
}

function describeLive(live: WhoamiResult | undefined): string {
  if (live === undefined) return "";
  switch (live.kind) {
    case "accepted":
      return " The server accepts the key now.";
    case "refused":
      return ` The server refuses the key now (${live.error.code ?? "401"}).`;
    case "unavailable":
      return ` Could not ask the server about it just now (${live.reason}).`;
  }
}

/** When this machine first, and last, saw the key refused as revoked (events are oldest first). */
function describeSeenRevoked(events: readonly KeyEvent[]): string | undefined {
  const revoked = events.filter((event) => event.kind === "revoked");
  const first = revoked[0];
  const latest = revoked.at(-1);
  if (first === undefined || latest === undefined) return undefined;
  const since = `first saw it refused as revoked at ${first.at}`;
  return revoked.length === 1 ? since : `${since}, and last at ${latest.at}`;
}

export function describeKeyHistory(facts: HandoffFacts): string {
  if (facts.key === undefined) return "No key is set up on this machine.";
  const { displayPrefix, source } = facts.key;
  const events = facts.keyEvents.filter((event) => event.prefix === displayPrefix);
  const last = events.at(-1);
  const liveSentence = describeLive(facts.live);
  const seenRevoked = describeSeenRevoked(events);
  if (facts.live?.kind === "refused" && facts.live.error.code === "api_key_revoked") {
    return `Revoked.${seenRevoked === undefined ? "" : ` This machine ${seenRevoked}.`}${liveSentence}`;
  }
  const loggedIn = [...events]
    .reverse()
    .find((event) => event.kind === "logged-in" || event.kind === "rotated");
  if (last?.kind === "revoked" && seenRevoked !== undefined)
    return `Revoked: this machine ${seenRevoked}.${liveSentence}`;
  if (loggedIn?.kind === "rotated") {
    return `Rotated on this machine at ${loggedIn.at}: it replaced key ${loggedIn.previousPrefix ?? "unknown"}….${liveSentence}`;
  }
  if (loggedIn?.kind === "logged-in") {
    return `Newly set up: first logged in on this machine at ${loggedIn.at}, with no earlier key here.${liveSentence}`;
  }
  if (source === "COGNO_TOKEN")
    return `Provided through COGNO_TOKEN; no login with it was recorded on this machine.${liveSentence}`;
  return `No login with this key was recorded on this machine.${liveSentence}`;
}

/** A fence longer than any backtick run in the content, so pasted output cannot end the block early. */
function fenceFor(lines: readonly string[]): string {
  const longest = Math.max(
    0,
    ...lines.map((line) => Math.max(0, ...[...line.matchAll(/`+/g)].map((m) => m[0].length))),
  );
  return "`".repeat(Math.max(3, longest + 1));
}

export function renderHandoff(facts: HandoffFacts): string {
  const workspace =
    facts.workspace === undefined
      ? "unknown (not logged in on this machine)"
      : `${facts.workspace.name} (\`${facts.workspace.id}\`)`;
  const key =
    facts.key === undefined
      ? `none${facts.keyProblem === undefined ? "" : ` (${facts.keyProblem})`}`
      : `${facts.key.name === undefined ? "name unknown" : `"${facts.key.name}"`}, prefix \`${facts.key.displayPrefix}…\`, from ${facts.key.source} (the raw key is never included)`;
  const command =
    facts.lastCommand === undefined
      ? "none recorded on this machine"
      : `\`${facts.lastCommand.command}\`, started ${facts.lastCommand.startedAt}, ${
          facts.lastCommand.exitCode === undefined
            ? "still running or interrupted"
            : `exit code ${facts.lastCommand.exitCode}`
        }`;
  const lines = facts.lastCommand?.lines ?? [];
  const fence = fenceFor(lines);
  const output =
    lines.length === 0
      ? ["   (no output recorded)"]
      : [`   ${fence}text`, ...lines.map((line) => `   ${line}`), `   ${fence}`];
  return [
    "## Cogno API key hand-off",
    "",
    `1. **Workspace:** ${workspace}`,
    `2. **Key:** ${key}`,
    `3. **Command run:** ${command}`,
    "4. **Worker output or error text** (last lines, secrets removed):",
    "",
    ...output,
    "",
    `5. **Key history:** ${describeKeyHistory(facts)}`,
    "",
    `Server: ${facts.server ?? "unknown"} · cogno ${facts.cli.version} on ${facts.cli.os}/${facts.cli.arch}`,
  ].join("\n");
}

function resolveQuietly(
  context: CommandContext,
  stored: Awaited<ReturnType<typeof readCredentials>>,
): { active: ActiveCredentials | undefined; problem: string | undefined } {
  try {
    return { active: resolveActiveCredentials(context.config, stored), problem: undefined };
  } catch (error) {
    if (error instanceof ExitError) return { active: undefined, problem: error.message };
    throw error;
  }
}

export async function gatherHandoffFacts(context: CommandContext): Promise<HandoffFacts> {
  const { config } = context;
  const stored = await readCredentials(config.configDir);
  const { active, problem } = resolveQuietly(context, stored);
  if (active !== undefined) context.warnIfCleartext(active.server);
  const live =
    active === undefined ? undefined : await fetchWhoami(active.server, active.key, LIVE_CHECK_TIMEOUT_MS);
  const accepted = live?.kind === "accepted" ? live.whoami : undefined;
  return {
    workspace: accepted?.workspace ?? active?.known?.workspace,
    key:
      active === undefined
        ? undefined
        : {
            displayPrefix: active.displayPrefix,
            name: accepted?.apiKey.name ?? active.known?.apiKey.name,
            source: active.keySource,
          },
    keyProblem: problem,
    server: active?.server ?? (stored.state === "present" ? stored.credentials.server : undefined),
    lastCommand: await readActivityLog(config.configDir),
    keyEvents: await readKeyEvents(config.configDir),
    live,
    cli: { version: config.version, os: config.os, arch: config.arch },
  };
}

export async function printHandoff(context: CommandContext): Promise<void> {
  context.output.info(renderHandoff(await gatherHandoffFacts(context)));
}
