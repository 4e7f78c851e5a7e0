import { METADATA_KEYS } from "../metadata/keys";
import { newestValue } from "../metadata/newest";
import { appendTo } from "../supply-chain/append";
import type { IndexDb } from "./database";
import { escapeLike, like } from "./sql";

/**
 * Questions over the index, in the words people type:
 *   log4j-core                 a package, any version
 *   log4j-core<2.17.0          a package below (or <=, >, >=, =) a version
 *   pkg:maven/org.apache.logging.log4j/log4j-core   a package by purl (version optional)
 *   CVE-2024-3094, GHSA-…      a vulnerability
 *   signer:wabbit-networks     a signer identity (substring)
 *   type:application/spdx+json an attached artifact type
 *   key=value                  an annotation on an attached artifact
 * Rights are not applied here: the caller keeps only the repositories the
 * user may read (see filterVisible).
 */

export type SearchQuery =
  | { kind: "package"; name: string; comparator?: Comparator; version?: string; purl?: string }
  | { kind: "vulnerability"; id: string }
  | { kind: "signer"; text: string }
  | { kind: "artifact-type"; type: string }
  | { kind: "annotation"; key: string; value: string };

export type Comparator = "<" | "<=" | ">" | ">=" | "=";

export class SearchSyntaxError extends Error {}

const VULNERABILITY = /^(CVE-\d{4}-\d{4,}|GHSA(-[23456789cfghjmpqrvwx]{4}){3}|[A-Z]{2,10}-\d{4}-\d+)$/i;

