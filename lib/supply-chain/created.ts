import { Annotation } from "../oci/media-types";

/** When an artifact was created, from its annotations, and ordering by it. */

const CREATED_KEYS = [Annotation.Created, Annotation.ArtifactCreated, Annotation.OrasArtifactCreated, "org.cncf.oras.artifact.created"];

/** The created time from annotations (current and pre-GA keys), as ISO 8601; undefined when absent or unreadable. */
export function createdOf(annotations: Record<string, string> | undefined): string | undefined {
  if (!annotations) return undefined;
  for (const key of CREATED_KEYS) {
    const value = annotations[key];
    if (!value) continue;
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return undefined;
}

/**
 * Order two created times (ISO strings or undefined): dated before undated
 * in either order; 0 for a tie, for the caller to break.
 */
export function compareCreated(a: string | undefined, b: string | undefined, order: "asc" | "desc"): number {
  const ta = a ? Date.parse(a) : NaN;
  const tb = b ? Date.parse(b) : NaN;
  if (Number.isNaN(ta) !== Number.isNaN(tb)) return Number.isNaN(ta) ? 1 : -1;
  if (Number.isNaN(ta) || ta === tb) return 0;
  return order === "asc" ? ta - tb : tb - ta;
}
