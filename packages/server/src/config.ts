/** The only module that reads process.env: parsed once at start, then passed inward, typed. */
import path from "node:path";
import { z } from "zod";

const portSchema = z.coerce.number().int().min(0).max(65535);

const environmentSchema = z.object({
  COGNO_HOST: z.string().min(1).default("127.0.0.1"),
  COGNO_PORT: portSchema.default(8080),
  COGNO_DATA_DIR: z.string().min(1).default("./.cogno"),
  COGNO_DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, { error: "COGNO_DATABASE_URL must start with postgres://" })
    .optional(),
  COGNO_PUBLIC_URL: z
    .url({ error: "COGNO_PUBLIC_URL must be a URL such as https://cogno.example.com" })
    .optional(),
  COGNO_HEARTBEAT_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(15_000),
  COGNO_LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  COGNO_AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).default(20),
  COGNO_SIGNUPS_PER_MINUTE: z.coerce.number().int().min(1).default(10),
  COGNO_WEB_DIR: z.string().min(1).optional(),
  COGNO_LOG_FORMAT: z.enum(["json", "human"]).optional(),
  COGNO_WORKER_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  COGNO_METRICS_TOKEN: z
    .string()
    .min(16, { error: "COGNO_METRICS_TOKEN must be at least 16 characters: it guards /metrics" })
    .optional(),
  COGNO_LEAK_REPORT_PUBLIC_KEYS: z
    .string()
    .refine((value) => value.includes("-----BEGIN PUBLIC KEY-----"), {
      error:
        "COGNO_LEAK_REPORT_PUBLIC_KEYS must hold one or more PEM public keys (-----BEGIN PUBLIC KEY-----)",
    })
    .optional(),
  COGNO_MAX_CONNECTIONS_PER_KEY: z.coerce.number().int().min(1).default(1_000),
  COGNO_NEW_WORKERS_PER_KEY_PER_MINUTE: z.coerce.number().int().min(1).default(100),
  COGNO_TRUST_PROXY: z
    .string()
    .trim()
    .regex(/^(true|false|\d+|[0-9A-Fa-f.:/]+(\s*,\s*[0-9A-Fa-f.:/]+)*)$/, {
      error:
        "COGNO_TRUST_PROXY must be false, true (one proxy), a number of proxies, or a comma-separated list of proxy addresses",
    })
    .default("false"),
});

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  databaseUrl: string | undefined;
  publicUrl: URL | undefined;
  heartbeatIntervalMs: number;
  logLevel: z.infer<typeof environmentSchema>["COGNO_LOG_LEVEL"];
  /** Failed logins, and failed bearer authentications, allowed per client address per minute. */
  authFailuresPerMinute: number;
  /** Sign-up attempts, successful or not, allowed per client address per minute. */
  signupsPerMinute: number;
  /** Where the built web app lives; the server answers API requests without it. */
  webDir: string;
  /** JSON for machines; human at a terminal unless set. */
  logFormat: "json" | "human";
  /**
   * Which proxies may say who the client is (X-Forwarded-For): none, the nearest N hops, or these
   * addresses. Never "every hop": the client writes the left end of that header itself.
   */
  trustProxy: false | number | string[];
  /** Workers not seen for this many days are forgotten. */
  workerRetentionDays: number;
  /** Bearer token that guards /metrics; undefined: /metrics answers 404. */
  metricsToken: string | undefined;
  /** PEM public keys that must sign leaked-key reports; undefined: unsigned reports are accepted. */
  leakReportPublicKeys: string | undefined;
  /** Worker sockets one key may hold open at once on this server. */
  maxConnectionsPerKey: number;
  /** Machines never seen before that one key may register per minute. */
  newWorkersPerKeyPerMinute: number;
  /** This server's version, for /api/v1/server and the logs. */
  version: string;
}

export class ConfigError extends Error {}

export interface ConfigDefaults {
  webDir: string;
  /** Whether standard output is a terminal: then logs default to the human format. */
  isTerminal: boolean;
  version?: string;
}

export function parseConfig(environment: NodeJS.ProcessEnv, defaults: ConfigDefaults): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
    throw new ConfigError(`Invalid settings:\n  ${problems.join("\n  ")}`);
  }
  const env = parsed.data;
  return {
    host: env.COGNO_HOST,
    port: env.COGNO_PORT,
    dataDir: path.resolve(env.COGNO_DATA_DIR),
    databaseUrl: env.COGNO_DATABASE_URL,
    publicUrl: env.COGNO_PUBLIC_URL ? new URL(env.COGNO_PUBLIC_URL) : undefined,
    heartbeatIntervalMs: env.COGNO_HEARTBEAT_INTERVAL_MS,
    logLevel: env.COGNO_LOG_LEVEL,
    authFailuresPerMinute: env.COGNO_AUTH_FAILURES_PER_MINUTE,
    signupsPerMinute: env.COGNO_SIGNUPS_PER_MINUTE,
    webDir: path.resolve(env.COGNO_WEB_DIR ?? defaults.webDir),
    logFormat: env.COGNO_LOG_FORMAT ?? (defaults.isTerminal ? "human" : "json"),
    trustProxy: parseTrustProxy(env.COGNO_TRUST_PROXY),
    workerRetentionDays: env.COGNO_WORKER_RETENTION_DAYS,
    metricsToken: env.COGNO_METRICS_TOKEN,
    leakReportPublicKeys: env.COGNO_LEAK_REPORT_PUBLIC_KEYS,
    maxConnectionsPerKey: env.COGNO_MAX_CONNECTIONS_PER_KEY,
    newWorkersPerKeyPerMinute: env.COGNO_NEW_WORKERS_PER_KEY_PER_MINUTE,
    version: defaults.version ?? "0.0.0-dev",
  };
}

function parseTrustProxy(value: string): false | number | string[] {
  if (value === "false" || value === "0") return false;
  if (value === "true") return 1;
  if (/^\d+$/.test(value)) return Number(value);
  return value.split(",").map((address) => address.trim());
}
