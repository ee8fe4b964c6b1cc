/**
 * The CLI's line redactor: protocol's `redactSecrets`, made safe for two cases the CLI meets.
 * - Keys run together (`cogno_wk_…cogno_wk_…`): one greedy match would swallow the second key's
 *   "cogno" and leave its secret characters behind, so each key-shaped run is redacted on its own.
 * - Text that is already a display prefix with "…" (the CLI prints prefixes that way) stays as it is,
 *   so redacting twice changes nothing.
 */
import { API_KEY_PREFIX, redactSecrets } from "@cogno/protocol";

const BEFORE_EACH_KEY = new RegExp(`(?=${API_KEY_PREFIX})`);
const ALREADY_REDACTED = new RegExp(`^${API_KEY_PREFIX}[0-9A-Za-z]{0,8}…`);

export function redactLine(line: string): string {
  return line
    .split(BEFORE_EACH_KEY)
    .map((piece) => {
      const done = ALREADY_REDACTED.exec(piece);
      return done === null ? redactSecrets(piece) : done[0] + redactSecrets(piece.slice(done[0].length));
    })
    .join("");
}
