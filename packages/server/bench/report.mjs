/**
 * The bench's report: one row per figure with its same-run baseline, the ratio, the target and
 * whether it was met; then the details a reader needs to trust (or doubt) each figure.
 */
import os from "node:os";
import { fleetDetails, fleetRows } from "./fleet-report.mjs";
import { lowerMedian, median } from "./statistics.mjs";
import { format, formatTable, verdict } from "./table.mjs";

/** The bars of SPEC.md "Quality bars" as issue 3 sets them for a 2-core machine. */
// Issue 10 lowers issue 3's fan-out bar from 250 ms to 150 ms, asks whoami to beat a minimal route,
// and a PostgreSQL replica's whoami to keep up with the SQLite server's.
const TARGETS = {
  throughputRatio: 0.6,
  minimalRouteRatio: 1,
  postgresOverSqlite: 0.8,
  /** Slowest fresh process's whoami CPU per request over the median process's. */
  processSpread: 1.15,
  fanoutMs: 150,
  bytesPerWorker: 20_000,
};

function throughputRow(figure, throughput, isTarget) {
  const met = throughput.ratio >= TARGETS.throughputRatio;
  return {
    figure,
    measured: `whoami ${format.perSecond(throughput.whoami.requestsPerSecond)}`,
    baseline: `/healthz ${format.perSecond(throughput.healthz.requestsPerSecond)}`,
    ratio: format.ratio(throughput.ratio),
    target: isTarget ? `≥ ${TARGETS.throughputRatio}` : `none (a: ≥ ${TARGETS.throughputRatio})`,
    verdict: isTarget ? verdict(met) : met ? "within a's bar" : "below a's bar",
  };
}

/**
 * One whoami figure over another measured in the same run, with a floor for the ratio: whoami over a
 * minimal route checking the same key (the peer bench's P/D), and a PostgreSQL replica's whoami over
 * the SQLite server's (Q/P). Each side is [label, requests per second].
 */
function whoamiRatioRow(figure, [measuredLabel, measured], [baselineLabel, baseline], floor) {
  const ratio = measured / baseline;
  return {
    figure,
    measured: `${measuredLabel} ${format.perSecond(measured)}`,
    baseline: `${baselineLabel} ${format.perSecond(baseline)}`,
    ratio: format.ratio(ratio),
    target: `≥ ${floor}`,
    verdict: verdict(ratio >= floor),
  };
}

/**
 * whoami's server CPU per request on several fresh processes, each its cheapest pass: the slowest
 * over the median process (the lower middle one of an even count). Not over the fastest: on a
 * machine whose speed drifts, one process's lucky pass (39 µs, while every other pass of every
 * process took 46 to 63) alone made 1.39. The median still shows a slow minority: one slow process
 * of four, or two.
 */
function perProcessRow(processes) {
  const microseconds = processes.map((measured) => measured.microseconds);
  const slowest = Math.max(...microseconds);
  const middle = lowerMedian(microseconds);
  return {
    figure: "(a) whoami CPU per request, slowest process",
    measured: `slowest ${format.microseconds(slowest)}`,
    baseline: `median ${format.microseconds(middle)} (${microseconds.length} processes)`,
    ratio: format.ratio(slowest / middle),
    target: `≤ ${TARGETS.processSpread}`,
    verdict: verdict(slowest / middle <= TARGETS.processSpread),
  };
}

function fanoutRow(figure, fanout, isTarget) {
  const met = fanout.complete && fanout.lastRevokedMs <= TARGETS.fanoutMs;
  const incomplete = fanout.rounds.find((round) => round.received !== round.fleetSize);
  const measured = incomplete
    ? `only ${incomplete.received} of ${incomplete.fleetSize} revoked`
    : `last of ${format.count(fanout.fleetSize)}: ${format.ms(fanout.lastRevokedMs)}`;
  return {
    figure,
    measured,
    baseline: `GET round trip ${format.ms(fanout.baselineRoundTripMs)}`,
    ratio: incomplete ? "—" : format.times(fanout.lastRevokedMs / fanout.baselineRoundTripMs),
    target: isTarget ? `≤ ${TARGETS.fanoutMs} ms` : `none (b: ≤ ${TARGETS.fanoutMs} ms)`,
    verdict: isTarget ? verdict(met) : met ? "within b's bar" : "over b's bar",
  };
}

function memoryRow(memory) {
  return {
    figure: "(c) server memory per connected worker, SQLite",
    measured: `${format.kilobytes(memory.rssPerWorkerBytes)} RSS`,
    baseline: `RSS at 0 workers ${format.megabytes(memory.before.rssBytes)}`,
    ratio: `${format.ratio(memory.after.rssBytes / memory.before.rssBytes)} (RSS)`,
    target: `≤ ${TARGETS.bytesPerWorker / 1000} KB`,
    verdict: verdict(memory.rssPerWorkerBytes <= TARGETS.bytesPerWorker),
  };
}

