import { appendTo } from "../../supply-chain/append";
import { z } from "zod";
import { parseDigest } from "../../oci/digest";
import { validateRepository } from "../../oci/reference";
import type { Store } from "../../oci/store";
import { discover, type SupplyChainGraph } from "../../supply-chain/discover";
import { purlBase } from "../../documents/fields";
import { imageSummaries } from "./summary";
import { severityCounts } from "../../documents/scan";
import { summarize, type DocumentSummary } from "../../documents/summary";
import { vexFor } from "../../documents/vex";
import { firstOfKind } from "../../documents/read";
import { SEVERITIES, type Finding, type Provenance, type Sbom, type SbomPackage, type Severity, type Vex, type VexStatement } from "../../documents/model";
import { UnprocessableError } from "../errors";
import { csvResponse, csvText } from "../csv";
import type { HandlerContext } from "../http";
import { cursorParam, digestParam, intParam, registryParam, repositoryParam } from "./params";

/**
 * What an attached artifact says, paged for the browser: the documents it
 * carries (summaries), an SBOM's packages, a scan's findings with VEX
 * applied, a build's provenance. The browser never receives a whole document.
 */

const base = { registry: registryParam, repository: repositoryParam, digest: digestParam };

export const documentsInput = z.object(base);

export interface DocumentsResponse {
  registry: string;
  repository: string;
  digest: string;
  documents: { layer: string; mediaType: string; size: number; summary?: DocumentSummary; error?: string }[];
}

export async function getDocuments(input: z.infer<typeof documentsInput>, { runtime }: HandlerContext): Promise<DocumentsResponse> {
  validateRepository(input.repository);
  parseDigest(input.digest);
  const { config, store } = runtime.registries.get(input.registry);
  const docs = await runtime.documents.read(store, input.repository, input.digest);
  return {
    registry: config.id,
    repository: input.repository,
    digest: input.digest,
    documents: docs.map((d) => ({ layer: d.layer.digest, mediaType: d.layer.mediaType, size: d.layer.size, summary: d.parsed && summarize(d.parsed), error: d.error })),
  };
}

/** The first document of the artifact of this kind, or a 422 saying what the artifact holds instead. */
async function documentOf<K extends "sbom" | "scan" | "provenance">(ctx: HandlerContext, input: { registry: string; repository: string; digest: string }, kind: K) {
  validateRepository(input.repository);
  parseDigest(input.digest);
  const { config, store } = ctx.runtime.registries.get(input.registry);
  const docs = await ctx.runtime.documents.read(store, input.repository, input.digest);
  const first = firstOfKind(docs, kind);
  if (first) return { config, store, ...first };
  const errors = docs.filter((d) => d.error).map((d) => d.error);
  const found = docs.filter((d) => d.parsed).map((d) => d.parsed!.document.kind);
  throw new UnprocessableError(
    errors.length
      ? `${input.digest} holds no readable ${kind === "scan" ? "scan" : kind === "sbom" ? "SBOM" : "provenance"}: ${errors.join("; ")}`
      : `${input.digest} holds no ${kind === "scan" ? "scan result" : kind === "sbom" ? "SBOM" : "provenance"}${found.length ? ` (it holds: ${found.join(", ")})` : " (no document layer at all)"}`,
    errors.some((e) => /limit/.test(e ?? "")) ? "document_too_large" : "not_a_document",
  );
}

/** A comma-separated list parameter. */
const list = () =>
  z
    .string()
    .max(500)
    .optional()
    .transform((v) => (v ? v.split(",").map((s) => s.trim()).filter(Boolean) : undefined));

export const sbomInput = z.object({
  ...base,
  q: z.string().max(200).optional(),
  ecosystem: list(),
  license: z.string().max(200).optional(),
  sort: z.enum(["name", "version", "ecosystem", "license"], { error: '"sort" is name, version, ecosystem or license' }).default("name"),
  order: z.enum(["asc", "desc"], { error: '"order" is asc or desc' }).default("asc"),
  n: intParam("n", 1, 500).default(100),
  cursor: cursorParam.refine((c) => c === undefined || /^\d{1,7}$/.test(c), "the cursor is not one this API returned"),
  /** A package id: answer also the path from what the document describes to it ("why is this here"). */
  why: z.string().max(2000).optional(),
  /** A package id, or "root": answer also its direct dependencies (the roots for "root"), for a tree opened step by step. */
  children: z.string().max(2000).optional(),
  /** csv: every package that matches the filters, as a CSV download. */
  format: z.enum(["json", "csv"], { error: '"format" is json or csv' }).default("json"),
});

