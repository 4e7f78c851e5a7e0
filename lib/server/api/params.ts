import { z } from "zod";
import { DIGEST_PATTERN } from "../../oci/digest";

/** Parameters shared by the API routes, with messages that say what is expected. */

export const registryParam = z.string({ error: "the registry id is missing" }).min(1, "the registry id is empty");
export const repositoryParam = z
  .string({ error: 'the "repository" query parameter is required (for example ?repository=library/alpine)' })
  .min(1, "the repository name is empty");
export const referenceParam = z
  .string({ error: 'the "reference" query parameter is required: a tag (v1) or a digest (sha256:...)' })
  .min(1, "the reference is empty");
export const digestParam = z
  .string({ error: 'the "digest" query parameter is required (sha256:...)' })
  .regex(DIGEST_PATTERN, "not a digest: expected <algorithm>:<hex>, for example sha256:4413...");

export const intParam = (name: string, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `"${name}" must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((n) => n >= min && n <= max, `"${name}" must be between ${min} and ${max}`);

export const cursorParam = z.string().max(1024, "the cursor is too long").optional();
