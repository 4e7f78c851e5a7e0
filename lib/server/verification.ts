import { imageDigests } from "../supply-chain/status";
import { readdirSync, statSync } from "node:fs";
import type { Store } from "../oci/store";
import type { SupplyChainGraph } from "../supply-chain/discover";
import { ManagedTrust } from "../verification/managed-trust";
import { loadTrust, TrustConfigError, type TrustSettings, type VerificationTrust } from "../verification/trust-config";
import { mostInformative } from "../verification/verdict";
import { VerificationCache, verifyGraph, type GraphVerification, type SubjectVerification } from "../verification/verify-graph";
import type { Config, RegistryConfig } from "./config";
import { ConfigError } from "./errors";
import type { Metrics } from "./metrics";

/** Where each part of the trust comes from: the configuration file wins; the dashboard edits the rest. */
export type TrustSource = "config" | "managed" | "none";
export interface TrustSources {
  notation: TrustSource;
  sigstore: TrustSource;
  cosign: TrustSource;
}

/** How often trust files are checked for changes made outside the server (an edited trust policy). */
const RECHECK_MS = 5_000;

/**
 * The server's verifier: the trust material read from the configured files
 * (and, for what the configuration does not set, from the dashboard's
 * managed folder), re-read when a file changes, and the results cache
 * shared by every request.
 */
export class VerificationService {
  private current: VerificationTrust;
  private stamp: string;
  private checkedAt = 0;
  readonly cache: VerificationCache;
  readonly managed: ManagedTrust;

  constructor(
    private readonly config: Config,
    private readonly metrics?: Metrics,
  ) {
    this.managed = new ManagedTrust(config.verification.managedDir);
    this.current = this.load();
    this.stamp = this.fileStamp();
    this.cache = new VerificationCache(config.verification.cacheMinutes * 60_000);
  }

  /** The trust in force; re-read (at most every few seconds) when a trust file changed on disk. */
  get trust(): VerificationTrust {
    const now = Date.now();
    if (now - this.checkedAt >= RECHECK_MS) {
      this.checkedAt = now;
      const stamp = this.fileStamp();
      if (stamp !== this.stamp) {
        try {
          this.current = this.load();
          this.stamp = stamp;
        } catch {
          // A file half-edited on disk: keep the trust that was last valid until it reads again.
        }
      }
    }
    return this.current;
  }

  /** After the dashboard changed the managed trust: read it now. */
  reload(): VerificationTrust {
    this.current = this.load();
    this.stamp = this.fileStamp();
    this.checkedAt = Date.now();
    return this.current;
  }

  sources(): TrustSources {
    const v = this.config.verification;
    const m = this.managed.settings();
    return {
      notation: v.notation.trustPolicy || v.notation.trustStore ? "config" : m.notation.trustPolicy || m.notation.trustStore ? "managed" : "none",
      sigstore: v.sigstore.trustedRoot ? "config" : m.sigstore.trustedRoot ? "managed" : "none",
      cosign: v.cosign.keys.length || v.cosign.identities.length ? "config" : m.cosign.keys.length || m.cosign.identities.length ? "managed" : "none",
    };
  }

  /** The settings in force: each part from the configuration when it sets it, else from the managed folder. */
  settings(): TrustSettings {
    const v = this.config.verification;
    const m = this.managed.settings();
    const s = this.sources();
    return {
      notation: s.notation === "config" ? v.notation : { ...m.notation, crls: v.notation.crls },
      sigstore: s.sigstore === "config" ? v.sigstore : m.sigstore,
      cosign: s.cosign === "config" ? v.cosign : m.cosign,
    };
  }

  /** What trust policies and key scopes are matched against: "<trustScope>/<repository>". */
  scopeOf(registry: RegistryConfig, repository: string): string {
    return `${registry.trustScope}/${repository}`;
  }

  /** `scopeRepository`: judge as if it were there (an uploaded archive, judged by the trust of where it goes). */
  verify(store: Store, registry: RegistryConfig, graph: SupplyChainGraph, scopeRepository = graph.repository): Promise<GraphVerification> {
    return verifyGraph(store, graph, this.trust, {
      scope: this.scopeOf(registry, scopeRepository),
      cache: this.cache,
      onComputed: (r) => this.metrics?.signatureVerifications.inc({ format: r.format, verdict: r.verdict }),
    });
  }

  private load(): VerificationTrust {
    try {
      return loadTrust(this.settings());
    } catch (err) {
      if (err instanceof TrustConfigError) throw new ConfigError(`${this.config.source}: ${err.message}`);
      throw err;
    }
  }

  /** Sizes and modification times of every trust file in force: cheap to compare. */
  private fileStamp(): string {
    const s = this.settings();
    const paths = [s.notation.trustPolicy, s.sigstore.trustedRoot, ...Object.values(s.notation.crls), ...s.cosign.keys.map((k) => k.path)];
    const parts: string[] = [];
    for (const p of paths) parts.push(stampOf(p));
    if (s.notation.trustStore) parts.push(treeStamp(s.notation.trustStore));
    parts.push(stampOf(`${this.managed.dir}/cosign.json`));
    return parts.join("|");
  }
}

function stampOf(path: string | undefined): string {
  if (!path) return "-";
  try {
    const st = statSync(path);
    return `${st.size}:${st.mtimeMs}`;
  } catch {
    return "missing";
  }
}

/** A trust store's folders change when certificates are added or removed (their mtimes move). */
function treeStamp(root: string): string {
  const parts: string[] = [];
  for (const type of ["ca", "signingAuthority", "tsa"]) {
    const dir = `${root}/x509/${type}`;
    parts.push(stampOf(dir));
    try {
      for (const name of readdirSync(dir)) parts.push(stampOf(`${dir}/${name}`));
    } catch {
      // no such store type
    }
  }
  return parts.join(",");
}

/**
 * The verdict of an image: its own signatures and those of its platform
 * manifests (an index signed per platform is signed), verified when at least
 * one verifies, else the most informative failure.
 */
export function subjectVerdict(graph: SupplyChainGraph, verification: GraphVerification): SubjectVerification | undefined {
  const subjects = imageDigests(graph);
  const parts = [...subjects].map((d) => verification.subjects[d]).filter((s): s is SubjectVerification => !!s);
  if (parts.length === 0) return undefined;
  const signatures = parts.reduce((n, p) => n + p.signatures, 0);
  const verified = parts.reduce((n, p) => n + p.verified, 0);
  const decisive = parts.find((p) => p.verdict === "verified") ?? parts.find((p) => p.verdict === mostInformative(parts.map((x) => x.verdict)))!;
  const signers = [...new Map(parts.flatMap((p) => p.signers).map((s) => [JSON.stringify(s), s])).values()];
  return { ...decisive, digest: graph.root, signers, signatures, verified };
}
