import type { Severity } from "./model";

/**
 * Tolerant readers for producers' JSON: a field that is missing, null, or of
 * another type than expected reads as undefined instead of failing the whole
 * document, because every producer differs somewhere.
 */

export type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
export const str = (v: unknown): string | undefined => (typeof v === "string" && v.length > 0 ? v : undefined);
export const num = (v: unknown): number | undefined => (typeof v === "number" && Number.isFinite(v) ? v : typeof v === "string" && v.trim() !== "" && Number.isFinite(Number(v)) ? Number(v) : undefined);
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const objects = (v: unknown): Json[] => arr(v).filter(isObject);

/** An RFC 3339 time, or undefined for missing, zero ("0001-01-01…") and unparseable values. */
export function time(v: unknown): string | undefined {
  if (typeof v === "number" && v > 0) return new Date(v * 1000).toISOString();
  const s = str(v);
  if (!s || s.startsWith("0001-01-01")) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Only http(s) URLs are kept: anything else from a document is text, never a link. */
export function httpUrl(v: unknown): string | undefined {
  const s = str(v);
  if (!s) return undefined;
  try {
    const u = new URL(s);
    return u.protocol === "http:" || u.protocol === "https:" ? u.toString() : undefined;
  } catch {
    return undefined;
  }
}

const WORDS: Record<string, Severity> = { critical: "critical", high: "high", important: "high", medium: "medium", moderate: "medium", low: "low", negligible: "low", minimal: "low", none: "low", info: "low", informational: "low" };

/** A scanner's own severity word (CRITICAL, High, moderate …), or undefined. */
export function severityWord(v: unknown): Severity | undefined {
  const s = str(v)?.toLowerCase().trim();
  return s ? WORDS[s] : undefined;
}

/** GitHub's buckets for a CVSS-like score (security-severity): >= 9 critical, >= 7 high, >= 4 medium, else low. */
export function severityOfScore(score: number | undefined): Severity | undefined {
  if (score === undefined) return undefined;
  if (score >= 9) return "critical";
  if (score >= 7) return "high";
  if (score >= 4) return "medium";
  return score > 0 ? "low" : undefined;
}

/** The type of a package URL (`pkg:npm/…` → npm), lower case; undefined when it is not a purl. */
export function purlType(purl: string | undefined): string | undefined {
  const m = purl ? /^pkg:([a-zA-Z][a-zA-Z0-9.+-]*)\//.exec(purl) : null;
  return m ? m[1].toLowerCase() : undefined;
}

/** A purl without version, qualifiers and subpath: what two documents' packages are matched by. */
export function purlBase(purl: string | undefined): string | undefined {
  if (!purl || !purl.startsWith("pkg:")) return undefined;
  return decodeURIComponent(purl.split(/[?#]/)[0].replace(/@[^/@]*$/, "")).toLowerCase();
}
