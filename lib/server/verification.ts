import type { Store } from "../oci/store";
import type { SupplyChainGraph } from "../supply-chain/discover";
import { loadTrust, TrustConfigError, type VerificationTrust } from "../verification/trust-config";
import { mostInformative } from "../verification/verdict";
import { VerificationCache, verifyGraph, type GraphVerification, type SubjectVerification } from "../verification/verify-graph";
import type { Config, RegistryConfig } from "./config";
import { ConfigError } from "./errors";
import type { Metrics } from "./metrics";

/**
 * The server's verifier: the trust material read once from the configured
 * files, and the results cache shared by every request.
 */
export class VerificationService {
  readonly trust: VerificationTrust;
  readonly cache: VerificationCache;

  constructor(
    config: Config,
    private readonly metrics?: Metrics,
  ) {
    try {
      this.trust = loadTrust(config.verification);
    } catch (err) {
      if (err instanceof TrustConfigError) throw new ConfigError(`${config.source}: ${err.message}`);
      throw err;
    }
    this.cache = new VerificationCache(config.verification.cacheMinutes * 60_000);
  }

  /** What trust policies and key scopes are matched against: "<trustScope>/<repository>". */
  scopeOf(registry: RegistryConfig, repository: string): string {
    return `${registry.trustScope}/${repository}`;
  }

  verify(store: Store, registry: RegistryConfig, graph: SupplyChainGraph): Promise<GraphVerification> {
    return verifyGraph(store, graph, this.trust, {
      scope: this.scopeOf(registry, graph.repository),
      cache: this.cache,
      onComputed: (r) => this.metrics?.signatureVerifications.inc({ format: r.format, verdict: r.verdict }),
    });
  }
}

/**
 * The verdict of an image: its own signatures and those of its platform
 * manifests (an index signed per platform is signed), verified when at least
 * one verifies, else the most informative failure.
 */
export function subjectVerdict(graph: SupplyChainGraph, verification: GraphVerification): SubjectVerification | undefined {
  const subjects = new Set([graph.root]);
  for (const e of graph.edges) if (e.relation === "platform" && subjects.has(e.from)) subjects.add(e.to);
  const parts = [...subjects].map((d) => verification.subjects[d]).filter((s): s is SubjectVerification => !!s);
  if (parts.length === 0) return undefined;
  const signatures = parts.reduce((n, p) => n + p.signatures, 0);
  const verified = parts.reduce((n, p) => n + p.verified, 0);
  const decisive = parts.find((p) => p.verdict === "verified") ?? parts.find((p) => p.verdict === mostInformative(parts.map((x) => x.verdict)))!;
  return { ...decisive, digest: graph.root, signatures, verified };
}
