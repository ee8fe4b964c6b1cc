import { EXIT_CODES } from "@cogno/protocol";

export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES];

/**
 * The one way a command ends with a non-zero exit: main.ts prints `message` (redacted) and exits
 * with `code`. Commands never print errors or exit themselves.
 */
export class ExitError extends Error {
  readonly code: ExitCode;

  constructor(code: ExitCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ExitError";
    this.code = code;
  }
}

export function createUsageError(message: string): ExitError {
  return new ExitError(EXIT_CODES.usage, message);
}
