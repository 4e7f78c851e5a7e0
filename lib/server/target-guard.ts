import { lookup } from "node:dns/promises";
import { isIP } from "node:net";
import { ForbiddenTargetError } from "../oci/errors";
import type { TargetPurpose } from "../oci/transport";

/**
 * SSRF protection: decides, before each request leaves the server, whether
 * a URL may be contacted on behalf of one configured registry.
 *
 * - the registry's own origin: always;
 * - hosts the registry's config lists in `allowHosts`: always (token services, CDNs on private networks);
 * - a token realm anywhere else: never (credentials would go to it);
 * - a redirect elsewhere: only to public addresses, never from https down to http.
 *   Authorization is not forwarded across hosts (the transport drops it).
 */

export interface GuardedRegistry {
  id: string;
  origin: string;
  allowHosts: readonly string[];
}

export type Resolver = (hostname: string) => Promise<string[]>;

const defaultResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export function createTargetGuard(registry: GuardedRegistry, resolver: Resolver = defaultResolver) {
  const registryOrigin = new URL(registry.origin);
  return async (url: URL, purpose: TargetPurpose): Promise<void> => {
    if (url.origin === registryOrigin.origin) return;
    if (hostAllowed(url, registry.allowHosts)) return;
    const refuse = (why: string): never => {
      throw new ForbiddenTargetError(registry.id, `${registry.id}: refused ${why}`);
    };
    const fix = `add "${url.host}" to allowHosts of registry "${registry.id}" if it belongs to that registry`;
    if (purpose === "token") refuse(`to ask ${url.host} for a token: the token realm is not the registry's host (${registryOrigin.host}); ${fix}`);
    if (purpose === "registry") refuse(`a request to ${url.host}, which is not the configured registry ${registryOrigin.host}`);
    if (registryOrigin.protocol === "https:" && url.protocol !== "https:") refuse(`a redirect from https down to ${url.protocol}//${url.host}`);
    const hostname = url.hostname.replace(/^\[|\]$/g, "");
    let addresses: string[];
    if (isIP(hostname)) addresses = [hostname];
    else {
      try {
        addresses = await resolver(hostname);
        if (addresses.length === 0) throw new Error("no address");
      } catch {
        refuse(`a redirect to ${url.host}: the host name does not resolve`);
        return;
      }
    }
    for (const address of addresses) {
      const kind = specialAddress(address);
      if (kind) refuse(`a redirect to ${url.host} (${address}, a ${kind} address); ${fix}`);
    }
  };
}

/** `host`, `host:port` or `*.domain` patterns, case-insensitive. */
export function hostAllowed(url: URL, patterns: readonly string[]): boolean {
  const host = url.host.toLowerCase();
  const hostname = url.hostname.toLowerCase();
  return patterns.some((p) => {
    const pattern = p.toLowerCase();
    if (pattern.startsWith("*.")) return hostname.endsWith(pattern.slice(1));
    return pattern === host || pattern === hostname;
  });
}

/**
 * Why an address may not be contacted through a redirect: loopback,
 * private, link-local (cloud metadata lives at 169.254.169.254), shared,
 * unspecified, multicast or reserved. Undefined for public addresses.
 */
export function specialAddress(address: string): string | undefined {
  const v = isIP(address);
  if (v === 4) return specialV4(address);
  if (v === 6) return specialV6(address.toLowerCase());
  return "malformed";
}

function specialV4(address: string): string | undefined {
  const [a, b] = address.split(".").map(Number);
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a === 100 && b >= 64 && b <= 127) return "shared (carrier-grade NAT)";
  if (a === 0) return "unspecified";
  if (a === 192 && b === 0 && address.split(".")[2] === "0") return "reserved";
  if (a === 198 && (b === 18 || b === 19)) return "benchmarking";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved";
  return undefined;
}

function specialV6(address: string): string | undefined {
  if (address === "::") return "unspecified";
  if (address === "::1") return "loopback";
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(address) ?? /^64:ff9b::(\d+\.\d+\.\d+\.\d+)$/.exec(address);
  if (mapped) return specialV4(mapped[1]);
  const hexMapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(address);
  if (hexMapped) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return specialV4(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const first = parseInt(address.split(":")[0] || "0", 16);
  if ((first & 0xfe00) === 0xfc00) return "private (unique local)";
  if ((first & 0xffc0) === 0xfe80) return "link-local";
  if ((first & 0xff00) === 0xff00) return "multicast";
  return undefined;
}
