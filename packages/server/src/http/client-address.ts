/**
 * The client's address as Fastify's `request.ip` gives it, for code that runs before Fastify
 * (fast lanes): the socket's peer, or, behind trusted proxies, the first untrusted hop of
 * X-Forwarded-For, with the trust setting Fastify is given (app.ts).
 */
import type { IncomingMessage } from "node:http";
import proxyAddr from "@fastify/proxy-addr";

export type TrustedProxies = boolean | string[] | ((address: string, hop: number) => boolean);

/** The address of a request, or undefined when its socket is already gone. */
export function clientAddressOf(trust: TrustedProxies): (request: IncomingMessage) => string | undefined {
  if (trust === false) return (request) => request.socket.remoteAddress;
  // As Fastify compiles it (fastify/lib/request.js, getTrustProxyFn).
  const trusts = trust === true ? () => true : typeof trust === "function" ? trust : proxyAddr.compile(trust);
  return (request) => {
    if (request.socket.remoteAddress === undefined) return undefined;
    const addresses = proxyAddr.all(request, trusts);
    return addresses[addresses.length - 1];
  };
}
