import type { LayerDocument } from "../documents/read";
import type { SupplyChainGraph } from "../supply-chain/discover";
import type { GraphVerification } from "../verification/verify-graph";
import { combine, evaluatePolicy, type Outcome, type PolicyResult } from "./evaluate";
import { gatherEvidence } from "./evidence";
import { inScope } from "./scope";
import type { Policy } from "./schema";

/** Every policy that covers the image (or only those named), judged on one gathering of its evidence. */

export interface ImagePolicies {
  digest: string;
  results: PolicyResult[];
  /** Over the enforced policies: fail when one fails; audit-mode results never fail the image. */
  outcome: Outcome | "none";
}

export interface CheckOptions {
  registry: string;
  repository: string;
  /** The tags the image is known by (a tag reference); absent for a digest. */
  tags?: string[];
  /** Judge only these policies, in scope or not (the CLI's --policy). */
  only?: string[];
  now?: Date;
}

/** The policies that apply (or were named); an unknown name is the caller's to report. */
export function selectPolicies(policies: Policy[], options: CheckOptions): Policy[] {
  if (options.only?.length) return policies.filter((p) => options.only!.includes(p.name));
  return policies.filter((p) => inScope(p, options.registry, options.repository, options.tags));
}

export async function checkPolicies(
  policies: Policy[],
  graph: SupplyChainGraph,
  verification: GraphVerification,
  read: (digest: string) => Promise<LayerDocument[]>,
  options: CheckOptions,
): Promise<ImagePolicies> {
  const selected = selectPolicies(policies, options);
  if (selected.length === 0) return { digest: graph.root, results: [], outcome: "none" };
  const evidence = await gatherEvidence(graph, verification, read);
  const now = options.now ?? new Date();
  const results = selected.map((p) => evaluatePolicy(p, evidence, now));
  const enforced = results.filter((r) => r.mode === "enforce");
  return { digest: graph.root, results, outcome: enforced.length ? combine(enforced.map((r) => r.outcome)) : "pass" };
}