/**
 * The acknowledged DELETE across replicas: how long the DELETE on A took to answer, and when B's last
 * worker was told relative to that answer (negative: before it). SPEC.md v1.1 wants every worker
 * told before the DELETE answers.
 */
function acknowledgedDeleteRow(fanout) {
  const gaps = fanout.rounds.map(
    (round) => (round.lastRevokedMs ?? Number.POSITIVE_INFINITY) - round.deleteResponseMs,
  );
  const gap = median(gaps);
  const answered = median(fanout.rounds.map((round) => round.deleteResponseMs));
  const sign = gap <= 0 ? "before" : "after";
  return {
    figure: "(h) DELETE on A answered → last of B's workers told",
    measured: `last told ${format.ms(Math.abs(gap))} ${sign} the answer`,
    baseline: `DELETE answered in ${format.ms(answered)}`,
    ratio: "—",
    target: "told before the answer; ≤ 150 ms",
    verdict: verdict(fanout.complete && gaps.every((value) => value <= 0) && answered <= 150),
  };
}

function restartRow(afterRestart) {
  const complete = afterRestart.received === afterRestart.fleetSize;
  return {
    figure: "(i) first revocation after a database restart",
    measured: complete
      ? `last of ${format.count(afterRestart.fleetSize)} on C: ${format.ms(afterRestart.lastRevokedMs)}`
      : `only ${afterRestart.received} of ${afterRestart.fleetSize} revoked`,
    baseline: `link cut ${format.ms(afterRestart.outageMs)}, then DELETE`,
    ratio: "—",
    target: "≤ 150 ms + reconnect; none missed",
    verdict: complete ? "none missed" : verdict(false),
  };
}

function notMeasured(figure) {
  return { figure, measured: "not measured (see error)" };
}

/**
 * One line per route measured. The server's CPU per request does not depend on how fast the load
 * generator is, so it compares two servers even when the generator, not the server, set the pace.
 */
function throughputDetails(label, throughput) {
  const line = (route, result) =>
    `  ${label} ${route.padEnd(13)} ${format.perSecond(result.requestsPerSecond).padStart(13)}` +
    `  p50 ${format.ms(result.latencyP50Ms)}, p99 ${format.ms(result.latencyP99Ms)}` +
    `  CPU: server ${format.percent(result.serverCpuPercent)}` +
    ` (${format.microseconds(result.serverMicrosecondsPerRequest)} per request),` +
    ` load generator ${format.percent(result.generatorCpuPercent)}, other processes ${format.percent(result.otherCpuPercent)}`;
  return [
    line("/healthz", throughput.healthz),
    line("whoami", throughput.whoami),
    ...(throughput.minimal ? [line("minimal route", throughput.minimal)] : []),
  ];
}

function fanoutDetails(label, fanout) {
  return [
    `  ${label}: median of ${fanout.rounds.length} rounds, each a fresh fleet of ${format.count(fanout.fleetSize)} workers`,
    ...fanout.rounds.map(
      (round, index) =>
        `    round ${index + 1}: registered in ${format.ms(round.connectMs)}; after the DELETE was sent:` +
        ` revoked first ${format.ms(round.firstRevokedMs)}, median ${format.ms(round.medianRevokedMs)},` +
        ` last ${format.ms(round.lastRevokedMs)}; DELETE answered ${format.ms(round.deleteResponseMs)}` +
        ` (disconnectedWorkers ${round.disconnectedWorkers}); 4001 closes ${round.closedWith4001};` +
        ` client CPU ${format.ms(round.clientCpuMs)}; GET round trip ${format.ms(round.baselineRoundTripMs)}`,
    ),
  ];
}

function memoryDetails(memory) {
  const { before, after } = memory;
  return [
    `  (c) after a full GC, ${format.count(memory.workers)} workers: RSS ${format.megabytes(before.rssBytes)} → ${format.megabytes(after.rssBytes)},` +
      ` V8 heap used ${format.megabytes(before.heapUsedBytes)} → ${format.megabytes(after.heapUsedBytes)}` +
      ` (${format.kilobytes(memory.heapPerWorkerBytes)} per worker), external ${format.megabytes(before.externalBytes)} → ${format.megabytes(after.externalBytes)}`,
  ];
}

/** Other processes competing for the same cores make every figure slower and noisier: say so. */
function describeMachineLoad(loadAtStart) {
  const cores = os.cpus().length;
  const now = os.loadavg()[0] ?? 0;
  const line = `Machine load average (1 min): ${loadAtStart.toFixed(1)} at start, ${now.toFixed(1)} at end, on ${cores} cores`;
  return Math.max(loadAtStart, now) > cores
    ? [
        line,
        "  (busier than its cores: other processes competed for CPU, so figures are slower and vary between runs)",
      ]
    : [line];
}

