/**
 * Metadata is added, never changed: a second deletion date is a second
 * artifact. Where Chainsight reads a key (retention, the artifact page), the
 * newest artifact that sets it wins, by its creation time; the subject's own
 * annotations count as older than anything attached to it, and an attached
 * artifact without a time as older than those with one.
 */

export interface AnnotatedArtifact {
  digest: string;
  annotations?: Record<string, string>;
  /** ISO 8601, from the artifact's annotations. */
  created?: string;
}

export interface NewestValue {
  key: string;
  value: string;
  /** The attached artifact that set it; absent when it is the subject's own annotation. */
  from?: string;
  created?: string;
}

/** The newest value of any of `keys` (in that order of preference within one artifact) that `valid` accepts. */
export function newestValue(own: Record<string, string> | undefined, attached: AnnotatedArtifact[], keys: readonly string[], valid: (value: string) => boolean = () => true): NewestValue | undefined {
  const pick = (annotations: Record<string, string> | undefined) => {
    for (const key of keys) {
      const value = annotations?.[key];
      if (value !== undefined && valid(value)) return { key, value };
    }
    return undefined;
  };
  const time = (a: AnnotatedArtifact) => (a.created && !Number.isNaN(Date.parse(a.created)) ? Date.parse(a.created) : -Infinity);
  // Newest first; equal times by digest, so the answer does not depend on discovery order.
  const ordered = [...attached].sort((a, b) => time(b) - time(a) || (a.digest < b.digest ? -1 : a.digest > b.digest ? 1 : 0));
  for (const a of ordered) {
    const found = pick(a.annotations);
    if (found) return { ...found, from: a.digest, created: a.created };
  }
  const mine = pick(own);
  return mine && { ...mine };
}
