/**
 * A simulated machine for the real `cogno` CLI: its own XDG config home (so its own credentials,
 * machine id and daemon lock), and the environment a shell on it would pass: no COGNO_TOKEN or
 * COGNO_SERVER leaking in from the test runner.
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

export interface Machine {
  /** XDG_CONFIG_HOME (and HOME) of this machine; the CLI keeps its files in `<home>/cogno`. */
  configHome: string;
  credentialsPath: string;
  /** PATH, HOME and XDG_CONFIG_HOME, as a login shell on this machine has them. */
  env: Record<string, string>;
  remove(): Promise<void>;
}

export async function createMachine(): Promise<Machine> {
  const configHome = await mkdtemp(path.join(tmpdir(), "cogno-machine-"));
  return {
    configHome,
    credentialsPath: path.join(configHome, "cogno", "credentials.json"),
    env: { PATH: process.env.PATH ?? "", HOME: configHome, XDG_CONFIG_HOME: configHome },
    remove: () => rm(configHome, { recursive: true, force: true }),
  };
}

/** The credentials file's exact bytes, or undefined when the machine has none. */
export async function readCredentialBytes(machine: Machine): Promise<Buffer | undefined> {
  try {
    return await readFile(machine.credentialsPath);
  } catch {
    return undefined;
  }
}
