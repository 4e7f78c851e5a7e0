import { lookup as dnsLookup, type LookupAddress } from "node:dns";
import { Agent } from "undici";
import type { FetchLike } from "../oci/transport";
import { requestFetch } from "./registry-fetch";
import { hostAllowed, specialAddress } from "./target-guard";

/**
 * The connection-time half of SSRF protection. The target guard checks a URL
 * before a request is sent; a host name can still resolve to another address
 * when the connection is made (DNS rebinding). This fetch resolves names
 * itself, refuses loopback, private and link-local addresses for hosts the
 * registry's config does not name, and connects to exactly the address it
 * checked.
 */

export interface ConnectPolicy {
  /** The registry's own host name (always allowed, whatever it resolves to). */
  registryHost: string;
  allowHosts: readonly string[];
  /**
   * Most connections open at once per origin: the registry's concurrency, so
   * requests queue on kept-alive connections instead of opening new ones.
   */
  connections?: number;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export function createGuardedFetch(policy: ConnectPolicy): FetchLike {
  const registryHost = policy.registryHost.toLowerCase();
  // The resolver sees host names without ports; the target guard has already checked host:port.
  const allowedNames = policy.allowHosts.map((h) => h.replace(/:\d+$/, ""));
  const lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      if (err) return callback(err, []);
      const name = hostname.toLowerCase();
      const trusted = name === registryHost || hostAllowed(new URL(`http://${name}`), allowedNames);
      if (!trusted) {
        for (const a of addresses) {
          const kind = specialAddress(a.address);
          if (kind) {
            const e: NodeJS.ErrnoException = new Error(`refused to connect to ${hostname}: it resolves to ${a.address}, a ${kind} address`);
            e.code = "ECHAINSIGHTFORBIDDEN";
            return callback(e, []);
          }
        }
      }
      if (options?.all) return callback(null, addresses);
      callback(null, addresses[0].address, addresses[0].family);
    });
  };
  const agent = new Agent({ connect: { lookup: lookup as never }, keepAliveTimeout: 10_000, connections: policy.connections ?? null });
  return requestFetch(agent);
}
