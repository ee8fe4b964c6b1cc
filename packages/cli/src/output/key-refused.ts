/**
 * The text for a refused key, shared by login, status and the daemon so a user sees the same words
 * wherever it happens: which key (prefix, and name when known), why, and what to do next.
 */
import type { ErrorCode, RevokedReason } from "@cogno/protocol";
import type { KeySource } from "../credentials/resolve.ts";

export interface KeyRefusal {
  code: ErrorCode | undefined;
  /** Why the key was revoked, when the server said (the worker socket's `revoked` message, v1.1). */
  revokedReason?: RevokedReason | undefined;
  serverMessage: string | undefined;
  displayPrefix: string;
  keyName: string | undefined;
  /** Where the key came from: decides whether the fix is `cogno login` or a new COGNO_TOKEN. */
  keySource: KeySource | "--token";
  /** What to do next, when the caller knows better than the reason does (a newer key is stored). */
  nextStep?: string | undefined;
}

interface Explanation {
  reason: string;
  /** The next step when the key came from `cogno login`, and when it came from COGNO_TOKEN. */
  next: string;
  nextForEnvironment: string;
}

const CREATE_AND_LOGIN = "Create a new key in Settings > API Keys, then run: cogno login --token <key>";
const CREATE_FOR_ENVIRONMENT = "Create a new key in Settings > API Keys and put it in COGNO_TOKEN.";

function explainRevocation(reason: RevokedReason | undefined): Explanation {
  switch (reason) {
    case "expired":
      return {
        reason: "it expired",
        next: CREATE_AND_LOGIN,
        nextForEnvironment: CREATE_FOR_ENVIRONMENT,
      };
    case "rolled":
      return {
        reason: "this key was replaced (rolled) and its grace window has ended",
        next: "Run: cogno login --token <the new key> (the key shown when this one was rolled)",
        nextForEnvironment: "Put the new key (shown when this one was rolled) in COGNO_TOKEN.",
      };
    case "leaked":
      return {
        reason: "it was reported leaked (found in public) and revoked to protect the workspace",
        next: `${CREATE_AND_LOGIN}\nKeep the new key out of repositories, chats and logs.`,
        nextForEnvironment: `${CREATE_FOR_ENVIRONMENT}\nKeep the new key out of repositories, chats and logs.`,
      };
    case "member_removed":
      return {
        reason: "its owner was removed from the workspace, which revokes their keys",
        next: "Use a key of a current member of the workspace: cogno login --token <key>",
        nextForEnvironment: "Put a key of a current member of the workspace in COGNO_TOKEN.",
      };
    case "revoked":
    case undefined:
      return {
        reason: "it was revoked",
        next: CREATE_AND_LOGIN,
        nextForEnvironment: CREATE_FOR_ENVIRONMENT,
      };
  }
}

function explain(code: ErrorCode | undefined, revokedReason: RevokedReason | undefined): Explanation {
  const generic = { next: CREATE_AND_LOGIN, nextForEnvironment: CREATE_FOR_ENVIRONMENT };
  switch (code) {
    case "api_key_revoked":
      return explainRevocation(revokedReason);
    case "api_key_expired":
      return explainRevocation(revokedReason ?? "expired");
    case "api_key_invalid":
      return {
        ...generic,
        reason: "the server has no such key (was it created on another server, or deleted?)",
      };
    case "api_key_malformed":
      return { ...generic, reason: "it is not a well-formed Cogno key" };
    default:
      return { ...generic, reason: "the server did not accept it" };
  }
}

/** A short phrase for a state line: "revoked (expired)". */
export function describeRevokedReason(reason: RevokedReason | undefined): string {
  return explainRevocation(reason).reason;
}

export function describeKeyName(displayPrefix: string, keyName: string | undefined): string {
  return keyName === undefined ? `${displayPrefix}…` : `${displayPrefix}… ("${keyName}")`;
}

export function describeKeyRefusal(refusal: KeyRefusal): string {
  const explanation = explain(refusal.code, refusal.revokedReason);
  const lines = [
    `Key ${describeKeyName(refusal.displayPrefix, refusal.keyName)} was refused: ${explanation.reason}.`,
  ];
  if (refusal.serverMessage !== undefined) lines.push(`Server: ${refusal.serverMessage}`);
  // The server's message usually says what to do already; repeat it only when it does not, or when
  // the fix differs because the key came from COGNO_TOKEN.
  const serverGaveNextStep = refusal.serverMessage?.includes("cogno login --token") === true;
  if (refusal.nextStep !== undefined) {
    lines.push(refusal.nextStep);
  } else if (refusal.keySource === "COGNO_TOKEN") {
    lines.push(explanation.nextForEnvironment);
  } else if (!serverGaveNextStep) {
    lines.push(explanation.next);
  }
  return lines.join("\n");
}
