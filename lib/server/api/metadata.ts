import { z } from "zod";
import { RegistryError } from "../../oci/errors";
import { validateReference, validateRepository } from "../../oci/reference";
import { metadataRequestSchema, MetadataInputError } from "../../metadata/request";
import { previewMetadata, writeMetadata, type MetadataPreview, type MetadataWritten } from "../../metadata/write";
import { BadRequestError, NotAvailableError } from "../errors";
import type { HandlerContext } from "../http";
import type { ConfiguredRegistry } from "../registries";
import { direct, refusalAt } from "./promote";
import { referenceParam, registryParam, repositoryParam } from "./params";

/**
 * "Add metadata…": the preview (the manifest that would be pushed, exactly)
 * and the write of that preview, under the `annotate` right, audited with
 * what was written.
 */

export const metadataInput = metadataRequestSchema.extend({
  registry: registryParam,
  repository: repositoryParam,
  reference: referenceParam,
});

export const writeMetadataInput = metadataInput.extend({
  /** The preview's digest and time: the write is of exactly that manifest, or refused. */
  digest: z.string({ error: '"digest" is required: the digest the preview showed' }).max(100),
  created: z.string({ error: '"created" is required: the time the preview showed' }).max(40),
});

export interface MetadataPreviewResponse {
  preview: MetadataPreview;
  /** May this user write here, and does the store take writes? */
  allowed: boolean;
  deniedMessage?: string;
}

export interface MetadataWriteResponse extends MetadataWritten {
  preview: MetadataPreview;
}

/** A preview made at `now` for this user, with input errors answered as 400 naming the field. */
async function previewFor(input: z.infer<typeof metadataInput>, ctx: HandlerContext, now: Date): Promise<{ registry: ConfiguredRegistry; preview: MetadataPreview }> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const registry = ctx.runtime.registries.get(input.registry);
  try {
    const preview = await previewMetadata(direct(registry), input.repository, input.reference, input, { reviewer: ctx.principal.name, now });
    return { registry, preview };
  } catch (err) {
    if (err instanceof MetadataInputError) throw new BadRequestError(err.message, err.field);
    throw err;
  }
}

export async function previewMetadataCall(input: z.infer<typeof metadataInput>, ctx: HandlerContext): Promise<MetadataPreviewResponse> {
  const { registry, preview } = await previewFor(input, ctx, new Date());
  const { runtime, principal } = ctx;
  const mayAnnotate = runtime.policy.can(principal, "annotate", registry.config.id, input.repository);
  const denied = mayAnnotate ? await refusalAt(registry, input.repository) : runtime.policy.explain(principal, "annotate", registry.config.id, input.repository);
  return { preview, allowed: !denied, deniedMessage: denied };
}

/** How old a preview may be when it is written (the review time in it should be the time of the decision). */
const PREVIEW_MAX_AGE_MS = 60 * 60 * 1000;

export async function writeMetadataCall(input: z.infer<typeof writeMetadataInput>, ctx: HandlerContext): Promise<MetadataWriteResponse> {
  const created = Date.parse(input.created);
  const now = Date.now();
  if (Number.isNaN(created) || created > now + 60_000 || now - created > PREVIEW_MAX_AGE_MS) {
    throw new NotAvailableError("the preview is more than an hour old (or its time is not one this server gave); preview again, then write", "stale_preview");
  }
  const { registry, preview } = await previewFor(input, ctx, new Date(created));
  if (preview.digest !== input.digest) {
    throw new NotAvailableError(`what would be written now (${preview.digest}) is not what the preview showed (${input.digest}): the artifact or its tags changed; preview again`, "stale_preview");
  }
  const { runtime, principal } = ctx;
  const started = performance.now();
  const audit = (outcome: "success" | "failure", status: number, message: string) =>
    runtime.audit.record({
      time: new Date().toISOString(),
      user: principal.id,
      provider: principal.provider,
      registry: registry.config.id,
      repository: input.repository,
      reference: preview.subject.digest,
      action: "annotate:artifact",
      outcome,
      status,
      durationMs: Math.round(performance.now() - started),
      message,
    });
  // What was written, in the trail: the artifact type and every annotation (bounded: values are at most 4 KiB each).
  const what = `${preview.artifactType} ${preview.digest} ${JSON.stringify(preview.annotations).slice(0, 4000)}`;
  try {
    const store = direct(registry);
    const written = await writeMetadata(store, store, input.repository, preview);
    audit("success", 200, `wrote ${what}`);
    return { ...written, preview };
  } catch (err) {
    audit("failure", err instanceof RegistryError ? (err.status ?? 502) : 500, `could not write ${what}: ${(err as Error).message}`);
    throw err;
  } finally {
    registry.store.forget(input.repository);
  }
}