export function parseSearch(input: string): SearchQuery {
  const q = input.trim();
  if (!q) throw new SearchSyntaxError("type what to look for: a package (log4j-core, log4j-core<2.17.0, pkg:…), a vulnerability (CVE-…, GHSA-…), signer:…, type:… or key=value");
  if (q.length > 512) throw new SearchSyntaxError("the search is longer than 512 characters");
  if (VULNERABILITY.test(q)) return { kind: "vulnerability", id: q.toUpperCase() };
  if (/^signer:/i.test(q)) return { kind: "signer", text: need(q.slice(7), "signer:") };
  if (/^type:/i.test(q)) return { kind: "artifact-type", type: need(q.slice(5), "type:") };
  if (q.startsWith("pkg:")) {
    const [withoutQualifiers] = q.split(/[?#]/);
    const at = withoutQualifiers.lastIndexOf("@");
    const base = at > 0 ? withoutQualifiers.slice(0, at) : withoutQualifiers;
    const version = at > 0 ? decodeURIComponent(withoutQualifiers.slice(at + 1)) : undefined;
    const name = decodeURIComponent(base.slice(base.lastIndexOf("/") + 1));
    return { kind: "package", name, purl: base, version, comparator: version ? "=" : undefined };
  }
  const annotation = /^([A-Za-z0-9][\w.\-/]*)=(.+)$/.exec(q);
  if (annotation && annotation[1].includes(".")) return { kind: "annotation", key: annotation[1], value: annotation[2] };
  const ranged = /^([^<>=\s]+)\s*(<=|>=|<|>|=)\s*(\S+)$/.exec(q);
  if (ranged) return { kind: "package", name: ranged[1], comparator: ranged[2] as Comparator, version: ranged[3] };
  if (/\s/.test(q)) throw new SearchSyntaxError(`"${q}" is not one thing to look for: a package name has no spaces (write a version range as name<2.17.0)`);
  return { kind: "package", name: q };
}

function need(value: string, prefix: string): string {
  const v = value.trim();
  if (!v) throw new SearchSyntaxError(`say what to look for after "${prefix}"`);
  return v;
}

/**
 * Versions in their ecosystem's ordering, for the common cases:
 * - Debian, RPM and Alpine packages as dpkg compares them: an epoch ("1:") first,
 *   then runs of digits as numbers and of other characters by character, "~"
 *   before anything (1.0~rc1 < 1.0), letters before other signs
 *   (1.2.13.dfsg-1 < 1.2.13.dfsg-1+deb12u1);
 * - everything else (npm, Go, Maven, PyPI …) as semver reads it: numbers as
 *   numbers (2.9 < 2.17), a leading "v" ignored, a pre-release ("-rc1") before
 *   its release, build metadata ("+…") ignored.
 * Finer rules (Maven qualifiers, PEP 440 post-releases) are not modelled.
 */
export function compareVersions(a: string, b: string, ecosystem?: string | null): number {
  return ecosystem === "deb" || ecosystem === "rpm" || ecosystem === "apk" ? comparePackageVersions(a, b) : compareSemverLike(a, b);
}

function splitEpoch(v: string): [number, string] {
  const m = /^(\d+):(.*)$/.exec(v);
  return m ? [Number(m[1]), m[2]] : [0, v];
}

function comparePackageVersions(a: string, b: string): number {
  const [ea, ra] = splitEpoch(a);
  const [eb, rb] = splitEpoch(b);
  if (ea !== eb) return ea < eb ? -1 : 1;
  const order = (c: string | undefined) => (c === undefined ? 0 : c === "~" ? -1 : /[A-Za-z]/.test(c) ? c.charCodeAt(0) : c.charCodeAt(0) + 256);
  let i = 0;
  let j = 0;
  while (i < ra.length || j < rb.length) {
    // Non-digits, character by character.
    while ((i < ra.length && !/\d/.test(ra[i])) || (j < rb.length && !/\d/.test(rb[j]))) {
      const ca = i < ra.length && !/\d/.test(ra[i]) ? ra[i] : undefined;
      const cb = j < rb.length && !/\d/.test(rb[j]) ? rb[j] : undefined;
      const d = order(ca) - order(cb);
      if (d !== 0) return d < 0 ? -1 : 1;
      i++;
      j++;
    }
    // Digits, as a number.
    let na = "";
    let nb = "";
    while (i < ra.length && /\d/.test(ra[i])) na += ra[i++];
    while (j < rb.length && /\d/.test(rb[j])) nb += rb[j++];
    const x = Number(na || "0");
    const y = Number(nb || "0");
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function compareSemverLike(a: string, b: string): number {
  const [ea, ra] = splitEpoch(a.replace(/^v/, ""));
  const [eb, rb] = splitEpoch(b.replace(/^v/, ""));
  if (ea !== eb) return ea < eb ? -1 : 1;
  const split = (v: string) => {
    const m = /^([^-~]*)([-~].*)?/.exec(v.split("+")[0])!;
    return { main: m[1].split(/[._]/), pre: m[2]?.slice(1) };
  };
  const pa = split(ra);
  const pb = split(rb);
  const n = Math.max(pa.main.length, pb.main.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegment(pa.main[i] ?? "0", pb.main[i] ?? "0");
    if (c !== 0) return c;
  }
  if (pa.pre === undefined || pb.pre === undefined) return pa.pre === pb.pre ? 0 : pa.pre === undefined ? 1 : -1;
  return compareSegment(pa.pre, pb.pre);
}

function compareSegment(a: string, b: string): number {
  const na = /^\d+$/.test(a);
  const nb = /^\d+$/.test(b);
  if (na && nb) return Number(a) === Number(b) ? 0 : Number(a) < Number(b) ? -1 : 1;
  if (na !== nb) return na ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function versionMatches(version: string | null | undefined, comparator: Comparator | undefined, wanted: string | undefined, ecosystem?: string | null): boolean {
  if (!comparator || wanted === undefined) return true;
  if (!version) return false;
  const c = compareVersions(version, wanted, ecosystem);
  return comparator === "<" ? c < 0 : comparator === "<=" ? c <= 0 : comparator === ">" ? c > 0 : comparator === ">=" ? c >= 0 : c === 0;
}

/** One image that matched, with what matched in it. */
export interface SearchHit {
  registry: string;
  repository: string;
  digest: string;
  tags: string[];
  /** The attached artifact the match is in (the SBOM, the scan, the signature), when it is one. */
  evidence?: string;
  /** What matched, in words: "log4j-core 2.14.1 (maven)", "CVE-2024-3094 critical, fixed in 5.6.1-r2". */
  matched: string;
  severity?: string;
  fixedVersion?: string;
  /** A VEX statement attached to the same image says the vulnerability does not affect it. */
  notAffected?: boolean;
}

export interface SearchResult {
  query: SearchQuery;
  hits: SearchHit[];
  /** More rows matched than were read (narrow the search). */
  truncated: boolean;
}

/** Most rows read per query; the rest are counted as truncated. */
export const MAX_ROWS = 5_000;

export async function searchIndex(db: IndexDb, query: SearchQuery, visible: (registry: string, repository: string) => boolean): Promise<SearchResult> {
  type Row = { registry_id: string; repository: string; image_digest: string; evidence: string | null; evidence_created?: string | null; matched: string; severity?: string | null; fixed?: string | null; version?: string | null; vulnerability?: string };
  let rows: Row[] = [];
  if (query.kind === "package") {
    let q = db
      .selectFrom("index_packages as p")
      .innerJoin("index_attachments as a", "a.digest", "p.document_digest")
      .select(["a.registry_id", "a.repository", "a.image_digest", "a.digest as evidence", "a.created as evidence_created", "p.name", "p.version", "p.ecosystem", "p.purl"])
      // The whole name ("asm89/stack-cors", "golang.org/x/net"), or its last part when the search has no namespace.
      .where((eb) => (query.name.includes("/") ? eb("p.name_key", "=", query.name.toLowerCase()) : eb.or([eb("p.name_key", "=", query.name.toLowerCase()), eb("p.base_key", "=", query.name.toLowerCase())])));
    if (query.purl) q = q.where(like("p.purl", `${escapeLike(query.purl)}%`));
    const found = await q.limit(MAX_ROWS + 1).execute();
    rows = found
      .filter((r) => versionMatches(r.version, query.comparator, query.version, r.ecosystem))
      .map((r) => ({ ...r, matched: `${r.name}${r.version ? ` ${r.version}` : ""}${r.ecosystem ? ` (${r.ecosystem})` : ""}`, version: r.version }));
  } else if (query.kind === "vulnerability") {
    const found = await db
      .selectFrom("index_findings as f")
      .innerJoin("index_attachments as a", "a.digest", "f.document_digest")
      .select(["a.registry_id", "a.repository", "a.image_digest", "a.digest as evidence", "a.created as evidence_created", "f.vulnerability", "f.severity", "f.package_name", "f.installed_version", "f.fixed_version as fixed"])
      .where("f.vulnerability", "=", query.id)
      .limit(MAX_ROWS + 1)
      .execute();
    rows = found.map((r) => ({
      ...r,
      matched: `${r.vulnerability} ${r.severity}${r.package_name ? ` in ${r.package_name}${r.installed_version ? ` ${r.installed_version}` : ""}` : ""}${r.fixed ? `, fixed in ${r.fixed}` : ""}`,
    }));
  } else if (query.kind === "signer") {
    const found = await db
      .selectFrom("index_signatures")
      .select(["registry_id", "repository", "image_digest", "signature_digest as evidence", "signer", "verdict", "format"])
      .where(like("signer", `%${escapeLike(query.text)}%`))
      .where("own", "=", 1)
      .limit(MAX_ROWS + 1)
      .execute();
    rows = found.map((r) => ({ ...r, matched: `${r.format} signature by ${r.signer || "an unknown signer"}: ${r.verdict}` }));
  } else if (query.kind === "artifact-type") {
    const found = await db
      .selectFrom("index_attachments")
      .select(["registry_id", "repository", "image_digest", "digest as evidence", "artifact_type", "created"])
      .where("artifact_type", "=", query.type)
      .limit(MAX_ROWS + 1)
      .execute();
    rows = found.map((r) => ({ ...r, matched: `${r.artifact_type}${r.created ? `, ${r.created.slice(0, 10)}` : ""}` }));
  } else {
    const found = await db
      .selectFrom("index_attachments")
      .select(["registry_id", "repository", "image_digest", "digest as evidence", "artifact_type", "annotations", "created"])
      .where(like("annotations", `%${escapeLike(JSON.stringify(query.key))}%`))
      .limit(MAX_ROWS + 1)
      .execute();
    const withKey = found.map((r) => ({ ...r, value: (JSON.parse(r.annotations) as Record<string, string>)[query.key] })).filter((r) => r.value !== undefined);
    // A metadata key (a deletion date, "superseded by", a review mark) says something of the image, and metadata is
    // added, never changed: of an image's artifacts that set it, the newest says its value (lib/metadata/newest.ts).
    // Any other key (a scan's title) is the artifact's own: every artifact counts.
    let matching = withKey;
    if (METADATA_KEYS.has(query.key)) {
      const byImage = new Map<string, typeof withKey>();
      for (const r of withKey) appendTo(byImage, `${r.registry_id}\u0000${r.repository}\u0000${r.image_digest}`, r);
      matching = [...byImage.values()].flatMap((group) => {
        const newest = newestValue(undefined, group.map((g) => ({ digest: g.evidence, created: g.created ?? undefined, annotations: { [query.key]: g.value } })), [query.key]);
        return group.filter((g) => g.evidence === newest?.from);
      });
    }
    rows = matching
      .filter((r) => r.value === query.value)
      .map((r) => ({ ...r, matched: `${query.key}=${query.value} on ${r.artifact_type ?? "an artifact"}` }));
  }
  const truncated = rows.length > MAX_ROWS;
  rows = rows.slice(0, MAX_ROWS).filter((r) => visible(r.registry_id, r.repository));
  if (rows.length === 0) return { query, hits: [], truncated };

  // Tags of the matched images, and VEX statements attached to them (for vulnerability searches).
  const images = [...new Set(rows.map((r) => `${r.registry_id}\u0000${r.repository}\u0000${r.image_digest}`))];
  const tags = new Map<string, string[]>();
  for (const chunk of chunks(images, 200)) {
    const found = await db
      .selectFrom("index_tags")
      .select(["registry_id", "repository", "digest", "tag"])
      .where((eb) => eb.or(chunk.map((k) => { const [r, repo, d] = k.split("\u0000"); return eb.and([eb("registry_id", "=", r), eb("repository", "=", repo), eb("digest", "=", d)]); })))
      .execute();
    for (const t of found) appendTo(tags, `${t.registry_id}\u0000${t.repository}\u0000${t.digest}`, t.tag);
  }
  for (const list of tags.values()) list.sort();
  const notAffected = new Set<string>();
  if (query.kind === "vulnerability") {
    const vex = await db
      .selectFrom("index_vex as v")
      .innerJoin("index_attachments as a", "a.digest", "v.document_digest")
      .select(["a.registry_id", "a.repository", "a.image_digest"])
      .where("v.vulnerability", "=", query.id)
      .where("v.status", "=", "not_affected")
      .execute();
    for (const v of vex) notAffected.add(`${v.registry_id}\u0000${v.repository}\u0000${v.image_digest}`);
  }
  // The newest evidence first, so that the one kept for an image is its newest SBOM or scan.
  rows.sort((a, b) => ((a.evidence_created ?? "") < (b.evidence_created ?? "") ? 1 : (a.evidence_created ?? "") > (b.evidence_created ?? "") ? -1 : 0));
  const hits: SearchHit[] = [];
  const seen = new Set<string>();
  for (const r of rows) {
    const k = `${r.registry_id}\u0000${r.repository}\u0000${r.image_digest}`;
    // One hit per image and finding: 90 nightly scans reporting the same CVE are one answer, not 90.
    const once = `${k}\u0000${r.matched}`;
    // An image no tag points at any more (its rows are rewritten on the next walk) is not shown.
    if (seen.has(once) || !tags.has(k)) continue;
    seen.add(once);
    hits.push({
      registry: r.registry_id,
      repository: r.repository,
      digest: r.image_digest,
      tags: tags.get(k)!,
      evidence: r.evidence ?? undefined,
      matched: r.matched,
      severity: r.severity ?? undefined,
      fixedVersion: r.fixed ?? undefined,
      notAffected: notAffected.has(k) || undefined,
    });
  }
  hits.sort((a, b) => (a.registry < b.registry ? -1 : a.registry > b.registry ? 1 : a.repository < b.repository ? -1 : a.repository > b.repository ? 1 : a.tags[0] < b.tags[0] ? -1 : 1));
  return { query, hits, truncated };
}

function* chunks<T>(items: T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}
