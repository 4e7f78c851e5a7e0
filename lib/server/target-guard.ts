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
    const refuse = (why: string): never => {
      throw new ForbiddenTargetError(registry.id, `${registry.id}: refused ${why}`);
    };
    // Never from https down to http, whoever the host is: allowHosts says which hosts, not which scheme.
    if (registryOrigin.protocol === "https:" && url.protocol !== "https:") {
      refuse(`${purpose === "token" ? "a token realm" : "a redirect"} from https down to ${url.protocol}//${url.host}`);
    }
    if (hostAllowed(url, registry.allowHosts)) return;
    const fix = `add "${url.host}" to allowHosts of registry "${registry.id}" if it belongs to that registry`;
    if (purpose === "token") refuse(`to ask ${url.host} for a token: the token realm is not the registry's host (${registryOrigin.host}); ${fix}`);
    if (purpose === "registry") refuse(`a request to ${url.host}, which is not the configured registry ${registryOrigin.host}`);
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
 *
 * IPv6 is classified from its parsed bytes, never from its text: the URL
 * parser rewrites `[::127.0.0.2]` as `[::7f00:2]`, and every form that embeds
 * an IPv4 address (mapped, compatible, NAT64, 6to4, Teredo) is judged by the
 * IPv4 address it reaches.
 */
export function specialAddress(address: string): string | undefined {
  const v = isIP(address);
  if (v === 4) return specialV4(address.split(".").map(Number));
  if (v === 6) {
    const bytes = parseIPv6(address);
    return bytes ? specialV6(bytes) : "malformed";
  }
  return "malformed";
}

function specialV4([a, b, c, d]: number[]): string | undefined {
  if (a === 127) return "loopback";
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return "private";
  if (a === 169 && b === 254) return "link-local";
  if (a === 100 && b >= 64 && b <= 127) return "shared (carrier-grade NAT)";
  if (a === 0) return "unspecified";
  if (a === 192 && b === 0 && (c === 0 || c === 2)) return "reserved";
  if (a === 198 && b === 51 && c === 100) return "reserved (documentation)";
  if (a === 203 && b === 0 && c === 113) return "reserved (documentation)";
  if (a === 192 && b === 88 && c === 99) return "reserved (6to4 relay)";
  if (a === 198 && (b === 18 || b === 19)) return "benchmarking";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return a === 255 && b === 255 && c === 255 && d === 255 ? "broadcast" : "reserved";
  return undefined;
}

/** 16 bytes of an IPv6 address (with an optional dotted IPv4 tail and zone), or undefined. */
export function parseIPv6(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted) {
    const parts = dotted[2].split(".").map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    tail.push((parts[0] << 8) | parts[1], (parts[2] << 8) | parts[3]);
    s = dotted[1].endsWith("::") ? dotted[1] : dotted[1].slice(0, -1);
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string) => (h === "" ? [] : h.split(":"));
  const head = groups(halves[0]);
  const rest = halves.length === 2 ? groups(halves[1]) : [];
  const want = 8 - tail.length;
  const missing = want - head.length - rest.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const words: number[] = [];
  for (const g of [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...rest]) {
    if (!/^[0-9a-f]{1,4}$/.test(g)) return undefined;
    words.push(parseInt(g, 16));
  }
  words.push(...tail);
  return words.flatMap((w) => [w >> 8, w & 255]);
}

function specialV6(b: number[]): string | undefined {
  const zero = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  const v4 = (from: number) => b.slice(from, from + 4);
  const viaV4 = (how: string, addr: number[]) => {
    const kind = specialV4(addr);
    return kind ? `${kind} (${how} ${addr.join(".")})` : undefined;
  };
  if (zero(0, 16)) return "unspecified";
  if (zero(0, 15) && b[15] === 1) return "loopback";
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible, deprecated but still routed by some stacks)
  if (zero(0, 10) && b[10] === 0xff && b[11] === 0xff) return viaV4("IPv4-mapped", v4(12));
  if (zero(0, 12)) return viaV4("IPv4-compatible", v4(12)) ?? "reserved (IPv4-compatible)";
  // 64:ff9b::/96, the NAT64 well-known prefix; 64:ff9b:1::/48 is for local NAT64 only
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b) {
    if (zero(4, 12)) return viaV4("NAT64 of", v4(12));
    if (b[4] === 0 && b[5] === 1) return "private (local-use NAT64)";
  }
  // 2002::/16: 6to4, the IPv4 address in bytes 2-5
  if (b[0] === 0x20 && b[1] === 0x02) return viaV4("6to4 of", v4(2));
  // 2001:0::/32: Teredo, the client's IPv4 address inverted in the last 4 bytes, the server's in bytes 4-7
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0 && b[3] === 0) {
    return viaV4("Teredo client", v4(12).map((x) => x ^ 0xff)) ?? viaV4("Teredo server", v4(4));
  }
  if (b[0] === 0x20 && b[1] === 0x01 && b[2] === 0x0d && b[3] === 0xb8) return "reserved (documentation)";
  if (b[0] === 0x01 && b[1] === 0x00 && zero(2, 8)) return "reserved (discard)";
  if ((b[0] & 0xfe) === 0xfc) return "private (unique local)";
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0x80) return "link-local";
  if (b[0] === 0xfe && (b[1] & 0xc0) === 0xc0) return "private (site-local)";
  if (b[0] === 0xff) return "multicast";
  return undefined;
}