export interface SbomResponse {
  digest: string;
  layer: string;
  summary: DocumentSummary;
  /** What the SBOM says it describes (its name, or its in-toto statement's subjects). */
  describes?: string;
  /** Packages by ecosystem and by licence, over the whole document. */
  ecosystems: { name: string; count: number }[];
  licenses: { name: string; count: number }[];
  total: number;
  packages: (SbomPackage & { dependsOn: number; dependedOnBy: number })[];
  next?: string;
  /** With why=: the packages from a root of the document to the one asked about, or [] when nothing leads to it. */
  path?: { id: string; name: string; version?: string }[];
  /** With children=: the direct dependencies (with how many each has in turn). */
  children?: { id: string; name: string; version?: string; dependencies: number }[];
}

export async function getSbom(input: z.infer<typeof sbomInput>, ctx: HandlerContext): Promise<SbomResponse | Response> {
  const { layer, parsed, document: sbom } = await documentOf(ctx, input, "sbom");
  const q = input.q?.toLowerCase();
  let rows = sbom.packages.filter(
    (p) =>
      (!q || p.name.toLowerCase().includes(q) || p.purl?.toLowerCase().includes(q) || p.version?.toLowerCase().includes(q)) &&
      (!input.ecosystem || input.ecosystem.includes(p.ecosystem ?? "(none)")) &&
      (!input.license || (input.license === "(none)" ? p.licenses.length === 0 : p.licenses.includes(input.license))),
  );
  const key = (p: SbomPackage) => (input.sort === "version" ? (p.version ?? "") : input.sort === "ecosystem" ? (p.ecosystem ?? "") : input.sort === "license" ? (p.licenses[0] ?? "") : p.name);
  const collator = new Intl.Collator("en", { numeric: true, sensitivity: "base" });
  rows = [...rows].sort((a, b) => collator.compare(key(a), key(b)) || collator.compare(a.name, b.name));
  if (input.order === "desc") rows.reverse();
  const offset = input.cursor ? Number(input.cursor) : 0;
  const out = new Map<string, number>();
  const into = new Map<string, number>();
  for (const [a, b] of sbom.dependencies) {
    out.set(a, (out.get(a) ?? 0) + 1);
    into.set(b, (into.get(b) ?? 0) + 1);
  }
  if (input.format === "csv") {
    const text = csvText(["name", "version", "ecosystem", "licenses", "supplier", "purl"], rows.map((p) => [p.name, p.version, p.ecosystem, p.licenses.join(" | "), p.supplier, p.purl]));
    return csvResponse(text, `sbom-${input.digest.slice(7, 19)}.csv`);
  }
  return {
    digest: input.digest,
    layer: layer.digest,
    summary: summarize(parsed),
    describes: parsed.statementSubjects?.map((x) => x.name).join(", ") || sbom.name,
    path: input.why !== undefined ? pathTo(sbom, input.why) : undefined,
    children: input.children !== undefined ? childrenOf(sbom, input.children, out) : undefined,
    ecosystems: tally(sbom.packages.map((p) => p.ecosystem ?? "(none)")),
    licenses: tally(sbom.packages.flatMap((p) => (p.licenses.length ? p.licenses : ["(none)"]))),
    total: rows.length,
    packages: rows.slice(offset, offset + input.n).map((p) => ({ ...p, dependsOn: out.get(p.id) ?? 0, dependedOnBy: into.get(p.id) ?? 0 })),
    next: offset + input.n < rows.length ? String(offset + input.n) : undefined,
  };
}

export const findingsInput = z.object({
  ...base,
  q: z.string().max(200).optional(),
  severity: list().refine((l) => !l || l.every((s) => (SEVERITIES as readonly string[]).includes(s)), `"severity" is a comma list of ${SEVERITIES.join(", ")}`),
  fixable: z.enum(["true", "false"], { error: '"fixable" is true or false' }).optional(),
  sort: z.enum(["severity", "id", "package", "score"], { error: '"sort" is severity, id, package or score' }).default("severity"),
  n: intParam("n", 1, 500).default(100),
  cursor: cursorParam.refine((c) => c === undefined || /^\d{1,7}$/.test(c), "the cursor is not one this API returned"),
});

