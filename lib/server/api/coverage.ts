import { z } from "zod";
import { computeCoverage, namespaceOf, trend, type CoverageResult, type TrendPoint } from "../../index/coverage";
import { csvResponse, csvText } from "../csv";
import { BadRequestError } from "../errors";
import type { HandlerContext } from "../http";
import { intParam } from "./params";
import { indexOff } from "./search";

export const coverageInput = z.object({
  registry: z.string().max(63).optional(),
  /** Repositories starting with this (a namespace: "teama/"). */
  prefix: z.string().max(255).optional(),
  /** List the images that do not pass this policy (and the trend of its outcomes). */
  policy: z.string().max(63).optional(),
  scanDays: intParam("scanDays", 1, 3650).default(30),
  trendDays: intParam("trendDays", 1, 3650).default(90),
  format: z.enum(["json", "csv"], { error: '"format" must be "json" or "csv"' }).default("json"),
});

export interface CoverageResponse extends CoverageResult {
  /** When the oldest registry's last complete walk ended: how old the counts may be. */
  asOf?: string;
  scanDays: number;
  policies: { name: string; mode: "enforce" | "audit"; description?: string }[];
  /** Daily snapshots of the same selection (registry, the prefix's namespace, the policy). */
  trend: TrendPoint[];
}

/** Coverage of the images in the index that the user may read, with the policies as configured now. */
export async function getCoverage(input: z.infer<typeof coverageInput>, { runtime, principal }: HandlerContext): Promise<CoverageResponse | Response> {
  if (!runtime.index.enabled) throw indexOff();
  const registry = input.registry ? runtime.registries.get(input.registry).config.id : undefined;
  const policies = runtime.config.policies;
  if (input.policy && !policies.some((p) => p.name === input.policy)) {
    throw new BadRequestError(`no policy is named "${input.policy}"; configured: ${policies.map((p) => p.name).join(", ") || "none (README, Policies)"}`, "policy");
  }
  const db = await runtime.index.db();
  const now = new Date();
  const result = await computeCoverage(db, {
    registry,
    prefix: input.prefix || undefined,
    policies,
    policy: input.policy,
    scanDays: input.scanDays,
    now,
    visible: (r, repository) => runtime.policy.can(principal, "read", r, repository),
  });
  if (input.format === "csv") return csv(result, input.policy);
  // The trend covers the namespaces the user sees now.
  const seen = new Set(result.registries.flatMap((r) => r.namespaces.map((n) => `${r.registry}\u0000${n.namespace}`)));
  const points = await trend(db, {
    registry,
    namespace: input.prefix ? namespaceOf(input.prefix.replace(/\/+$/, "")) : undefined,
    policy: input.policy,
    days: input.trendDays,
    now,
    visibleNamespace: (r, ns) => seen.has(`${r}\u0000${ns}`),
  });
  return {
    ...result,
    asOf: await runtime.index.asOf(),
    scanDays: input.scanDays,
    policies: policies.map((p) => ({ name: p.name, mode: p.mode, description: p.description })),
    trend: points,
  };
}

/** Per repository, or (a policy named) the images that do not pass it; formula-safe (csv.ts). */
function csv(result: CoverageResult, policy: string | undefined): Response {
  const text = policy
    ? csvText(
        ["registry", "repository", "tags", "digest", "policy", "outcome", "rules"],
        result.notPassing.map((f) => [f.registry, f.repository, f.tags.join(" "), f.digest, f.policy, f.outcome, f.rules.map((r) => `${r.rule}: ${r.outcome}: ${r.reason}`).join(" | ")]),
      )
    : csvText(
        ["registry", "namespace", "repository", "images", "signed", "sbom", "scanned", "provenance", "policies"],
        result.registries.flatMap((r) =>
          r.namespaces.flatMap((n) =>
            n.repositories.map((repo) => [r.registry, n.namespace, repo.repository, repo.counts.images, repo.counts.signed, repo.counts.sbom, repo.counts.scanned, repo.counts.provenance, repo.policies.map((p) => `${p.policy}: ${p.pass} pass, ${p.fail} fail, ${p.unknown} unknown`).join(" | ")]),
          ),
        ),
      );
  return csvResponse(text, `chainsight-coverage${policy ? `-${policy}` : ""}.csv`);
}
