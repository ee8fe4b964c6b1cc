import type { CliConfig } from "../config.ts";
import type { RandomSource } from "../daemon/backoff.ts";
import type { Output } from "../output/output.ts";

/** Everything a command may touch, built once by main.ts; tests pass their own. */
export interface CommandContext {
  config: CliConfig;
  output: Output;
  now: () => Date;
  random: RandomSource;
  /** Reads standard input up to the first line break or the end. */
  readStdinLine: () => Promise<string>;
  stdinIsTerminal: boolean;
  /** Starts listening for SIGINT/SIGTERM; the signal aborts on the first one. Only long waits call it (the daemon, the browser login). */
  createStopSignal: () => AbortSignal;
  /** Waits `ms`, or less if `signal` aborts first; never rejects. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  /** Opens a web page in the user's browser when it can; resolves whether it did, never rejects. */
  openBrowser: (url: string) => Promise<boolean>;
  /** Call before a key travels to `server`: warns once per run when that is plain http:// beyond this machine. */
  warnIfCleartext: (server: string) => void;
}
