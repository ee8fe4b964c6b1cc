/** Number formats and a plain-text table for the bench report. */

const integer = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

export const format = {
  perSecond: (value) => `${integer.format(value)} req/s`,
  microseconds: (value) => `${value.toFixed(1)} µs`,
  ms: (value) => (value === undefined ? "—" : `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`),
  kilobytes: (bytes) => `${(bytes / 1000).toFixed(1)} KB`,
  megabytes: (bytes) => `${(bytes / 1_000_000).toFixed(1)} MB`,
  ratio: (value) => value.toFixed(2),
  times: (value) => `${value < 10 ? value.toFixed(1) : integer.format(value)}×`,
  percent: (value) => `${integer.format(value)}%`,
  count: (value) => integer.format(value),
};

/**
 * One row per figure: { figure, measured, baseline, ratio, target, verdict }; a figure that could
 * not be measured (the run failed first) shows as such rather than disappearing.
 */
export function formatTable(rows) {
  const header = {
    figure: "Figure",
    measured: "Measured",
    baseline: "Baseline (same run)",
    ratio: "Ratio",
    target: "Target",
    verdict: "Result",
  };
  const columns = Object.keys(header);
  const all = [header, ...rows];
  const widths = columns.map((column) => Math.max(...all.map((row) => String(row[column] ?? "").length)));
  const line = (row) =>
    columns
      .map((column, index) => String(row[column] ?? "").padEnd(widths[index] ?? 0))
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(header), rule, ...rows.map(line)].join("\n");
}

export function verdict(met) {
  return met ? "met" : "NOT MET";
}
