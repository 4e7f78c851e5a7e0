import { z } from "zod";
import { visibleText } from "../oci/display";
import { ChainsightError } from "../oci/errors";
import { METADATA_KEYS, MetadataKey } from "./keys";

/**
 * Metadata added to an artifact without touching it: an annotations-only
 * artifact whose subject is the artifact (what `oras attach --artifact-type
 * … --annotation …` pushes). Each kind has an artifact type of its own; the
 * deletion-date and new-version keys are the ones retention reads. A
 * request is checked here, every field named in what is refused.
 */

export { MetadataArtifactType, MetadataKey, type MetadataKind } from "./keys";

/** What a user asks for: one kind, its value, and free annotations to go with it. */
export const metadataRequestSchema = z.object({
  kind: z.enum(["deletion-date", "new-version", "review", "annotations"], { error: 'kind is "deletion-date", "new-version", "review" or "annotations"' }),
  /** deletion-date: YYYY-MM-DD, or an RFC 3339 time. */
  deletionDate: z.string().max(64).optional(),
  /** new-version: a tag or digest of the same repository (resolved before writing). */
  newVersion: z.string().max(200).optional(),
  review: z
    .object({
      status: z.enum(["reviewed", "approved"], { error: 'review.status is "reviewed" or "approved"' }),
      environment: z.string().max(63).optional(),
      note: z.string().max(1000).optional(),
    })
    .optional(),
  annotations: z.record(z.string(), z.string()).optional(),
});

export type MetadataRequest = z.infer<typeof metadataRequestSchema>;

/** A request refused: `field` names what was wrong ("deletionDate", `annotations["x"]`). */
export class MetadataInputError extends ChainsightError {
  static readonly CODE = "BAD_METADATA";
  readonly code = "BAD_METADATA";
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** Keys the OCI image spec predefines that a producer may set on an artifact (created is ours to set). */
const OCI_ALLOWED = new Set(["authors", "url", "documentation", "source", "version", "revision", "vendor", "licenses", "title", "description"].map((k) => `org.opencontainers.image.${k}`));
/** Reverse-domain keys: letters, digits, dots, dashes and underscores, with at least one dot. */
const KEY = /^[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9_-]*[A-Za-z0-9])?)+$/;
const MAX_ANNOTATIONS = 64;
const MAX_VALUE = 4096;
const CONTROL = /[\u0000-\u001f\u007f]/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})(T(\d{2}):(\d{2})(:(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;


/** A user's string in a message: quoted, invisible characters escaped, cut when long. */
const shown = (s: string) => JSON.stringify(visibleText(s, 60));

export function checkAnnotationKey(key: string): void {
  const field = `annotations[${shown(key)}]`;
  if (key.length === 0 || key.length > 256) throw new MetadataInputError(`${field}: a key is 1 to 256 characters`, field);
  if (!KEY.test(key)) throw new MetadataInputError(`${field}: a key is reverse-domain notation (com.example.reviewed): letters, digits, "-", "_" and at least one "."`, field);
  if (key.startsWith("org.opencontainers.") && !OCI_ALLOWED.has(key)) {
    throw new MetadataInputError(`${field}: org.opencontainers.* keys are reserved by the OCI spec; of those a producer may set ${[...OCI_ALLOWED].join(", ")} (created is set for you)`, field);
  }
  // The keys a kind sets itself are not free annotations (a review's "by" cannot be forged).
  if (METADATA_KEYS.has(key) || key.startsWith("vnd.chainsight.")) throw new MetadataInputError(`${field}: this key is set by the deletion-date, new-version or review kinds; use those`, field);
}

function checkValue(key: string, value: string): void {
  const field = `annotations[${shown(key)}]`;
  if (value.length > MAX_VALUE) throw new MetadataInputError(`${field}: a value is at most ${MAX_VALUE} characters`, field);
  if (CONTROL.test(value)) throw new MetadataInputError(`${field}: a value may not hold control characters (line breaks, tabs, NUL)`, field);
}

/** YYYY-MM-DD or RFC 3339, a real calendar date; returned as given. */
export function checkDate(value: string, field: string): string {
  const m = DATE.exec(value);
  const valid = m && Number(m[2]) >= 1 && Number(m[2]) <= 12 && Number(m[3]) >= 1 && Number(m[3]) <= new Date(Date.UTC(Number(m[1]), Number(m[2]), 0)).getUTCDate() && !Number.isNaN(Date.parse(value));
  if (!valid) throw new MetadataInputError(`${field}: ${shown(value)} is not a date; use YYYY-MM-DD (2027-01-31) or an RFC 3339 time (2027-01-31T00:00:00Z)`, field);
  return value;
}

/** The annotations a request writes, before `created` (and the subject) are added; who signs a review is the server's to say. */
export function annotationsFor(req: MetadataRequest, context: { reviewer: string; now: Date; newVersion?: string }): Record<string, string> {
  const free = req.annotations ?? {};
  const keys = Object.keys(free);
  if (keys.length > MAX_ANNOTATIONS) throw new MetadataInputError(`annotations: at most ${MAX_ANNOTATIONS} annotations`, "annotations");
  for (const k of keys) {
    checkAnnotationKey(k);
    checkValue(k, free[k]);
  }
  const out: Record<string, string> = { ...free };
  switch (req.kind) {
    case "deletion-date":
      if (!req.deletionDate) throw new MetadataInputError("deletionDate: a deletion date is required (YYYY-MM-DD)", "deletionDate");
      out[MetadataKey.DeletionDate] = checkDate(req.deletionDate, "deletionDate");
      break;
    case "new-version":
      if (!req.newVersion || !context.newVersion) throw new MetadataInputError("newVersion: name the tag or digest of this repository that supersedes it", "newVersion");
      out[MetadataKey.NewVersion] = context.newVersion;
      break;
    case "review":
      if (!req.review) throw new MetadataInputError('review: a status ("reviewed" or "approved") is required', "review");
      if (req.review.environment !== undefined && !/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/.test(req.review.environment)) {
        throw new MetadataInputError("review.environment: letters, digits, '.', '_' and '-' (prod, staging-eu)", "review.environment");
      }
      if (req.review.note !== undefined) checkValue(MetadataKey.ReviewNote, req.review.note);
      out[MetadataKey.ReviewStatus] = req.review.status;
      if (req.review.environment) out[MetadataKey.ReviewEnvironment] = req.review.environment;
      if (req.review.note) out[MetadataKey.ReviewNote] = req.review.note;
      out[MetadataKey.ReviewBy] = context.reviewer;
      out[MetadataKey.ReviewAt] = context.now.toISOString();
      break;
    case "annotations":
      if (keys.length === 0) throw new MetadataInputError("annotations: add at least one key=value", "annotations");
      break;
  }
  return out;
}
