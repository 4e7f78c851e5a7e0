import type { Finding, Severity, Vex, VexStatus } from "../documents/model";
import { evaluatePolicy, type Outcome, type RuleResult } from "../policy/evaluate";
import type { ImageEvidence } from "../policy/evidence";
import { inScope } from "../policy/scope";
import type { Policy } from "../policy/schema";
import type { Signer, Verdict } from "../verification/verdict";
import type { SignatureResult } from "../verification/verify-graph";
import type { IndexDb } from "./database";
import { escapeLike, like } from "./sql";

/**
 * Coverage from the index: for the tagged images in scope, the share signed
 * and verified, with an SBOM, scanned within N days, with provenance, and
 * passing each policy, per registry, namespace and repository. Policies are
 * judged here, on the evidence the walk kept (signatures as verified,
 * document facts, findings, VEX), with today's clock and the policies as
 * configured now: a new or edited policy needs no new walk.
 */

export interface CoverageCounts {
  images: number;
  signed: number;
  sbom: number;
  scanned: number;
  provenance: number;
}

export interface PolicyCounts {
  policy: string;
  mode: "enforce" | "audit";
  /** Images the policy covers. */
  images: number;
  pass: number;
  fail: number;
  unknown: number;
}

export interface CoverageGroup {
  counts: CoverageCounts;
  policies: PolicyCounts[];
}

export interface RepositoryCoverage extends CoverageGroup {
  repository: string;
}
export interface NamespaceCoverage extends CoverageGroup {
  namespace: string;
  repositories: RepositoryCoverage[];
}
export interface RegistryCoverage extends CoverageGroup {
  registry: string;
  namespaces: NamespaceCoverage[];
}

/** An image that does not pass a policy: what a team fixes next. */
export interface CoverageFinding {
  registry: string;
  repository: string;
  digest: string;
  tags: string[];
  policy: string;
  outcome: Outcome;
  rules: RuleResult[];
}

export interface CoverageResult {
  totals: CoverageGroup;
  registries: RegistryCoverage[];
  /** With a policy named: its images that fail or are unknown (at most `limit`). */
  notPassing: CoverageFinding[];
  notPassingTruncated: boolean;
}

export interface CoverageOptions {
  registry?: string;
  /** Repositories starting with this. */
  prefix?: string;
  policies: Policy[];
  /** List the images that do not pass this policy. */
  policy?: string;
  /** "Scanned" means a scan within this many days. */
  scanDays: number;
  now: Date;
  /** The caller's read right per repository. */
  visible: (registry: string, repository: string) => boolean;
  limit?: number;
}

interface ImageRow {
  registry: string;
  repository: string;
  digest: string;
  created?: string;
  verdict?: string;
  tags: string[];
  evidence: ImageEvidence;
}

const CHUNK = 500;

async function inChunks<T>(values: string[], fn: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < values.length; i += CHUNK) out.push(...(await fn(values.slice(i, i + CHUNK))));
  return out;
}

