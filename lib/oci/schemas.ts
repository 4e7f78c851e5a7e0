import { z } from "zod";
import { DIGEST_PATTERN } from "./digest";
import { baseMediaType, MediaType, SCHEMA1_TYPES } from "./media-types";

/**
 * zod schemas for the wire formats. Objects strip unknown fields instead of
 * failing on them; unknown media types are carried as strings.
 */

export const digestSchema = z.string().regex(DIGEST_PATTERN, "not a digest (expected <algorithm>:<encoded>)");
const annotationsSchema = z.record(z.string(), z.string());

export const platformSchema = z.object({
  architecture: z.string(),
  os: z.string(),
  "os.version": z.string().optional(),
  "os.features": z.array(z.string()).optional(),
  variant: z.string().optional(),
  features: z.array(z.string()).optional(),
});
export type Platform = z.infer<typeof platformSchema>;

export const descriptorSchema = z.object({
  mediaType: z.string(),
  digest: digestSchema,
  size: z.number().int().nonnegative(),
  urls: z.array(z.string()).optional(),
  annotations: annotationsSchema.optional(),
  data: z.string().optional(),
  artifactType: z.string().optional(),
  platform: platformSchema.optional(),
});
export type Descriptor = z.infer<typeof descriptorSchema>;

export const imageManifestSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  config: descriptorSchema,
  layers: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

export const indexSchema = z.object({
  schemaVersion: z.literal(2),
  mediaType: z.string().optional(),
  artifactType: z.string().optional(),
  manifests: z.array(descriptorSchema),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

/** The deprecated OCI artifact manifest and the ORAS artifact manifest share this shape. */
export const artifactManifestSchema = z.object({
  mediaType: z.string(),
  artifactType: z.string().optional(),
  blobs: z.array(descriptorSchema).optional().default([]),
  subject: descriptorSchema.optional(),
  annotations: annotationsSchema.optional(),
});

export const catalogSchema = z.object({ repositories: z.array(z.string()).nullish() });
export const tagListSchema = z.object({ name: z.string().optional(), tags: z.array(z.string()).nullish() });
export const specErrorBodySchema = z.object({
  errors: z.array(z.object({ code: z.string(), message: z.string().optional(), detail: z.unknown().optional() })),
});
export const orasReferrersSchema = z.object({ referrers: z.array(descriptorSchema).nullish() });
export const tokenResponseSchema = z.object({
  token: z.string().optional(),
  access_token: z.string().optional(),
  expires_in: z.number().optional(),
  issued_at: z.string().optional(),
  refresh_token: z.string().optional(),
});

type Common = { mediaType: string; annotations?: Record<string, string>; subject?: Descriptor; artifactType?: string };

/** A manifest after parsing, tagged by what kind of document it is. */
export type Manifest =
  | (Common & { kind: "image"; config: Descriptor; layers: Descriptor[] })
  | (Common & { kind: "index"; manifests: Descriptor[] })
  | (Common & { kind: "docker-manifest"; config: Descriptor; layers: Descriptor[] })
  | (Common & { kind: "docker-list"; manifests: Descriptor[] })
  | (Common & { kind: "oci-artifact"; blobs: Descriptor[] })
  | (Common & { kind: "oras-artifact"; blobs: Descriptor[] })
  | (Common & { kind: "schema1"; unsupported: string })
  | (Common & { kind: "unknown" });

export type ManifestKind = Manifest["kind"];

export class ManifestParseError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(message);
  }
}

function fail(kind: string, error: z.ZodError): never {
  const issue = error.issues[0];
  const path = issue.path.join(".");
  throw new ManifestParseError(`malformed ${kind}: ${path ? `field "${path}": ` : ""}${issue.message}`, path);
}

function decodeJson(bytes: Uint8Array): unknown {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ManifestParseError(`manifest is not JSON: ${(err as Error).message}`);
  }
}

