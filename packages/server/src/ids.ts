import { randomBase62 } from "@cogno/protocol";

/** Every id says what it names, so a log line is readable on its own (STYLE rule 7). */
export type IdPrefix = "usr" | "wsp" | "key" | "wkr" | "ses" | "inv" | "aud" | "dev" | "conn";

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase62(20)}`;
}