/** Every tagged image in the filter, with its evidence read from the index. */
export async function loadImages(db: IndexDb, filter: { registry?: string; prefix?: string }, needFindings: boolean): Promise<ImageRow[]> {
  const prefix = filter.prefix ? `${escapeLike(filter.prefix)}%` : undefined;
  const images = await db
    .selectFrom("index_images")
    .select(["registry_id", "repository", "digest", "created", "verdict"])
    .$if(!!filter.registry, (q) => q.where("registry_id", "=", filter.registry!))
    .$if(!!prefix, (q) => q.where(like("repository", prefix!)))
    .execute();
  const tags = await db
    .selectFrom("index_tags")
    .select(["registry_id", "repository", "digest", "tag"])
    .$if(!!filter.registry, (q) => q.where("registry_id", "=", filter.registry!))
    .$if(!!prefix, (q) => q.where(like("repository", prefix!)))
    .execute();
  const attachments = await db
    .selectFrom("index_attachments")
    .select(["registry_id", "repository", "image_digest", "digest", "kind", "created"])
    .$if(!!filter.registry, (q) => q.where("registry_id", "=", filter.registry!))
    .$if(!!prefix, (q) => q.where(like("repository", prefix!)))
    .execute();
  const signatures = await db
    .selectFrom("index_signatures")
    .select(["registry_id", "repository", "image_digest", "signature_digest", "format", "verdict", "subject_digest", "own", "policy", "trust_root", "signer_json", "summary"])
    .$if(!!filter.registry, (q) => q.where("registry_id", "=", filter.registry!))
    .$if(!!prefix, (q) => q.where(like("repository", prefix!)))
    .execute();
  const docDigests = [...new Set(attachments.map((a) => a.digest))];
  const documents = await inChunks(docDigests, (c) => db.selectFrom("index_documents").select(["digest", "kind", "format", "tool", "created", "error", "builder", "source"]).where("digest", "in", c).execute());
  const byDoc = new Map(documents.map((d) => [d.digest, d]));
  const sbomDocs = documents.filter((d) => d.kind === "sbom").map((d) => d.digest);
  const scanDocs = documents.filter((d) => d.kind === "scan").map((d) => d.digest);
  const vexDocs = documents.filter((d) => d.kind === "vex").map((d) => d.digest);
  const packageCounts = new Map(
    (await inChunks(sbomDocs, (c) => db.selectFrom("index_packages").select(["document_digest"]).select((eb) => eb.fn.countAll<number>().as("n")).where("document_digest", "in", c).groupBy("document_digest").execute())).map((r) => [r.document_digest, Number(r.n)]),
  );
  const findings = new Map<string, Finding[]>();
  if (needFindings) {
    const rows = await inChunks(scanDocs, (c) => db.selectFrom("index_findings").select(["document_digest", "vulnerability", "severity", "package_name", "fixed_version", "purl"]).where("document_digest", "in", c).execute());
    for (const r of rows) {
      const list = findings.get(r.document_digest) ?? [];
      list.push({ id: r.vulnerability, severity: r.severity as Severity, packageName: r.package_name ?? undefined, fixedVersion: r.fixed_version ?? undefined, purl: r.purl ?? undefined });
      findings.set(r.document_digest, list);
    }
  }
  const vex = new Map<string, Vex>();
  for (const r of await inChunks(vexDocs, (c) => db.selectFrom("index_vex").select(["document_digest", "vulnerability", "status", "products"]).where("document_digest", "in", c).execute())) {
    const doc = vex.get(r.document_digest) ?? { kind: "vex" as const, format: "openvex" as const, statements: [] };
    doc.statements.push({ vulnerability: r.vulnerability, status: r.status as VexStatus, products: JSON.parse(r.products) as string[] });
    vex.set(r.document_digest, doc);
  }

  const key = (registry: string, repository: string, digest: string) => `${registry}\u0000${repository}\u0000${digest}`;
  const out = new Map<string, ImageRow>();
  for (const i of images) {
    out.set(key(i.registry_id, i.repository, i.digest), {
      registry: i.registry_id,
      repository: i.repository,
      digest: i.digest,
      created: i.created ?? undefined,
      verdict: i.verdict ?? undefined,
      tags: [],
      evidence: { digest: i.digest, signatures: [], sboms: [], scans: [], vex: [], provenance: [] },
    });
  }
  for (const t of tags) out.get(key(t.registry_id, t.repository, t.digest))?.tags.push(t.tag);
  const signaturesBySubject = new Map<string, SignatureResult[]>();
  for (const s of signatures) {
    const image = out.get(key(s.registry_id, s.repository, s.image_digest));
    if (!image) continue;
    const result: SignatureResult = {
      digest: s.signature_digest,
      layer: 0,
      subject: s.subject_digest ?? s.image_digest,
      kind: "signature",
      label: "",
      format: s.format as SignatureResult["format"],
      verdict: s.verdict as Verdict,
      summary: s.summary ?? s.verdict,
      checks: [],
      warnings: [],
      signer: s.signer_json ? (JSON.parse(s.signer_json) as Signer) : undefined,
      policy: s.policy ?? undefined,
      trustRoot: s.trust_root ?? undefined,
    };
    if (s.own) image.evidence.signatures.push(result);
    const k = key(s.registry_id, s.repository, result.subject);
    const list = signaturesBySubject.get(k) ?? [];
    list.push(result);
    signaturesBySubject.set(k, list);
  }
  for (const a of attachments) {
    const image = out.get(key(a.registry_id, a.repository, a.image_digest));
    const d = byDoc.get(a.digest);
    if (!image || !d) continue;
    const base = { digest: a.digest, created: a.created ?? undefined, signatures: signaturesBySubject.get(key(a.registry_id, a.repository, a.digest)) ?? [] };
    if (d.error) {
      if (a.kind === "sbom") image.evidence.sboms.push({ ...base, error: d.error });
      else if (a.kind === "vulnerability-scan") image.evidence.scans.push({ ...base, error: d.error });
      continue;
    }
    if (d.kind === "sbom" && (d.format === "spdx" || d.format === "cyclonedx")) image.evidence.sboms.push({ ...base, document: { format: d.format, packages: packageCounts.get(d.digest) ?? 0 } });
    else if (d.kind === "scan") image.evidence.scans.push({ ...base, document: { scanner: d.tool ?? d.format, scannedAt: d.created ?? undefined, findings: findings.get(d.digest) ?? [] } });
    else if (d.kind === "vex" && vex.has(d.digest)) image.evidence.vex.push({ ...base, document: vex.get(d.digest) });
    else if (d.kind === "provenance") image.evidence.provenance.push({ ...base, document: { builderId: d.builder ?? undefined, sourceUri: d.source ?? undefined } });
  }
  // Only tagged images: an untagged manifest is an attachment or a leftover, not something a team ships.
  return [...out.values()].filter((i) => i.tags.length > 0);
}

