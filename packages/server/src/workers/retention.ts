/**
 * The periodic sweep that forgets workers unseen for COGNO_WORKER_RETENTION_DAYS. Every replica
 * runs it; the deletes are guarded, so sweeps that overlap forget each worker once.
 */
import type { Deps } from "../deps.ts";
import { forgetUnseenWorkers } from "./service.ts";

export const RETENTION_SWEEP_INTERVAL_MS = 5 * 60 * 1000;

export interface WorkerRetention {
  /** Stops the timer and waits for a sweep in progress. */
  stop(): Promise<void>;
}

export function startWorkerRetention(deps: Deps, everyMs = RETENTION_SWEEP_INTERVAL_MS): WorkerRetention {
  let running: Promise<void> | undefined;
  let stopped = false;
  const sweep = (): void => {
    if (running !== undefined || stopped) return;
    running = forgetUnseenWorkers(deps)
      .then((count) => {
        if (count > 0)
          deps.log.info({ count, days: deps.config.workerRetentionDays }, "forgot unseen workers");
      })
      .catch((error: unknown) =>
        deps.log.warn({ err: error }, "worker retention sweep failed; retrying later"),
      )
      .finally(() => {
        running = undefined;
      });
  };
  // Once soon after start (a server restarted often would otherwise never sweep), then periodically.
  const first = setTimeout(sweep, Math.min(everyMs, 10_000));
  const timer = setInterval(sweep, everyMs);
  first.unref();
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      await running;
    },
  };
}
