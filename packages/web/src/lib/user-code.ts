/**
 * The device login's user code (API.md v1.1): 8 letters shown as `XXXX-XXXX`; people may type it in
 * lower case, without the dash or with spaces, and the server accepts it so. The page shows it the
 * way the terminal does, so the two can be compared at a glance.
 */
const USER_CODE_LETTERS = 8;

function lettersOf(text: string): string {
  return text.replace(/[\s-]/g, "").toUpperCase();
}

export function isCompleteUserCode(text: string): boolean {
  return new RegExp(`^[A-Z]{${USER_CODE_LETTERS}}$`).test(lettersOf(text));
}

/** `bcdfghjk` → `BCDF-GHJK`; anything that is not 8 letters is only upper-cased, for the person to fix. */
export function formatUserCode(text: string): string {
  const letters = lettersOf(text);
  if (!isCompleteUserCode(letters)) return text.trim().toUpperCase();
  return `${letters.slice(0, 4)}-${letters.slice(4)}`;
}