export interface FindingsResponse {
  digest: string;
  layer: string;
  summary: DocumentSummary;
  /** Over the whole scan; findings a VEX statement marks not_affected or fixed are counted apart. */
  counts: Record<Severity, number>;
  suppressed: number;
  /** VEX documents attached to the scanned image that were applied. */
  vex: { digest: string; statements: number }[];
  /** The image's newest SBOM, when it has one: each finding then says whether its package is in it (`inSbom`). */
  sbom?: { digest: string; packages: number };
  total: number;
  findings: (Finding & { vex?: VexStatement; inSbom?: boolean })[];
  next?: string;
}

export async function getFindings(input: z.infer<typeof findingsInput>, ctx: HandlerContext): Promise<FindingsResponse> {
  const { store, layer, parsed, document: scan } = await documentOf(ctx, input, "scan");
  const { manifest } = await store.getManifest(input.repository, input.digest);
  const subject = manifest.subject?.digest;
  const graph = subject ? await discover(store, input.repository, subject, { maxDepth: 1, checkTruncation: false }).catch(() => undefined) : undefined;
  const vexDocs = graph ? await vexOf(ctx, store, input.repository, graph) : [];
  // Joined to the image's SBOM by package (purl without version, else name): is what the scanner found in what the SBOM lists?
  const sbomRef = graph ? (await imageSummaries(ctx.runtime.documents, store, graph, ["sbom"])).sbom : undefined;
  let inSbom: ((f: Finding) => boolean) | undefined;
  if (sbomRef) {
    const docs = await ctx.runtime.documents.read(store, input.repository, sbomRef.digest).catch(() => []);
    const sbom = docs.map((d) => d.parsed?.document).find((d): d is Sbom => d?.kind === "sbom");
    if (sbom) {
      const purls = new Set(sbom.packages.map((p) => purlBase(p.purl)).filter(Boolean));
      const names = new Set(sbom.packages.map((p) => p.name.toLowerCase()));
      inSbom = (f) => (f.purl && purlBase(f.purl) ? purls.has(purlBase(f.purl)) : !!f.packageName && names.has(f.packageName.toLowerCase()));
    }
  }
  const withVex = scan.findings.map((f) => ({ ...f, vex: vexFor(f, vexDocs.map((v) => v.vex), subject), inSbom: inSbom?.(f) }));
  const active = withVex.filter((f) => f.vex?.status !== "not_affected" && f.vex?.status !== "fixed");
  const q = input.q?.toLowerCase();
  let rows = withVex.filter(
    (f) =>
      (!q || f.id.toLowerCase().includes(q) || f.packageName?.toLowerCase().includes(q) || f.title?.toLowerCase().includes(q)) &&
      (!input.severity || input.severity.includes(f.severity)) &&
      (input.fixable === undefined || (input.fixable === "true") === !!f.fixedVersion),
  );
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  rows = [...rows].sort((a, b) =>
    input.sort === "id" ? a.id.localeCompare(b.id) : input.sort === "package" ? (a.packageName ?? "").localeCompare(b.packageName ?? "") : input.sort === "score" ? (b.score ?? -1) - (a.score ?? -1) : rank(a.severity) - rank(b.severity) || (b.score ?? -1) - (a.score ?? -1) || a.id.localeCompare(b.id),
  );
  const offset = input.cursor ? Number(input.cursor) : 0;
  return {
    digest: input.digest,
    layer: layer.digest,
    summary: summarize({ ...parsed, document: scan }),
    counts: severityCounts(active),
    suppressed: withVex.length - active.length,
    vex: vexDocs.map((v) => ({ digest: v.digest, statements: v.vex.statements.length })),
    sbom: sbomRef && { digest: sbomRef.digest, packages: sbomRef.packages ?? 0 },
    total: rows.length,
    findings: rows.slice(offset, offset + input.n),
    next: offset + input.n < rows.length ? String(offset + input.n) : undefined,
  };
}

