import { z } from "zod";
import { validateReference, validateRepository, validateTag } from "../../oci/reference";
import { CopyInterruptedError, executeCopy, type CopyItem, type CopyResult } from "../../promotion/copy";
import { planCopy, type CopyPlan } from "../../promotion/plan";
import { ForbiddenError, type HandlerContext } from "../http";
import type { ConfiguredRegistry } from "../registries";
import type { Runtime } from "../runtime";
import { referenceParam, registryParam, repositoryParam } from "./params";

/**
 * Promotion from the dashboard: the plan (nothing written), then the copy.
 * Reading the source needs `pull` (blob contents move); writing needs
 * `promote` on the target repository, checked on the server before anything
 * is written, and every item written is an audit row.
 */

export const promoteInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  reference: referenceParam,
  targetRegistry: z.string({ error: '"targetRegistry" is required: the registry id to copy to' }).min(1).max(63),
  targetRepository: z.string({ error: '"targetRepository" is required' }).min(1).max(255),
  targetTag: z.string().max(128).optional(),
  /** The supply chain too (default); false: the image and its platform manifests only. */
  referrers: z.boolean().default(true),
});

export interface PromotionPlanResponse {
  plan: CopyPlan;
  /** May this user write there? When not, the plan can be looked at but not run. */
  allowed: boolean;
  deniedMessage?: string;
}

export interface PromotionResponse extends CopyResult {
  totals: CopyPlan["totals"];
}

/** The uncached side of a configured store: existence checks must be fresh, and blobs move as streams. */
function direct(r: ConfiguredRegistry) {
  return r.backend.kind === "registry" ? r.backend.client : r.backend.layout;
}

function endpoints(input: z.infer<typeof promoteInput>, runtime: Runtime) {
  validateRepository(input.repository);
  validateReference(input.reference);
  validateRepository(input.targetRepository);
  if (input.targetTag) validateTag(input.targetTag);
  const source = runtime.registries.get(input.registry);
  const target = runtime.registries.get(input.targetRegistry);
  return { source, target };
}

async function plan(input: z.infer<typeof promoteInput>, runtime: Runtime): Promise<CopyPlan> {
  const { source, target } = endpoints(input, runtime);
  return planCopy({
    source: { store: direct(source), repository: input.repository, reference: input.reference },
    target: { store: direct(target), repository: input.targetRepository, tag: input.targetTag || undefined },
    referrers: input.referrers,
    maxNodes: runtime.config.limits.maxGraphNodes,
  });
}

export async function planPromotion(input: z.infer<typeof promoteInput>, { runtime, principal }: HandlerContext): Promise<PromotionPlanResponse> {
  const { target } = endpoints(input, runtime);
  const allowed = runtime.policy.can(principal, "promote", target.config.id, input.targetRepository);
  return { plan: await plan(input, runtime), allowed, deniedMessage: allowed ? undefined : runtime.policy.explain(principal, "promote", target.config.id, input.targetRepository) };
}

export async function executePromotion(input: z.infer<typeof promoteInput>, { runtime, principal }: HandlerContext): Promise<PromotionResponse> {
  const { source, target } = endpoints(input, runtime);
  const audit = (item: CopyItem | { kind: "copy" }, outcome: "success" | "failure" | "denied", status: number, message: string) =>
    runtime.audit.record({
      time: new Date().toISOString(),
      user: principal.id,
      provider: principal.provider,
      registry: target.config.id,
      repository: input.targetRepository,
      reference: "digest" in item ? item.digest : "tag" in item ? item.tag : input.reference,
      action: `promote:${item.kind === "referrers-index" ? "tag" : item.kind}`,
      outcome,
      status,
      durationMs: 0,
      message,
    });
  if (!runtime.policy.can(principal, "promote", target.config.id, input.targetRepository)) {
    const message = runtime.policy.explain(principal, "promote", target.config.id, input.targetRepository);
    audit({ kind: "copy" }, "denied", 403, message);
    throw new ForbiddenError(message, "promote");
  }
  // Planned again now: what the target holds may have changed since the plan was shown (the copy writes only what is missing).
  const fresh = await plan(input, runtime);
  try {
    const result = await executeCopy(
      fresh,
      {
        source: { store: direct(source), blobs: direct(source), repository: input.repository },
        target: { store: direct(target), blobs: direct(target), repository: input.targetRepository },
        sameRegistry: source.config.id === target.config.id,
      },
      (item) => {
        if (item.outcome !== "skipped") audit(item, "success", 200, `${item.outcome} (from ${source.config.id}/${input.repository}@${fresh.source.digest})`);
      },
    );
    return { ...result, totals: fresh.totals };
  } catch (err) {
    // Answered as what stopped it (a registry's refusal keeps its status), saying what was written and to run it again.
    if (err instanceof CopyInterruptedError && err.cause instanceof Error) {
      err.cause.message = err.message;
      throw err.cause;
    }
    throw err;
  } finally {
    // Pages showing the target must see what was written.
    target.store.forget(input.targetRepository);
    runtime.registries.catalogs.invalidate(target.config.id);
  }
}
