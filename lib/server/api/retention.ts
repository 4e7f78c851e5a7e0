import { z } from "zod";
import { validateRepository } from "../../oci/reference";
import { retentionReport, type RetentionRow } from "../../lifecycle/retention";
import type { HandlerContext } from "../http";
import { intParam, registryParam } from "./params";
import { readRepositoryNames } from "./repositories";

export const retentionInput = z.object({
  registry: registryParam,
  /** One repository... */
  repository: z.string().min(1).max(255).optional(),
  /** ...or every repository under a namespace (`teama/`). */
  prefix: z.string().max(255).optional(),
  olderThanDays: intParam("olderThanDays", 1, 36500).optional(),
  /** Keep the newest N images of each repository (default: lifecycle.keepNewest). */
  keep: intParam("keep", 0, 1000).optional(),
});

export interface RetentionResponse {
  registry: string;
  olderThanDays: number;
  keepNewest: number;
  protect: { tags: string[]; signed: boolean };
  repositories: string[];
  rows: RetentionRow[];
  warnings: string[];
  keptNewest: number;
  protected: number;
  freedBytesTotal: number;
}

/** Most repositories one namespace report reads. */
const MAX_REPOSITORIES = 50;

export async function getRetention(input: z.infer<typeof retentionInput>, { runtime, principal }: HandlerContext): Promise<RetentionResponse> {
  const { config, store } = runtime.registries.get(input.registry);
  let repositories: string[];
  if (input.repository) {
    validateRepository(input.repository);
    repositories = [input.repository];
  } else {
    // A namespace, or (no prefix, as a browser sends an empty one) the whole registry.
    const prefix = input.prefix ?? "";
    repositories = (await readRepositoryNames({ config, store }, runtime.registries.catalogs)).filter((r) => r.startsWith(prefix));
  }
  const warnings: string[] = [];
  repositories = repositories.filter((r) => runtime.policy.can(principal, "read", config.id, r)).sort();
  if (repositories.length > MAX_REPOSITORIES) {
    warnings.push(`${repositories.length} repositories match; the first ${MAX_REPOSITORIES} were examined. Narrow the namespace.`);
    repositories = repositories.slice(0, MAX_REPOSITORIES);
  }
  const days = input.olderThanDays ?? runtime.config.lifecycle.olderThanDays;
  const keepNewest = input.keep ?? runtime.config.lifecycle.keepNewest;
  const protect = runtime.config.lifecycle.protect;
  const report = await retentionReport(store, repositories, {
    olderThanDays: days,
    deletionDateKeys: runtime.config.lifecycle.deletionDateKeys,
    newVersionKeys: runtime.config.lifecycle.newVersionKeys,
    maxTags: runtime.config.tags.maxForDateSort,
    keepNewest,
    protect,
  });
  return {
    registry: config.id,
    olderThanDays: days,
    keepNewest,
    protect,
    repositories,
    rows: report.rows,
    warnings: [...warnings, ...report.warnings],
    keptNewest: report.keptNewest,
    protected: report.protected,
    freedBytesTotal: report.freedBytesTotal,
  };
}