/** VEX documents attached to the image (artifact types naming VEX, OpenVEX attestations): read, never guessed from every SBOM. */
async function vexOf(ctx: HandlerContext, store: Store, repository: string, graph: SupplyChainGraph): Promise<{ digest: string; vex: Vex }[]> {
  const candidates = graph.nodes.filter((n) => n.role === "referrer" && (/vex/i.test(n.artifactType ?? "") || /openvex/i.test(n.annotations["in-toto.io/predicate-type"] ?? n.annotations["predicateType"] ?? "")));
  const out: { digest: string; vex: Vex }[] = [];
  for (const n of candidates) {
    for (const d of await ctx.runtime.documents.read(store, repository, n.digest).catch(() => [])) {
      if (d.parsed?.document.kind === "vex") out.push({ digest: n.digest, vex: d.parsed.document });
    }
  }
  return out;
}

export const provenanceInput = z.object(base);

export interface ProvenanceResponse {
  digest: string;
  layer: string;
  summary: DocumentSummary;
  provenance: Provenance;
  wrappers: string[];
  /** Whether the statement names the image it is attached to (its digest, or one of its platform manifests). */
  subjectMatches?: boolean;
  subject?: string;
}

export async function getProvenance(input: z.infer<typeof provenanceInput>, ctx: HandlerContext): Promise<ProvenanceResponse> {
  const { store, layer, parsed, document } = await documentOf(ctx, input, "provenance");
  const { manifest } = await store.getManifest(input.repository, input.digest);
  const subject = manifest.subject?.digest;
  let subjectMatches: boolean | undefined;
  if (subject) {
    const digests = new Set([subject]);
    const s = await store.getManifest(input.repository, subject).catch(() => undefined);
    if (s && (s.manifest.kind === "index" || s.manifest.kind === "docker-list")) for (const m of s.manifest.manifests) digests.add(m.digest);
    const named = (parsed.statementSubjects ?? document.subjects).flatMap((x) => Object.entries(x.digest).map(([alg, hex]) => `${alg}:${hex}`));
    subjectMatches = named.some((d) => digests.has(d));
  }
  return { digest: input.digest, layer: layer.digest, summary: summarize(parsed), provenance: document, wrappers: parsed.wrappers, subjectMatches, subject };
}

/** The direct dependencies of a package, or the document's roots (what it describes, else what nothing depends on). */
function childrenOf(sbom: Sbom, id: string, outDegree: Map<string, number>): { id: string; name: string; version?: string; dependencies: number }[] {
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  let ids: string[];
  if (id === "root") {
    const depended = new Set(sbom.dependencies.map(([, b]) => b));
    ids = sbom.roots.length ? sbom.roots : sbom.packages.filter((p) => !depended.has(p.id)).map((p) => p.id);
  } else ids = sbom.dependencies.filter(([a]) => a === id).map(([, b]) => b);
  return ids.slice(0, 1000).map((x) => ({ id: x, name: byId.get(x)?.name ?? x, version: byId.get(x)?.version, dependencies: outDegree.get(x) ?? 0 }));
}

/** Shortest path of dependency edges from a root (or any package nothing depends on) to `id`. */
export function pathTo(sbom: Sbom, id: string): { id: string; name: string; version?: string }[] {
  const byId = new Map(sbom.packages.map((p) => [p.id, p]));
  if (!byId.has(id)) return [];
  const parents = new Map<string, string[]>();
  for (const [a, b] of sbom.dependencies) appendTo(parents, b, a);
  const roots = new Set(sbom.roots.length ? sbom.roots : sbom.packages.filter((p) => !parents.has(p.id)).map((p) => p.id));
  // Breadth-first from the package up to a root: the first root reached gives the shortest path.
  const prev = new Map<string, string | undefined>([[id, undefined]]);
  const queue = [id];
  while (queue.length) {
    const cur = queue.shift()!;
    if (roots.has(cur)) {
      const path: string[] = [];
      for (let x: string | undefined = cur; x !== undefined; x = prev.get(x)) path.push(x);
      return path.map((x) => ({ id: x, name: byId.get(x)?.name ?? x, version: byId.get(x)?.version }));
    }
    for (const p of parents.get(cur) ?? []) {
      if (!prev.has(p)) {
        prev.set(p, cur);
        queue.push(p);
      }
    }
  }
  return [];
}

function tally(values: string[]): { name: string; count: number }[] {
  const m = new Map<string, number>();
  for (const v of values) m.set(v, (m.get(v) ?? 0) + 1);
  return [...m.entries()].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}
