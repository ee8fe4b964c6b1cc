/** Ends `text` with a period unless it already ends a sentence (a server's message usually does). */
export function asSentence(text: string): string {
  const trimmed = text.trimEnd();
  return /[.!?…]$/.test(trimmed) ? trimmed : `${trimmed}.`;
}
