/** Reads another process's memory and CPU time from /proc (Linux), without its cooperation. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

/** Resident set size in KiB (VmRSS of /proc/<pid>/status). */
export function readRssKib(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (!match) throw new Error(`no VmRSS in /proc/${pid}/status`);
  return Number(match[1]);
}

let ticksPerSecond;
function clockTicksPerSecond() {
  if (ticksPerSecond === undefined) {
    try {
      ticksPerSecond = Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

/** User plus system CPU time the process has used so far, in milliseconds. */
export function readCpuMs(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) may contain spaces; the numeric fields start after its closing ")".
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  const userTicks = Number(fields[11]);
  const systemTicks = Number(fields[12]);
  return ((userTicks + systemTicks) * 1000) / clockTicksPerSecond();
}

/**
 * CPU time the whole machine has spent busy so far, in milliseconds summed over cores: subtracting
 * what the server and the load generator used tells how much other processes took meanwhile.
 */
export function readMachineBusyCpuMs() {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  // cpu user nice system idle iowait irq softirq steal ...
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  return ((total - idle) * 1000) / clockTicksPerSecond();
}
