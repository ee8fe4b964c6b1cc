/**
 * The text for a refused key, shared by login, status and the daemon so a user sees the same words
 * wherever it happens: which key (prefix, and name when known), why, and what to do next.
 */
import type { ErrorCode } from "@cogno/protocol";
import type { KeySource } from "../credentials/resolve.ts";

export interface KeyRefusal {
  code: ErrorCode | undefined;
  serverMessage: string | undefined;
  displayPrefix: string;
  keyName: string | undefined;
  /** Where the key came from: decides whether the fix is `cogno login` or a new COGNO_TOKEN. */
  keySource: KeySource | "--token";
}

function describeReason(code: ErrorCode | undefined): string {
  switch (code) {
    case "api_key_revoked":
      return "it was revoked";
    case "api_key_invalid":
      return "the server has no such key (was it created on another server, or deleted?)";
    case "api_key_malformed":
      return "it is not a well-formed Cogno key";
    default:
      return "the server did not accept it";
  }
}

export function describeKeyName(displayPrefix: string, keyName: string | undefined): string {
  return keyName === undefined ? `${displayPrefix}…` : `${displayPrefix}… ("${keyName}")`;
}

export function describeKeyRefusal(refusal: KeyRefusal): string {
  const lines = [
    `Key ${describeKeyName(refusal.displayPrefix, refusal.keyName)} was refused: ${describeReason(refusal.code)}.`,
  ];
  if (refusal.serverMessage !== undefined) lines.push(`Server: ${refusal.serverMessage}`);
  // The server's message usually says what to do already; repeat it only when it does not, or when
  // the fix differs because the key came from COGNO_TOKEN.
  const serverGaveNextStep = refusal.serverMessage?.includes("cogno login --token") === true;
  if (refusal.keySource === "COGNO_TOKEN") {
    lines.push("Create a new key in Settings > API Keys and put it in COGNO_TOKEN.");
  } else if (!serverGaveNextStep) {
    lines.push("Create a new key in Settings > API Keys, then run: cogno login --token <key>");
  }
  return lines.join("\n");
}