const EMPTY_COUNTS = (): CoverageCounts => ({ images: 0, signed: 0, sbom: 0, scanned: 0, provenance: 0 });

function addPolicy(group: CoverageGroup, policy: Policy, outcome: Outcome): void {
  let p = group.policies.find((x) => x.policy === policy.name);
  if (!p) group.policies.push((p = { policy: policy.name, mode: policy.mode, images: 0, pass: 0, fail: 0, unknown: 0 }));
  p.images++;
  p[outcome]++;
}

/** The namespace of a repository: its first path segment ("teama" of "teama/payments/api"), or the name itself. */
export function namespaceOf(repository: string): string {
  const i = repository.indexOf("/");
  return i < 0 ? repository : repository.slice(0, i);
}

export async function computeCoverage(db: IndexDb, options: CoverageOptions): Promise<CoverageResult> {
  const needFindings = options.policies.some((p) => p.require.scan?.failOn);
  const images = (await loadImages(db, { registry: options.registry, prefix: options.prefix }, needFindings)).filter((i) => options.visible(i.registry, i.repository));
  // `newest: N`: the newest N tagged images of each repository, by created date.
  const rank = new Map<ImageRow, number>();
  const byRepo = new Map<string, ImageRow[]>();
  for (const i of images) {
    const k = `${i.registry}\u0000${i.repository}`;
    const list = byRepo.get(k) ?? [];
    list.push(i);
    byRepo.set(k, list);
  }
  for (const list of byRepo.values()) [...list].sort((a, b) => (b.created ?? "").localeCompare(a.created ?? "")).forEach((i, n) => rank.set(i, n));

  const totals: CoverageGroup = { counts: EMPTY_COUNTS(), policies: [] };
  const registries = new Map<string, RegistryCoverage>();
  const notPassing: CoverageFinding[] = [];
  let truncated = false;
  const limit = options.limit ?? 500;
  const scanCutoff = options.now.getTime() - options.scanDays * 86_400_000;
  for (const i of images.sort((a, b) => a.registry.localeCompare(b.registry) || a.repository.localeCompare(b.repository) || (b.created ?? "").localeCompare(a.created ?? ""))) {
    let reg = registries.get(i.registry);
    if (!reg) registries.set(i.registry, (reg = { registry: i.registry, counts: EMPTY_COUNTS(), policies: [], namespaces: [] }));
    const nsName = namespaceOf(i.repository);
    let ns = reg.namespaces.find((n) => n.namespace === nsName);
    if (!ns) reg.namespaces.push((ns = { namespace: nsName, counts: EMPTY_COUNTS(), policies: [], repositories: [] }));
    let repo = ns.repositories.find((r) => r.repository === i.repository);
    if (!repo) ns.repositories.push((repo = { repository: i.repository, counts: EMPTY_COUNTS(), policies: [] }));
    const groups: CoverageGroup[] = [totals, reg, ns, repo];

    const e = i.evidence;
    const newestScan = Math.max(...e.scans.map((s) => Date.parse(s.document?.scannedAt ?? s.created ?? "")).filter((t) => !Number.isNaN(t)), -Infinity);
    const facts: Record<keyof CoverageCounts, boolean> = {
      images: true,
      signed: i.verdict === "verified",
      sbom: e.sboms.some((s) => s.document),
      scanned: newestScan >= scanCutoff,
      provenance: e.provenance.some((p) => p.document),
    };
    for (const g of groups) for (const k of Object.keys(facts) as (keyof CoverageCounts)[]) if (facts[k]) g.counts[k]++;

    for (const policy of options.policies) {
      if (!inScope(policy, i.registry, i.repository, i.tags)) continue;
      if (policy.scope.newest !== undefined && (rank.get(i) ?? 0) >= policy.scope.newest) continue;
      const result = evaluatePolicy(policy, e, options.now);
      for (const g of groups) addPolicy(g, policy, result.outcome);
      if (options.policy === policy.name && result.outcome !== "pass") {
        if (notPassing.length < limit) notPassing.push({ registry: i.registry, repository: i.repository, digest: i.digest, tags: [...i.tags].sort(), policy: policy.name, outcome: result.outcome, rules: result.rules.filter((r) => r.outcome !== "pass") });
        else truncated = true;
      }
    }
  }
  return { totals, registries: [...registries.values()], notPassing, notPassingTruncated: truncated };
}