export function printReport({ results, settings, startedAt, loadAtStart }) {
  const { sqlite, postgres, fleet } = results;
  const rows = [
    sqlite ? throughputRow("(a) whoami throughput, SQLite", sqlite.throughput, true) : notMeasured("(a)"),
    sqlite
      ? whoamiRatioRow(
          "(a) whoami over a minimal Fastify route, SQLite",
          ["whoami", sqlite.throughput.whoami.requestsPerSecond],
          ["minimal route", sqlite.throughput.minimal.requestsPerSecond],
          TARGETS.minimalRouteRatio,
        )
      : notMeasured("(a) whoami over a minimal route"),
    sqlite ? perProcessRow(sqlite.whoamiCpuPerProcess) : notMeasured("(a) whoami CPU per process"),
    sqlite ? fanoutRow("(b) revocation fan-out, SQLite", sqlite.fanout, true) : notMeasured("(b)"),
    sqlite ? memoryRow(sqlite.memory) : notMeasured("(c)"),
    postgres
      ? fanoutRow("(d) fan-out across replicas, PostgreSQL", postgres.fanout, false)
      : notMeasured("(d) fan-out across replicas"),
    postgres
      ? throughputRow("(d) whoami throughput, PostgreSQL", postgres.throughput, false)
      : notMeasured("(d) whoami on PostgreSQL"),
    postgres && sqlite
      ? whoamiRatioRow(
          "(d) whoami, PostgreSQL replica over SQLite",
          ["PostgreSQL", postgres.throughput.whoami.requestsPerSecond],
          ["SQLite", sqlite.throughput.whoami.requestsPerSecond],
          TARGETS.postgresOverSqlite,
        )
      : notMeasured("(d) whoami, PostgreSQL over SQLite"),
    postgres ? acknowledgedDeleteRow(postgres.fanout) : notMeasured("(h) acknowledged DELETE"),
    postgres?.afterRestart
      ? restartRow(postgres.afterRestart)
      : notMeasured("(i) revocation after a restart"),
    ...fleetRows(fleet),
  ];
  const details = [
    ...(sqlite ? throughputDetails("(a) SQLite    ", sqlite.throughput) : []),
    ...(postgres ? throughputDetails("(d) PostgreSQL", postgres.throughput) : []),
    ...(sqlite
      ? [
          "  (a) whoami, server CPU per request on each fresh process, pass by pass (its figure is the cheapest):",
          ...sqlite.whoamiCpuPerProcess.map(
            (measured, index) =>
              `    process ${index + 1}: ${measured.passes.map(format.microseconds).join(", ")}`,
          ),
        ]
      : []),
    ...(sqlite ? fanoutDetails("(b) one server, SQLite", sqlite.fanout) : []),
    ...(postgres ? fanoutDetails("(d) workers on B, DELETE on A", postgres.fanout) : []),
    ...(sqlite ? memoryDetails(sqlite.memory) : []),
    ...(postgres?.afterRestart
      ? [
          `  (i) replica C's link to PostgreSQL cut for ${format.ms(postgres.afterRestart.outageMs)}, then the key revoked through A:` +
            ` DELETE answered ${format.ms(postgres.afterRestart.deleteResponseMs)}; C's workers told first` +
            ` ${format.ms(postgres.afterRestart.firstRevokedMs)}, last ${format.ms(postgres.afterRestart.lastRevokedMs)} after it was sent` +
            ` (C's listener reconnects with backoff, then reads the key-change log)`,
        ]
      : []),
    ...fleetDetails(fleet),
  ];
  console.log(
    [
      "",
      `Cogno bench: node ${process.version}, ${os.cpus().length} cores, ${os.platform()} ${os.arch()}`,
      ...(settings.smoke ? ["SMOKE RUN (--smoke): tiny fleets and windows; the figures mean nothing"] : []),
      `Load: ${settings.connections} keep-alive connections from a separate process; routes measured in turn, ` +
        `${settings.throughputPasses} ${settings.throughputPasses === 1 ? "pass" : "passes"} of ${settings.passWarmupMs / 1000} s warm-up and ` +
        `${settings.durationMs / settings.throughputPasses / 1000} s measured (${settings.durationMs / 1000} s per route in all)`,
      ...describeMachineLoad(loadAtStart),
      "",
      formatTable(rows),
      "",
      "Details (CPU as % of one core)",
      ...details,
      "",
      `Finished in ${((performance.now() - startedAt) / 1000).toFixed(1)} s.`,
    ].join("\n"),
  );
}
