/**
 * The only way the CLI prints. Every line passes `redactSecrets`, so a key that reaches a message by
 * any path (a server error echoing it, a mistyped flag) shows only as its display prefix and "…";
 * and then `escapeControlCharacters`, so text from outside that reaches a line by any path (an
 * argument echoed back, a close reason, a name) cannot retitle or clear the terminal, write its
 * clipboard (OSC 52) or rewrite the line. Text parsed from a server or a file is escaped already when
 * it is read (input/outside-json.ts), so its line breaks cannot forge a line of their own.
 */
import { escapeControlCharacters, redactSecrets } from "@cogno/protocol";

export interface Output {
  /** Plain result text, on standard output. */
  info(text: string): void;
  /** One timestamped line per daemon state change, on standard output. */
  state(text: string): void;
  /** Errors and warnings, on standard error. */
  error(text: string): void;
}

export interface OutputOptions {
  writeStdout: (text: string) => void;
  writeStderr: (text: string) => void;
  now: () => Date;
  /** Sees every printed line after redaction (the handoff log). */
  onLine?: (line: string) => void;
}

export function formatTimestamp(date: Date): string {
  // Seconds are enough to follow a daemon; ISO UTC so lines from machines in two zones line up.
  return `${date.toISOString().slice(0, 19)}Z`;
}

export function toPrintableLines(text: string): string[] {
  return text.split(/\r?\n/).map((line) => escapeControlCharacters(redactSecrets(line)));
}

export function createOutput(options: OutputOptions): Output {
  const emit = (write: (text: string) => void, text: string): void => {
    for (const line of toPrintableLines(text)) {
      write(`${line}\n`);
      options.onLine?.(line);
    }
  };
  return {
    info: (text) => emit(options.writeStdout, text),
    state: (text) => emit(options.writeStdout, `${formatTimestamp(options.now())} ${text}`),
    error: (text) => emit(options.writeStderr, text),
  };
}
