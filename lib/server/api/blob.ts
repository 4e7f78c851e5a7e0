import { z } from "zod";
import { previewBlob, type BlobPreview } from "../../oci/blob-preview";
import { parseDigest } from "../../oci/digest";
import { validateRepository } from "../../oci/reference";
import type { HandlerContext } from "../http";
import { digestParam, registryParam, repositoryParam } from "./params";

export const blobInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  digest: digestParam,
  /** The media type from the descriptor, when the caller knows it. */
  mediaType: z.string().max(255).optional(),
});

/** Most bytes of a blob read for a preview. */
export const PREVIEW_BYTES = 1024 * 1024;

export interface BlobResponse {
  registry: string;
  repository: string;
  digest: string;
  mediaType?: string;
  /** Full size when the registry said. */
  size?: number;
  /** Bytes read for the preview. */
  previewBytes: number;
  preview: BlobPreview;
}

export async function getBlobPreview(input: z.infer<typeof blobInput>, { runtime }: HandlerContext): Promise<BlobResponse> {
  validateRepository(input.repository);
  parseDigest(input.digest);
  const { config, store } = runtime.registries.get(input.registry);
  const blob = await store.getBlob(input.repository, input.digest, { maxBytes: PREVIEW_BYTES });
  const mediaType = input.mediaType ?? blob.mediaType;
  return {
    registry: config.id,
    repository: input.repository,
    digest: input.digest,
    mediaType,
    size: blob.size,
    previewBytes: blob.bytes.byteLength,
    preview: previewBlob(blob, mediaType),
  };
}