/** Today's row per registry, namespace and policy (and "" for the plain shares), replacing any earlier one of today. */
export async function saveSnapshot(db: IndexDb, result: CoverageResult, day: string): Promise<number> {
  const rows = result.registries.flatMap((r) =>
    r.namespaces.flatMap((n) => [
      { day, registry_id: r.registry, namespace: n.namespace, policy: "", ...n.counts, passing: 0, failing: 0, unknown: 0 },
      ...n.policies.map((p) => ({ day, registry_id: r.registry, namespace: n.namespace, policy: p.policy, ...n.counts, passing: p.pass, failing: p.fail, unknown: p.unknown })),
    ]),
  );
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom("coverage_snapshots").where("day", "=", day).execute();
    for (let i = 0; i < rows.length; i += CHUNK) await tx.insertInto("coverage_snapshots").values(rows.slice(i, i + CHUNK)).execute();
  });
  return rows.length;
}

export interface TrendPoint {
  day: string;
  images: number;
  signed: number;
  sbom: number;
  scanned: number;
  provenance: number;
  /** With a policy: images it covers that passed, failed, were unknown. */
  passing?: number;
  failing?: number;
  unknown?: number;
}

/** Per day, summed over the namespaces asked for (all of a registry's, or one), for the plain shares or a policy. */
export async function trend(db: IndexDb, filter: { registry?: string; namespace?: string; policy?: string; days: number; now: Date; visibleNamespace: (registry: string, namespace: string) => boolean }): Promise<TrendPoint[]> {
  const since = new Date(filter.now.getTime() - filter.days * 86_400_000).toISOString().slice(0, 10);
  let q = db.selectFrom("coverage_snapshots").selectAll().where("day", ">=", since).where("policy", "=", filter.policy ?? "");
  if (filter.registry) q = q.where("registry_id", "=", filter.registry);
  if (filter.namespace) q = q.where("namespace", "=", filter.namespace);
  const rows = (await q.execute()).filter((r) => filter.visibleNamespace(r.registry_id, r.namespace));
  const byDay = new Map<string, TrendPoint>();
  for (const r of rows) {
    const p = byDay.get(r.day) ?? { day: r.day, images: 0, signed: 0, sbom: 0, scanned: 0, provenance: 0, ...(filter.policy ? { passing: 0, failing: 0, unknown: 0 } : {}) };
    p.images += r.images;
    p.signed += r.signed;
    p.sbom += r.sbom;
    p.scanned += r.scanned;
    p.provenance += r.provenance;
    if (filter.policy) {
      p.passing! += r.passing;
      p.failing! += r.failing;
      p.unknown! += r.unknown;
    }
    byDay.set(r.day, p);
  }
  return [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
}
