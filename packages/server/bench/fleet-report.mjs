/** The fleet figures' rows and details in the bench report (issue 10's targets). */
import { format, verdict } from "./table.mjs";

const TARGETS = { stormMs: 500, bytesPerWorker: 14_000, heldFanoutMs: 1_000, allBackMs: 10_000 };

export function fleetRows(fleet) {
  if (!fleet) return [];
  const { storm, held, restart } = fleet;
  return [
    {
      figure: `(e) ${format.count(storm.count)} workers registering at once, SQLite`,
      measured: `last registered ${format.ms(storm.stormMs)}`,
      baseline: `one register ${format.ms(storm.baselineMs)}`,
      ratio: format.times(storm.stormMs / storm.baselineMs),
      target: `≤ ${TARGETS.stormMs} ms`,
      verdict: verdict(storm.stormMs <= TARGETS.stormMs),
    },
    {
      figure: `(f) memory per worker, ${format.count(held.workers)} held, SQLite`,
      measured: `${format.kilobytes(held.rssPerWorkerBytes)} RSS`,
      baseline: `RSS at 0 workers ${format.megabytes(held.before.rssBytes)}`,
      ratio: `${format.ratio(held.after.rssBytes / held.before.rssBytes)} (RSS)`,
      target: `≤ ${TARGETS.bytesPerWorker / 1000} KB`,
      verdict: verdict(held.rssPerWorkerBytes <= TARGETS.bytesPerWorker),
    },
    {
      figure: `(f) revocation fan-out to ${format.count(held.workers)}, SQLite`,
      measured:
        held.fanout.received === held.fanout.fleetSize
          ? `last: ${format.ms(held.fanout.lastRevokedMs)}`
          : `only ${held.fanout.received} of ${held.fanout.fleetSize} revoked`,
      baseline: `GET round trip ${format.ms(held.fanout.baselineRoundTripMs)}`,
      ratio: format.times(held.fanout.lastRevokedMs / held.fanout.baselineRoundTripMs),
      target: `≤ ${TARGETS.heldFanoutMs} ms`,
      verdict: verdict(
        held.fanout.received === held.fanout.fleetSize && held.fanout.lastRevokedMs <= TARGETS.heldFanoutMs,
      ),
    },
    {
      figure: `(g) restart under ${format.count(restart.workers)} workers, SQLite`,
      measured: `all back ${format.ms(restart.allBackMs)} after SIGTERM`,
      baseline: `server ready ${format.ms(restart.readyMs)} after SIGTERM`,
      ratio: format.times(restart.allBackMs / restart.readyMs),
      target: `≤ ${TARGETS.allBackMs / 1000} s`,
      verdict: verdict(restart.allBackMs <= TARGETS.allBackMs),
    },
  ];
}

export function fleetDetails(fleet) {
  if (!fleet) return [];
  const { storm, held, restart } = fleet;
  return [
    `  (e) median of ${storm.rounds.length} rounds, new machines each round: ` +
      storm.rounds.map((round) => format.ms(round.stormMs)).join(", "),
    `  (f) ${format.count(held.workers)} registered in ${format.ms(held.connectMs)}; after a full GC: RSS ${format.megabytes(held.before.rssBytes)} → ${format.megabytes(held.after.rssBytes)},` +
      ` V8 heap ${format.megabytes(held.before.heapUsedBytes)} → ${format.megabytes(held.after.heapUsedBytes)} (${format.kilobytes(held.heapPerWorkerBytes)} per worker);` +
      ` DELETE answered ${format.ms(held.fanout.deleteResponseMs)}, median revoked ${format.ms(held.fanout.medianRevokedMs)}`,
    `  (g) new server ready ${format.ms(restart.readyMs)} after SIGTERM; ${format.count(restart.reconnects)} reconnect attempts;` +
      ` peak while they returned: CPU ${format.percent(restart.peakCpuPercent)} of one core, RSS ${format.megabytes(restart.peakRssBytes)}`,
  ];
}
