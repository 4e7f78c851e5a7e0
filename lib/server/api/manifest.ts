import { z } from "zod";
import { validateReference, validateRepository } from "../../oci/reference";
import type { Descriptor, Manifest } from "../../oci/schemas";
import { summarizeArtifact, type ArtifactSummary } from "../../supply-chain/artifact";
import type { HandlerContext } from "../http";
import { referenceParam, registryParam, repositoryParam } from "./params";

export const manifestInput = z.object({ registry: registryParam, repository: repositoryParam, reference: referenceParam });

export interface ManifestResponse {
  registry: string;
  repository: string;
  reference: string;
  descriptor: Descriptor;
  summary: ArtifactSummary;
  /** The parsed manifest. */
  manifest: Manifest;
  /** The manifest exactly as the registry sent it (its digest is descriptor.digest). */
  raw: string;
}

export async function getManifest(input: z.infer<typeof manifestInput>, { runtime }: HandlerContext): Promise<ManifestResponse> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const { config, store } = runtime.registries.get(input.registry);
  const fetched = await store.getManifest(input.repository, input.reference);
  return {
    registry: config.id,
    repository: input.repository,
    reference: input.reference,
    descriptor: fetched.descriptor,
    summary: await summarizeArtifact(store, input.repository, fetched),
    manifest: fetched.manifest,
    raw: new TextDecoder().decode(fetched.bytes),
  };
}
