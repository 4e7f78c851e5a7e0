import { z } from "zod";
import { DIGEST_PATTERN } from "../../oci/digest";
import { validateRepository } from "../../oci/reference";
import { describeError } from "../../oci/errors";
import { buildDeletePlan, executeDeletePlan, probeDeletion, type DeletePlan, type ExecuteResult, type PinnedPlan } from "../../lifecycle/delete-plan";
import { BadRequestError } from "../errors";
import { ForbiddenError, type HandlerContext } from "../http";
import { registryParam, repositoryParam } from "./params";

const digest = z.string().regex(DIGEST_PATTERN, "not a digest (sha256:...)");

export const planInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  digests: z.array(digest, { error: '"digests" must be a list of the digests to delete' }).min(1, "name at least one digest").max(100, "at most 100 subjects per plan"),
});

export interface PlanResponse extends DeletePlan {
  registry: string;
  /** May this user delete here? When not, the plan can be looked at but not run. */
  allowed: boolean;
  deniedMessage?: string;
  /** More than one manifest goes: the user types the repository name to confirm. */
  needsConfirmation: boolean;
  /** The store does not delete (a read-only layout store, a registry answering 405), and what to do about it. */
  storeRefusal?: string;
}

/** The plan of a delete: nothing is deleted. */
export async function planDelete(input: z.infer<typeof planInput>, { runtime, principal }: HandlerContext): Promise<PlanResponse> {
  validateRepository(input.repository);
  const { config, store } = runtime.registries.get(input.registry);
  // The preview is built from fresh reads, like the execution: tag lists, referrers and tag digests cached for a
  // few seconds could show the user a plan that is already out of date. Content by digest stays cached.
  store.forget(input.repository);
  const plan = await buildDeletePlan(store, input.repository, input.digests);
  const allowed = runtime.policy.can(principal, "delete", config.id, input.repository);
  // Whether the store deletes at all, said before the user reaches the button.
  let storeRefusal: string | undefined;
  try {
    await probeDeletion(store, input.repository);
  } catch (err) {
    storeRefusal = describeError(err).replace(/ Nothing was deleted\.$/, "");
  }
  return {
    registry: config.id,
    ...plan,
    allowed,
    deniedMessage: allowed ? undefined : runtime.policy.explain(principal, "delete", config.id, input.repository),
    needsConfirmation: plan.manifests.length > 1,
    storeRefusal,
  };
}

const pinnedSchema = z.object({
  subjects: z.array(digest).min(1).max(100),
  manifests: z.array(z.looseObject({ digest })),
  tags: z.array(z.looseObject({ tag: z.string(), digest: z.string() })),
  indexes: z.array(z.looseObject({ tag: z.string(), indexDigest: z.string(), action: z.enum(["delete", "rewrite"]), remove: z.array(z.string()) })),
});

export const executeInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  /** The plan as it was shown: the execution is pinned to it. */
  plan: pinnedSchema,
  /** The repository name, typed by the user, when more than one manifest goes. */
  confirm: z.string().max(255).optional(),
});

export async function executeDelete(input: z.infer<typeof executeInput>, { runtime, principal }: HandlerContext): Promise<ExecuteResult> {
  validateRepository(input.repository);
  if (input.plan.manifests.length > 1 && input.confirm !== input.repository) {
    throw new BadRequestError(`parameter "confirm": type the repository name (${input.repository}) to delete ${input.plan.manifests.length} manifests`, "confirm");
  }
  const { config, store } = runtime.registries.get(input.registry);
  if (!runtime.policy.can(principal, "delete", config.id, input.repository)) {
    // Refused as a whole, and each item of the plan is recorded as refused.
    const message = runtime.policy.explain(principal, "delete", config.id, input.repository);
    for (const m of input.plan.manifests) {
      runtime.audit.record({ time: new Date().toISOString(), user: principal.id, provider: principal.provider, registry: config.id, repository: input.repository, reference: m.digest, action: "delete:manifest", outcome: "denied", status: 403, durationMs: 0, message });
    }
    throw new ForbiddenError(message, "delete");
  }
  const result = await executeDeletePlan(store, input.repository, input.plan as unknown as PinnedPlan, {
    fresh: () => store.forget(input.repository),
    onItem: (r) =>
      runtime.audit.record({
        time: new Date().toISOString(),
        user: principal.id,
        provider: principal.provider,
        registry: config.id,
        repository: input.repository,
        reference: r.target,
        action: `delete:${r.kind}`,
        outcome: r.status === "failed" || r.status === "not-attempted" ? "failure" : "success",
        status: r.status === "failed" ? 502 : 200,
        durationMs: 0,
        message: r.message ?? r.status,
      }),
  });
  store.forget(input.repository);
  return result;
}
