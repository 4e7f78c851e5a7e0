import { z } from "zod";
import { validateReference, validateRepository, validateTag } from "../../oci/reference";
import { describeError, RegistryError } from "../../oci/errors";
import type { Store } from "../../oci/store";
import type { RegistryConfig } from "../config";
import { CopyInterruptedError, executeCopy, type BlobReader, type CopyItem, type CopyProgress, type CopyResult, type CopyWatch } from "../../promotion/copy";
import { compareVerification, type VerificationComparison } from "../../promotion/verification";
import { discover } from "../../supply-chain/discover";
import { planCopy, type CopyPlan } from "../../promotion/plan";
import { ForbiddenError, progressResponse, wantsProgress, type HandlerContext } from "../http";
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
  /** The target's graph holds every manifest of the plan (`complete` also needs the signatures to agree). */
  graphComplete: boolean;
  /** Signatures verified again at the target, against the source; absent when the supply chain was not copied. */
  verification?: VerificationComparison;
}

/** What a promotion streams while it runs (`Accept: application/x-ndjson`), before its result line. */
export type PromotionEvent = { type: "progress"; progress: CopyProgress; elapsedMs: number; /** Of several (an archive's images): which. */ image?: string } | { type: "item"; item: CopyItem; image?: string };

/** The uncached side of a configured store: existence checks must be fresh, and blobs move as streams. */
export function direct(r: ConfiguredRegistry) {
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

/** The target's refusal of writes, in words, or nothing when it takes them (asked only of a user who may promote). */
export async function refusalAt(target: ConfiguredRegistry, repository: string): Promise<string | undefined> {
  try {
    await direct(target).checkPush(repository);
    return undefined;
  } catch (err) {
    if (err instanceof RegistryError) return `${target.config.id} refuses writes to ${repository}: ${err.message}`;
    throw err;
  }
}

export async function planPromotion(input: z.infer<typeof promoteInput>, { runtime, principal }: HandlerContext): Promise<PromotionPlanResponse> {
  const { target } = endpoints(input, runtime);
  const mayPromote = runtime.policy.can(principal, "promote", target.config.id, input.targetRepository);
  const planned = await plan(input, runtime);
  const refused = mayPromote ? await refusalAt(target, input.targetRepository) : runtime.policy.explain(principal, "promote", target.config.id, input.targetRepository);
  return { plan: planned, allowed: !refused, deniedMessage: refused };
}

/** Each item a promotion writes, and each refusal or failure, as an audit row of the target. */
export function promotionAudit({ runtime, principal }: HandlerContext, registry: string, repository: string, reference: string) {
  return (item: CopyItem | { kind: "copy" }, outcome: "success" | "failure" | "denied", status: number, message: string) =>
    runtime.audit.record({
      time: new Date().toISOString(),
      user: principal.id,
      provider: principal.provider,
      registry,
      repository,
      reference: "digest" in item ? item.digest : "tag" in item ? item.tag : reference,
      action: `promote:${item.kind === "referrers-index" ? "tag" : item.kind}`,
      outcome,
      status,
      durationMs: 0,
      message,
    });
}

/** Refused (403, audited) unless the user may promote into the target repository. */
export function requirePromote(ctx: HandlerContext, registry: string, repository: string, reference: string): void {
  const { runtime, principal } = ctx;
  if (runtime.policy.can(principal, "promote", registry, repository)) return;
  const message = runtime.policy.explain(principal, "promote", registry, repository);
  promotionAudit(ctx, registry, repository, reference)({ kind: "copy" }, "denied", 403, message);
  throw new ForbiddenError(message, "promote");
}

export interface PromotionCopy {
  plan: CopyPlan;
  source: {
    store: Store & BlobReader;
    /** Where its signatures are read to verify them again: the cached store when there is one (the page just read them). */
    verifyFrom?: Store;
    repository: string;
    /** Whose trust scope verifies its signatures. */
    config: RegistryConfig;
    scopeRepository: string;
    label: string;
  };
  target: ConfiguredRegistry;
  targetRepository: string;
  sameRegistry: boolean;
  /** Verify the signatures again at both ends (when the supply chain was copied). */
  verify: boolean;
}

/**
 * One planned copy carried out for the dashboard: each item written audited,
 * a stop answered as the refusal that stopped it (saying what was written and
 * to run it again), the target's caches forgotten, and the signatures
 * verified again at both ends.
 */
export async function runPromotionCopy(ctx: HandlerContext, job: PromotionCopy, watch: CopyWatch): Promise<PromotionResponse> {
  const { runtime } = ctx;
  const { plan: planned, source, target, targetRepository } = job;
  const audit = promotionAudit(ctx, target.config.id, targetRepository, planned.source.reference);
  const from = `from ${source.label}@${planned.source.digest}`;
  let result: CopyResult;
  try {
    result = await executeCopy(
      planned,
      { source: { store: source.store, blobs: source.store, repository: source.repository }, target: { store: direct(target), blobs: direct(target), repository: targetRepository }, sameRegistry: job.sameRegistry },
      {
        onProgress: watch.onProgress,
        onItem: (item) => {
          if (item.outcome !== "skipped") audit(item, "success", 200, `${item.outcome} (${from})`);
          watch.onItem?.(item);
        },
      },
    );
  } catch (err) {
    const cause = err instanceof CopyInterruptedError && err.cause instanceof Error ? err.cause : err;
    if (err instanceof CopyInterruptedError && cause instanceof Error) cause.message = err.message;
    audit({ kind: "copy" }, "failure", cause instanceof RegistryError ? (cause.status ?? 502) : 500, `${describeError(cause)} (${from})`);
    throw cause;
  } finally {
    // Pages showing the target must see what was written.
    target.store.forget(targetRepository);
    runtime.registries.catalogs.invalidate(target.config.id);
  }
  let verification: VerificationComparison | undefined;
  if (job.verify) {
    const all = result.items.filter((i) => i.kind !== "referrers-index").length;
    watch.onProgress?.({ phase: "verifying", itemsDone: all, itemsTotal: all, bytesDone: planned.totals.bytesToMove, bytesTotal: planned.totals.bytesToMove });
    verification = await verifyAtBothEnds(runtime, job);
  }
  return { ...result, complete: result.complete && (verification?.agree ?? true), graphComplete: result.complete, verification, totals: planned.totals };
}

/** Progress as the page gets it: every change of item, else at most every 200 ms (a 200 MB layer is thousands of chunks). */
export function throttledProgress(send: (event: PromotionEvent) => void, image?: string): CopyWatch {
  const started = performance.now();
  let last = 0;
  let lastName: string | undefined;
  return {
    onItem: (item) => send({ type: "item", item, image }),
    onProgress: (progress) => {
      const now = performance.now();
      const name = `${progress.phase} ${progress.current?.name ?? ""}`;
      if (name === lastName && now - last < 200) return;
      last = now;
      lastName = name;
      send({ type: "progress", progress, elapsedMs: Math.round(now - started), image });
    },
  };
}

export async function executePromotion(input: z.infer<typeof promoteInput>, ctx: HandlerContext): Promise<PromotionResponse | Response> {
  const { runtime, request } = ctx;
  const { source, target } = endpoints(input, runtime);
  requirePromote(ctx, target.config.id, input.targetRepository, input.reference);
  // Planned again now: what the target holds may have changed since the plan was shown (the copy writes only what is missing).
  const job: PromotionCopy = {
    plan: await plan(input, runtime),
    source: { store: direct(source), verifyFrom: source.store, repository: input.repository, config: source.config, scopeRepository: input.repository, label: `${source.config.id}/${input.repository}` },
    target,
    targetRepository: input.targetRepository,
    sameRegistry: source.config.id === target.config.id,
    verify: input.referrers,
  };
  if (!wantsProgress(request)) return runPromotionCopy(ctx, job, {});
  return progressResponse<PromotionEvent, PromotionResponse>("promote", (send) => runPromotionCopy(ctx, job, throttledProgress(send)));
}

/**
 * Every signature the copy carried, verified at the source and at the target
 * (each with its trust scope), and compared (lib/promotion/verification.ts).
 */
async function verifyAtBothEnds(runtime: Runtime, job: PromotionCopy): Promise<VerificationComparison> {
  const signatures = async (store: Store, repository: string, config: RegistryConfig, scopeRepository: string) => {
    const graph = await discover(store, repository, job.plan.source.digest, { maxDepth: 2, checkTruncation: false, concurrency: config.concurrency });
    return (await runtime.verification.verify(store, config, graph, scopeRepository)).signatures;
  };
  try {
    const [before, after] = await Promise.all([
      signatures(job.source.verifyFrom ?? job.source.store, job.source.repository, job.source.config, job.source.scopeRepository),
      signatures(job.target.store, job.targetRepository, job.target.config, job.targetRepository),
    ]);
    return compareVerification(before, after, new Set(job.plan.manifests.map((m) => m.digest)));
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    return { agree: false, signatures: [], summary: `the signatures could not be verified again: ${err.message}` };
  }
}
