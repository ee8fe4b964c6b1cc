/**
 * The only way the CLI prints. Every line passes `redactSecrets`, so a key that reaches a message by
 * any path (a server error echoing it, a mistyped flag) shows only as its display prefix and "…".
 */
import { redactSecrets } from "@cogno/protocol";

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

export function redactLines(text: string): string[] {
  return text.split(/\r?\n/).map(redactSecrets);
}

export function createOutput(options: OutputOptions): Output {
  const emit = (write: (text: string) => void, text: string): void => {
    for (const line of redactLines(text)) {
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