/**
 * Parse manifest bytes. `contentType` is the response's Content-Type, if any.
 * A `mediaType` field that contradicts the Content-Type is rejected, as the
 * distribution spec advises. Throws ManifestParseError for malformed input;
 * unknown media types give `kind: "unknown"`.
 */
export function parseManifest(bytes: Uint8Array, contentType?: string | null): Manifest {
  const json = decodeJson(bytes);
  if (json === null || typeof json !== "object" || Array.isArray(json)) {
    throw new ManifestParseError("manifest is not a JSON object");
  }
  const obj = json as Record<string, unknown>;
  const header = baseMediaType(contentType);
  const field = typeof obj.mediaType === "string" ? baseMediaType(obj.mediaType) : "";
  if (field && header && header !== field && header !== "application/json" && header !== "application/octet-stream") {
    throw new ManifestParseError(`the manifest's mediaType "${field}" contradicts the Content-Type "${header}"`);
  }
  let mediaType = field || (header !== "application/json" && header !== "application/octet-stream" ? header : "");
  if (!mediaType) {
    if (obj.schemaVersion === 1) mediaType = MediaType.DockerSchema1;
    else if (Array.isArray(obj.manifests)) mediaType = MediaType.OciIndex;
    else if (obj.config && Array.isArray(obj.layers)) mediaType = MediaType.OciManifest;
  }

  if (SCHEMA1_TYPES.has(mediaType) || obj.schemaVersion === 1) {
    return {
      kind: "schema1",
      mediaType: mediaType || MediaType.DockerSchema1,
      unsupported: "Docker schema 1 manifests are deprecated and not supported; push the image again with a current client",
    };
  }
  switch (mediaType) {
    case MediaType.OciManifest:
    case MediaType.DockerManifest: {
      const r = imageManifestSchema.safeParse(obj);
      if (!r.success) fail("image manifest", r.error);
      const kind = mediaType === MediaType.OciManifest ? "image" : "docker-manifest";
      return { kind, ...r.data, mediaType };
    }
    case MediaType.OciIndex:
    case MediaType.DockerManifestList: {
      const r = indexSchema.safeParse(obj);
      if (!r.success) fail("image index", r.error);
      const kind = mediaType === MediaType.OciIndex ? "index" : "docker-list";
      return { kind, ...r.data, mediaType };
    }
    case MediaType.OciArtifactManifest:
    case MediaType.OrasArtifactManifest: {
      const r = artifactManifestSchema.safeParse(obj);
      if (!r.success) fail("artifact manifest", r.error);
      const kind = mediaType === MediaType.OciArtifactManifest ? "oci-artifact" : "oras-artifact";
      return { kind, ...r.data, mediaType };
    }
    default: {
      // Unknown type: keep what can be read safely, never fail.
      const annotations = annotationsSchema.safeParse(obj.annotations);
      const subject = descriptorSchema.safeParse(obj.subject);
      return {
        kind: "unknown",
        mediaType: mediaType || "unknown",
        annotations: annotations.success ? annotations.data : undefined,
        subject: subject.success ? subject.data : undefined,
        artifactType: typeof obj.artifactType === "string" ? obj.artifactType : undefined,
      };
    }
  }
}

/** The artifact type as the referrers API derives it: artifactType, else config media type. */
export function artifactTypeOf(m: Manifest): string | undefined {
  if (m.artifactType) return m.artifactType;
  if (m.kind === "image" || m.kind === "docker-manifest") return m.config.mediaType;
  return undefined;
}

/** Child manifests of an index or manifest list; empty for everything else. */
export function childrenOf(m: Manifest): Descriptor[] {
  return m.kind === "index" || m.kind === "docker-list" ? m.manifests : [];
}

/** Blobs a manifest points at (config first), for previews and size totals. */
export function blobsOf(m: Manifest): Descriptor[] {
  switch (m.kind) {
    case "image":
    case "docker-manifest":
      return [m.config, ...m.layers];
    case "oci-artifact":
    case "oras-artifact":
      return m.blobs;
    default:
      return [];
  }
}
