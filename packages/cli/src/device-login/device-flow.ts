/**
 * `cogno login` without a key: the browser login of API.md v1.1 (RFC 8628 device authorization).
 * Ask the server for a code, show the page and the code (and open the page when a browser opener
 * exists), then poll at the server's interval until someone approves or denies it in the web app,
 * the code expires, or the user presses Ctrl-C. Returns the key the approval made; storing it is
 * the login command's job, exactly as with `--token`.
 */
import { type DeviceToken, EXIT_CODES } from "@cogno/protocol";
import { ExitError } from "../exit-error.ts";
import { pollDeviceToken, requestDeviceAuthorization } from "../http/device-client.ts";
import type { Output } from "../output/output.ts";
import { asSentence } from "../output/sentence.ts";
import { isWebUrl } from "./open-browser.ts";

/** RFC 8628 §3.5: on slow_down, every later poll waits 5 s longer. */
export const SLOW_DOWN_STEP_MS = 5_000;
const INTERVAL_MIN_MS = 1_000;
const INTERVAL_MAX_MS = 60_000;

export interface DeviceFlowOptions {
  server: string;
  /** The machine's name, shown on the approval page and given to the key. */
  clientName: string;
  /** Aborted by Ctrl-C. */
  signal: AbortSignal;
}

export interface DeviceFlowDeps {
  output: Output;
  openBrowser: (url: string) => Promise<boolean>;
  /** Waits `ms`, or less if `signal` aborts first; never rejects. */
  sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  now: () => Date;
}

function describeDuration(seconds: number): string {
  if (seconds >= 120) return `${Math.round(seconds / 60)} minutes`;
  return `${Math.max(0, Math.round(seconds))} seconds`;
}

function failure(message: string): ExitError {
  return new ExitError(EXIT_CODES.failure, message);
}

const NOTHING_STORED = "Nothing was stored.";

export async function runDeviceFlow(options: DeviceFlowOptions, deps: DeviceFlowDeps): Promise<DeviceToken> {
  const { server, signal } = options;
  const { output } = deps;
  const cancelled = (): ExitError => failure(`Login cancelled. ${NOTHING_STORED}`);

  const started = await requestDeviceAuthorization(server, options.clientName, signal);
  if (signal.aborted) throw cancelled();
  if (started.kind === "unsupported") {
    throw failure(
      `${server} does not offer browser login (a server older than Cogno 1.1?). Create a key in Settings > API Keys, then run: cogno login --token <key>`,
    );
  }
  if (started.kind === "failed")
    throw failure(`Could not start the browser login: ${asSentence(started.reason)}`);
  const authorization = started.authorization;
  if (!isWebUrl(authorization.verificationUri) || !isWebUrl(authorization.verificationUriComplete)) {
    throw failure(
      `${server} gave an approval address that is not a web page (${authorization.verificationUriComplete}); it was not opened. Is the server URL right?`,
    );
  }

  output.info(`To log in, open this page in a browser and approve "${options.clientName}":`);
  output.info(`  ${authorization.verificationUriComplete}`);
  output.info(
    `It shows the code ${authorization.userCode} (or open ${authorization.verificationUri} and type the code).`,
  );
  if (await deps.openBrowser(authorization.verificationUriComplete))
    output.info("Opened it in your browser.");
  output.info(
    `Waiting for approval; the code expires in ${describeDuration(authorization.expiresIn)}. Press Ctrl-C to cancel.`,
  );

  const deadline = deps.now().getTime() + authorization.expiresIn * 1000;
  let intervalMs = Math.min(INTERVAL_MAX_MS, Math.max(INTERVAL_MIN_MS, authorization.interval * 1000));
  let waitMs = intervalMs;
  let toldUnavailable = false;
  for (;;) {
    await deps.sleep(waitMs, signal);
    if (signal.aborted) throw cancelled();
    if (deps.now().getTime() >= deadline)
      throw failure(
        `The code expired before it was approved. Run cogno login again for a new one. ${NOTHING_STORED}`,
      );
    const answer = await pollDeviceToken(server, authorization.deviceCode, signal);
    if (signal.aborted) throw cancelled();
    waitMs = intervalMs;
    switch (answer.kind) {
      case "granted":
        return answer.token;
      case "pending":
        break;
      case "slow-down":
        intervalMs += SLOW_DOWN_STEP_MS;
        waitMs = intervalMs;
        break;
      case "expired":
        throw failure(
          `The code expired before it was approved (or was already used). Run cogno login again for a new one. ${NOTHING_STORED}`,
        );
      case "denied":
        throw failure(`The login was denied in the web app. ${NOTHING_STORED}`);
      case "unavailable":
        // The approval may still come: keep waiting, and say so once rather than at every poll.
        if (!toldUnavailable) output.error(`${asSentence(answer.reason)} Still waiting for approval.`);
        toldUnavailable = true;
        waitMs = Math.max(intervalMs, Math.min(answer.retryAfterMs ?? 0, INTERVAL_MAX_MS));
        break;
      case "rejected":
        throw failure(`The browser login failed: ${asSentence(answer.reason)} ${NOTHING_STORED}`);
    }
  }
}
