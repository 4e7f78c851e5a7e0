import { z } from "zod";
import { DIGEST_PATTERN } from "../../oci/digest";
import { describeError, RegistryError } from "../../oci/errors";
import { validateRepository } from "../../oci/reference";
import { summarizeArtifact, type ArtifactSummary } from "../../supply-chain/artifact";
import { concurrency } from "../../supply-chain/discover";
import type { HandlerContext } from "../http";
import { registryParam, repositoryParam } from "./params";

/**
 * Artifacts by digest, fully described (created date from the image config,
 * an index's size per platform): what the tag table fills in after its first
 * paint. Everything here is keyed by digest, so it never changes: the answer
 * may be cached for good.
 */

export const MAX_ARTIFACTS_PER_CALL = 100;

export const artifactsInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  digests: z
    .string({ error: 'the "digests" query parameter is required: digests separated by commas' })
    .transform((s) => [...new Set(s.split(",").filter(Boolean))])
    .refine((ds) => ds.length <= MAX_ARTIFACTS_PER_CALL, `at most ${MAX_ARTIFACTS_PER_CALL} digests per call`)
    .refine((ds) => ds.every((d) => DIGEST_PATTERN.test(d)), "every entry of \"digests\" must be a digest (sha256:...)"),
});

export interface ArtifactsResponse {
  registry: string;
  repository: string;
  artifacts: Record<string, { artifact?: ArtifactSummary; error?: { code: string; message: string } }>;
}

export async function getArtifacts(input: z.infer<typeof artifactsInput>, { runtime }: HandlerContext): Promise<ArtifactsResponse> {
  validateRepository(input.repository);
  const { config, store } = runtime.registries.get(input.registry);
  const limit = concurrency(32);
  const entries = await Promise.all(
    input.digests.map((digest) =>
      limit(async () => {
        try {
          return [digest, { artifact: await summarizeArtifact(store, input.repository, await store.getManifest(input.repository, digest)) }] as const;
        } catch (err) {
          return [digest, { error: { code: err instanceof RegistryError ? err.code : "ERROR", message: describeError(err) } }] as const;
        }
      }),
    ),
  );
  return { registry: config.id, repository: input.repository, artifacts: Object.fromEntries(entries) };
}
