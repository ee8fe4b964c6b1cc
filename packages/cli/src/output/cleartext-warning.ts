/**
 * A key sent to a server over plain http:// crosses the network readable by anyone on the way. On
 * this machine (loopback) that is fine and usual; anywhere else the CLI says so, once per run, on
 * standard error.
 */
import type { Output } from "./output.ts";

const IPV4_LOOPBACK = /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;
/** ::1, and 127.0.0.0/8 mapped into IPv6, as the URL parser writes them ([::ffff:7f00:1]). */
const IPV6_LOOPBACK = /^\[(?:::1|::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4})\]$/;

/** `hostname` as `URL.hostname` gives it: lower case, IPv6 in brackets, IPv4 in dotted decimal. */
export function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || IPV4_LOOPBACK.test(hostname) || IPV6_LOOPBACK.test(hostname);
}

/** Whether sending a key to `server` would cross a network unencrypted. */
export function sendsKeyInClear(server: string): boolean {
  try {
    const url = new URL(server);
    return url.protocol === "http:" && !isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

export function createCleartextWarning(output: Output): (server: string) => void {
  let warned = false;
  return (server) => {
    if (warned || !sendsKeyInClear(server)) return;
    warned = true;
    output.error(
      `Warning: ${server} is plain http:// on another machine: the API key crosses the network unencrypted, where anyone on the way can read and use it. Use an https:// URL for servers beyond this machine.`,
    );
  };
}
