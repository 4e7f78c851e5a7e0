"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { DocumentSummary } from "@/lib/documents/summary";
import { SEVERITIES, type Severity } from "@/lib/documents/model";
import { api } from "../api";
import { formatAge, formatDate, shortDigest } from "../format";
import { Chip, ErrorPanel, Loading } from "../ui/primitives";

/**
 * What an attached artifact says, in the words a reviewer uses: an SBOM's
 * packages, a scan's findings by severity, a build's provenance. Everything
 * is paged and filtered by the server; raw JSON stays one click away below.
 */

export const SEVERITY_STYLES: Record<Severity, string> = {
  critical: "bg-red-700 text-white",
  high: "bg-red-100 text-red-800 dark:bg-red-900/60 dark:text-red-100",
  medium: "bg-amber-100 text-amber-900 dark:bg-amber-900/60 dark:text-amber-100",
  low: "bg-slate-100 text-slate-700 dark:bg-slate-800 dark:text-slate-200",
  unknown: "bg-slate-50 text-slate-500 dark:bg-slate-900 dark:text-slate-400",
};

export function SeverityCounts({ counts, testId }: { counts: Record<Severity, number>; testId?: string }) {
  return (
    <span className="inline-flex flex-wrap gap-1" data-testid={testId}>
      {SEVERITIES.map((s) => (
        <span key={s} data-severity={s} className={`inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium ${counts[s] ? SEVERITY_STYLES[s] : "text-slate-400"}`}>
          <span className="tabular-nums">{counts[s]}</span> {s}
        </span>
      ))}
    </span>
  );
}

/** The one-line summaries of an artifact's documents (node panel, artifact page). */
export function DocumentSummaries({ registry, repository, digest, canPull, why }: { registry: string; repository: string; digest: string; canPull: boolean; why?: string }) {
  const q = useQuery({ queryKey: ["documents", registry, repository, digest], queryFn: ({ signal }) => api.documents(registry, repository, digest, signal), enabled: canPull });
  if (!canPull) return <p className="text-xs text-slate-500">{why}: what this artifact says is not shown.</p>;
  if (q.isPending) return <Loading label="Reading the document" lines={1} />;
  if (q.isError) return <ErrorPanel error={q.error} what="the document" />;
  if (q.data.documents.length === 0) return null;
  return (
    <ul className="space-y-1 text-sm" data-testid="document-summaries">
      {q.data.documents.map((d) => (
        <li key={d.layer}>{d.summary ? <SummaryLine s={d.summary} /> : <span className="text-xs text-amber-800 dark:text-amber-200">{d.error}</span>}</li>
      ))}
    </ul>
  );
}

export function SummaryLine({ s }: { s: DocumentSummary }) {
  return (
    <span className="flex flex-wrap items-center gap-2" data-testid="document-summary" data-kind={s.kind}>
      <span className="font-medium">{s.text}</span>
      {s.counts && <SeverityCounts counts={s.counts} />}
      {s.time && <span className="text-xs text-slate-500">{formatDate(s.time)}</span>}
      {s.wrappers.length > 0 && <span className="text-xs text-slate-500">in {s.wrappers.join(" › ")}</span>}
    </span>
  );
}

/** The full view of each document the artifact carries. */
export function AttachedDocuments({ registry, repository, digest }: { registry: string; repository: string; digest: string }) {
  const q = useQuery({ queryKey: ["documents", registry, repository, digest], queryFn: ({ signal }) => api.documents(registry, repository, digest, signal) });
  if (q.isPending) return <Loading label="Reading the document" lines={2} />;
  if (q.isError) return <ErrorPanel error={q.error} what="the document" />;
  const docs = q.data.documents;
  if (docs.length === 0) return null;
  const kinds = new Set(docs.map((d) => d.summary?.kind));
  return (
    <section aria-labelledby="document-heading" className="space-y-4" data-testid="attached-documents">
      <h2 id="document-heading" className="text-lg font-semibold">
        What it says
      </h2>
      {docs.map((d) => (d.error ? <p key={d.layer} className="text-sm text-amber-800 dark:text-amber-200">{d.error}</p> : null))}
      {kinds.has("scan") && <FindingsView registry={registry} repository={repository} digest={digest} />}
      {kinds.has("sbom") && <SbomView registry={registry} repository={repository} digest={digest} />}
      {kinds.has("provenance") && <ProvenanceCard registry={registry} repository={repository} digest={digest} />}
      {kinds.has("vex") && docs.filter((d) => d.summary?.kind === "vex").map((d) => <SummaryLine key={d.layer} s={d.summary!} />)}
    </section>
  );
}

const input = "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";

export function FindingsView({ registry, repository, digest }: { registry: string; repository: string; digest: string }) {
  const [sort, setSort] = useState("severity");
  const [q, setQ] = useState("");
  const [severity, setSeverity] = useState<string>("");
  const [fixable, setFixable] = useState(false);
  const [cursor, setCursor] = useState<string>();
  const params = { repository, digest, q: q || undefined, severity: severity || undefined, fixable: fixable ? "true" : undefined, sort, n: 50, cursor };
  const res = useQuery({ queryKey: ["findings", registry, params], queryFn: ({ signal }) => api.findings(registry, params, signal), placeholderData: keepPreviousData });
  if (res.isPending) return <Loading label="Reading the scan" lines={3} />;
  if (res.isError) return <ErrorPanel error={res.error} what="the scan" />;
  const d = res.data;
  const reset = () => setCursor(undefined);
  return (
    <div className="space-y-2" data-testid="findings-view">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-base font-semibold">Findings</h3>
        <SeverityCounts counts={d.counts} testId="severity-counts" />
        {d.suppressed > 0 && <Chip title="marked not_affected or fixed by a VEX document attached to the image">{d.suppressed} set aside by VEX</Chip>}
      </div>
      <p className="text-xs text-slate-500">
        {d.summary.tool}
        {d.summary.time ? ` · scanned ${formatDate(d.summary.time)} (${formatAge(d.summary.time)})` : " · scan time not given"}
        {d.summary.databaseTime ? ` · database of ${formatDate(d.summary.databaseTime)}` : ""}
        {d.sbom ? ` · joined to the image's SBOM (${d.sbom.packages} packages)` : ""}
      </p>
      <form className="flex flex-wrap items-center gap-2 text-sm" onSubmit={(e) => e.preventDefault()} aria-label="Filter findings">
        <input aria-label="Search findings" placeholder="CVE, package, title" value={q} onChange={(e) => (setQ(e.target.value), reset())} className={input} />
        <select aria-label="Severity" value={severity} onChange={(e) => (setSeverity(e.target.value), reset())} className={input}>
          <option value="">all severities</option>
          {SEVERITIES.map((s) => (
            <option key={s} value={s}>
              {s}
            </option>
          ))}
        </select>
        <label className="flex items-center gap-1">
          <input type="checkbox" checked={fixable} onChange={(e) => (setFixable(e.target.checked), reset())} /> fixable only
        </label>
        <select aria-label="Sort findings" value={sort} onChange={(e) => (setSort(e.target.value), reset())} className={input}>
          <option value="severity">by severity</option>
          <option value="score">by CVSS score</option>
          <option value="id">by vulnerability</option>
          <option value="package">by package</option>
        </select>
        <span className="ml-auto text-xs text-slate-500">{d.total} finding{d.total === 1 ? "" : "s"}</span>
      </form>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[40rem] text-left text-xs" data-testid="findings-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 pr-2">vulnerability</th>
              <th className="py-1 pr-2">severity</th>
              <th className="py-1 pr-2">package</th>
              <th className="py-1 pr-2">installed</th>
              <th className="py-1 pr-2">fixed in</th>
              {d.sbom && <th className="py-1 pr-2">in SBOM</th>}
              <th className="py-1">title</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {d.findings.map((f, i) => (
              <tr key={`${f.id}-${f.packageName}-${i}`} className={`align-top ${f.vex && f.vex.status !== "affected" && f.vex.status !== "under_investigation" ? "text-slate-400 line-through" : ""}`} data-finding={f.id}>
                <td className="py-1 pr-2 font-mono">{f.url ? <a href={f.url} rel="noreferrer noopener" target="_blank" className="text-blue-700 underline dark:text-blue-300">{f.id}</a> : f.id}</td>
                <td className="py-1 pr-2">
                  <span className={`rounded px-1 ${SEVERITY_STYLES[f.severity]}`}>{f.severity}</span>
                  {f.score !== undefined && <span className="ml-1 text-slate-500">{f.score}</span>}
                </td>
                <td className="break-all py-1 pr-2">{f.packageName ?? "—"}</td>
                <td className="break-all py-1 pr-2 font-mono">{f.installedVersion ?? "—"}</td>
                <td className="break-all py-1 pr-2 font-mono">{f.fixedVersion ?? "—"}</td>
                {d.sbom && <td className="py-1 pr-2" title={f.inSbom ? "the SBOM lists this package" : "the SBOM does not list this package"}>{f.inSbom ? "yes" : "no"}</td>}
                <td className="py-1 no-underline">
                  {f.title ?? ""}
                  {f.vex && (
                    <span className="ml-1 inline-block rounded bg-slate-100 px-1 text-slate-600 no-underline dark:bg-slate-800 dark:text-slate-300" style={{ textDecoration: "none" }}>
                      VEX: {f.vex.status.replace(/_/g, " ")}
                      {f.vex.justification ? ` (${f.vex.justification.replace(/_/g, " ")})` : ""}
                    </span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager next={d.next} cursor={cursor} setCursor={setCursor} />
    </div>
  );
}

export function SbomView({ registry, repository, digest }: { registry: string; repository: string; digest: string }) {
  const [why, setWhy] = useState<string>();
  const [sort, setSort] = useState("name");
  const [q, setQ] = useState("");
  const [ecosystem, setEcosystem] = useState("");
  const [license, setLicense] = useState("");
  const [cursor, setCursor] = useState<string>();
  const params = { repository, digest, q: q || undefined, ecosystem: ecosystem || undefined, license: license || undefined, sort, n: 50, cursor };
  const res = useQuery({ queryKey: ["sbom", registry, params], queryFn: ({ signal }) => api.sbom(registry, params, signal), placeholderData: keepPreviousData });
  if (res.isPending) return <Loading label="Reading the SBOM" lines={3} />;
  if (res.isError) return <ErrorPanel error={res.error} what="the SBOM" />;
  const d = res.data;
  const reset = () => setCursor(undefined);
  return (
    <div className="space-y-2" data-testid="sbom-view">
      <div className="flex flex-wrap items-baseline gap-2">
        <h3 className="text-base font-semibold">Packages</h3>
        <span className="text-sm text-slate-600 dark:text-slate-300">{d.summary.text}</span>
      </div>
      <p className="text-xs text-slate-500 [overflow-wrap:anywhere]">
        {d.describes ? `Describes ${d.describes}` : "Describes nothing it names"}
        {d.summary.time ? ` · created ${formatDate(d.summary.time)} (${formatAge(d.summary.time)})` : ""}
      </p>
      <p className="text-xs text-slate-500">
        Licences: {d.licenses.slice(0, 8).map((l) => `${l.name} (${l.count})`).join(", ")}
        {d.licenses.length > 8 ? `, and ${d.licenses.length - 8} more` : ""}
      </p>
      <form className="flex flex-wrap items-center gap-2 text-sm" onSubmit={(e) => e.preventDefault()} aria-label="Filter packages">
        <input aria-label="Search packages" placeholder="name, version, purl" value={q} onChange={(e) => (setQ(e.target.value), reset())} className={input} />
        <select aria-label="Ecosystem" value={ecosystem} onChange={(e) => (setEcosystem(e.target.value), reset())} className={input}>
          <option value="">all ecosystems</option>
          {d.ecosystems.map((e) => (
            <option key={e.name} value={e.name}>
              {e.name} ({e.count})
            </option>
          ))}
        </select>
        <select aria-label="Licence" value={license} onChange={(e) => (setLicense(e.target.value), reset())} className={`${input} max-w-[14rem]`}>
          <option value="">all licences</option>
          {d.licenses.map((l) => (
            <option key={l.name} value={l.name}>
              {l.name} ({l.count})
            </option>
          ))}
        </select>
        <select aria-label="Sort packages" value={sort} onChange={(e) => (setSort(e.target.value), reset())} className={input}>
          <option value="name">by name</option>
          <option value="version">by version</option>
          <option value="ecosystem">by ecosystem</option>
          <option value="license">by licence</option>
        </select>
        <span className="ml-auto text-xs text-slate-500" data-testid="package-total">
          {d.total} package{d.total === 1 ? "" : "s"}
        </span>
        <a
          href={`/api/registries/${encodeURIComponent(registry)}/sbom?${new URLSearchParams(Object.entries({ repository, digest, q, ecosystem, license, format: "csv" }).filter(([, v]) => v) as [string, string][])}`}
          className="text-xs text-blue-700 underline dark:text-blue-300"
          download
        >
          CSV
        </a>
      </form>
      {why && <WhyHere registry={registry} repository={repository} digest={digest} id={why} onClose={() => setWhy(undefined)} />}
      <div className="overflow-x-auto">
        <table className="w-full min-w-[40rem] text-left text-xs" data-testid="packages-table">
          <thead className="text-slate-500">
            <tr>
              <th className="py-1 pr-2">name</th>
              <th className="py-1 pr-2">version</th>
              <th className="py-1 pr-2">ecosystem</th>
              <th className="py-1 pr-2">licences</th>
              <th className="py-1 pr-2">supplier</th>
              <th className="py-1">purl</th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {d.packages.map((p) => (
              <tr key={p.id} className="align-top">
                <td className="break-all py-1 pr-2 font-medium">
                  {p.name}{" "}
                  {p.dependedOnBy > 0 && (
                    <button type="button" className="text-xs font-normal text-blue-700 underline dark:text-blue-300" onClick={() => setWhy(p.id)} title="the path from what the SBOM describes to this package">
                      why?
                    </button>
                  )}
                </td>
                <td className="break-all py-1 pr-2 font-mono">{p.version ?? "—"}</td>
                <td className="py-1 pr-2">{p.ecosystem ?? "—"}</td>
                <td className="break-all py-1 pr-2">{p.licenses.join(", ") || "—"}</td>
                <td className="break-all py-1 pr-2">{p.supplier ?? "—"}</td>
                <td className="break-all py-1 font-mono text-slate-500">{p.purl ?? "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager next={d.next} cursor={cursor} setCursor={setCursor} />
      <details className="text-sm" data-testid="dependency-tree">
        <summary className="cursor-pointer font-medium">Dependency tree</summary>
        <DependencyChildren registry={registry} repository={repository} digest={digest} id="root" depth={0} />
      </details>
    </div>
  );
}

/** One level of the dependency tree, fetched when opened. */
function DependencyChildren({ registry, repository, digest, id, depth }: { registry: string; repository: string; digest: string; id: string; depth: number }) {
  const res = useQuery({ queryKey: ["sbom-children", registry, repository, digest, id], queryFn: ({ signal }) => api.sbom(registry, { repository, digest, children: id, n: 1 }, signal) });
  if (res.isPending) return <p className="text-xs text-slate-500">Loading…</p>;
  if (res.isError) return <ErrorPanel error={res.error} what="the dependencies" />;
  const list = res.data.children ?? [];
  if (list.length === 0) return <p className="text-xs text-slate-500">{depth === 0 ? "The SBOM records no dependencies." : "No dependencies."}</p>;
  return (
    <ul className="ml-3 border-l border-slate-200 pl-3 text-xs dark:border-slate-800">
      {list.map((c) => (
        <li key={c.id} className="py-0.5">
          {c.dependencies > 0 && depth < 12 ? (
            <details>
              <summary className="cursor-pointer">
                {c.name} <span className="font-mono text-slate-500">{c.version}</span> <span className="text-slate-500">({c.dependencies})</span>
              </summary>
              <DependencyChildren registry={registry} repository={repository} digest={digest} id={c.id} depth={depth + 1} />
            </details>
          ) : (
            <span>
              {c.name} <span className="font-mono text-slate-500">{c.version}</span>
            </span>
          )}
        </li>
      ))}
    </ul>
  );
}

/** "Why is this here": the chain of dependencies from what the SBOM describes to the package. */
function WhyHere({ registry, repository, digest, id, onClose }: { registry: string; repository: string; digest: string; id: string; onClose: () => void }) {
  const res = useQuery({ queryKey: ["sbom-why", registry, repository, digest, id], queryFn: ({ signal }) => api.sbom(registry, { repository, digest, why: id, n: 1 }, signal) });
  return (
    <div className="rounded border border-slate-200 p-2 text-xs dark:border-slate-800" data-testid="why-here">
      {res.isPending ? (
        "Finding the path…"
      ) : res.isError ? (
        <ErrorPanel error={res.error} what="the path" />
      ) : !res.data.path?.length ? (
        "Nothing in the SBOM leads to this package: it is listed on its own."
      ) : (
        <span className="[overflow-wrap:anywhere]">{res.data.path.map((p) => `${p.name}${p.version ? ` ${p.version}` : ""}`).join(" → ")}</span>
      )}
      <button type="button" className="ml-2 underline" onClick={onClose}>
        close
      </button>
    </div>
  );
}

export function ProvenanceCard({ registry, repository, digest }: { registry: string; repository: string; digest: string }) {
  const res = useQuery({ queryKey: ["provenance", registry, repository, digest], queryFn: ({ signal }) => api.provenance(registry, repository, digest, signal) });
  if (res.isPending) return <Loading label="Reading the provenance" lines={2} />;
  if (res.isError) return <ErrorPanel error={res.error} what="the provenance" />;
  const { provenance: p, summary, subjectMatches, subject } = res.data;
  return (
    <div className="space-y-2 rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="provenance-card">
      <div className="flex flex-wrap items-center gap-2">
        <h3 className="text-base font-semibold">Provenance</h3>
        <span>{summary.text}</span>
        {subjectMatches === true && <Chip tone="green">about this image</Chip>}
        {subjectMatches === false && (
          <Chip tone="red" title={`the statement names none of ${subject ? shortDigest(subject) : "the subject"} and its platform manifests`}>
            about another artifact
          </Chip>
        )}
      </div>
      <dl className="grid grid-cols-[7rem_minmax(0,1fr)] gap-x-2 gap-y-0.5 text-xs [overflow-wrap:anywhere]">
        <dt className="text-slate-500">builder</dt>
        <dd>{p.builderId || "—"}</dd>
        <dt className="text-slate-500">build type</dt>
        <dd>{p.buildType ?? "—"}</dd>
        <dt className="text-slate-500">source</dt>
        <dd>{p.source ? `${p.source.uri}${p.source.commit ? ` @ ${p.source.commit}` : ""}` : "—"}</dd>
        <dt className="text-slate-500">entry point</dt>
        <dd>{p.entryPoint ?? "—"}</dd>
        <dt className="text-slate-500">built</dt>
        <dd>{p.startedOn || p.finishedOn ? `${formatDate(p.startedOn)} – ${formatDate(p.finishedOn)}` : "—"}</dd>
        <dt className="text-slate-500">materials</dt>
        <dd>
          {p.materials.length === 0 ? "—" : (
            <ul>
              {p.materials.map((m) => (
                <li key={m.uri}>{m.uri}</li>
              ))}
            </ul>
          )}
        </dd>
      </dl>
    </div>
  );
}

function Pager({ next, cursor, setCursor }: { next?: string; cursor?: string; setCursor: (c: string | undefined) => void }) {
  if (!next && !cursor) return null;
  return (
    <div className="flex gap-2 text-sm">
      <button type="button" className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40 dark:border-slate-700" disabled={!cursor} onClick={() => setCursor(undefined)}>
        First page
      </button>
      <button type="button" className="rounded border border-slate-300 px-2 py-0.5 disabled:opacity-40 dark:border-slate-700" disabled={!next} onClick={() => setCursor(next)}>
        Next page
      </button>
    </div>
  );
}

/**
 * The image's header line: "SBOM: 63 packages (CycloneDX 1.4, cyclonedx-php-composer) · newest scan: 0 critical,
 * 0 high (Trivy, 3 days ago) · provenance: GitHub Actions, github.com/acme/app@3f2c1e". Each part links to its artifact.
 */
export function ImageSummaryLine({ registry, repository, reference, canPull }: { registry: string; repository: string; reference: string; canPull: boolean }) {
  const q = useQuery({ queryKey: ["summary", registry, repository, reference], queryFn: ({ signal }) => api.summary(registry, repository, reference, signal), enabled: canPull });
  if (!canPull || !q.data) return null;
  const { sbom, scan, provenance } = q.data;
  const parts: { key: string; digest: string; text: string }[] = [];
  if (sbom) parts.push({ key: "sbom", digest: sbom.digest, text: `SBOM: ${sbom.packages} packages (${sbom.format}${sbom.tool ? `, ${sbom.tool}` : ""})` });
  if (scan?.counts) parts.push({ key: "scan", digest: scan.digest, text: `newest scan: ${scan.counts.critical} critical, ${scan.counts.high} high (${scan.tool?.split(" ")[0] ?? "scanner"}, ${formatAge(scan.time)})` });
  if (provenance) parts.push({ key: "provenance", digest: provenance.digest, text: `provenance: ${provenance.builder}${provenance.source ? `, ${provenance.source}` : ""}` });
  // Metadata added afterwards: the newest of each (lib/metadata).
  const m = q.data.metadata;
  const metaDigest = (v: { from?: string } | undefined) => v?.from ?? q.data.digest;
  if (m?.deletionDate) parts.push({ key: "deletion-date", digest: metaDigest(m.deletionDate), text: `deletion date ${m.deletionDate.value}${Date.parse(m.deletionDate.value) < Date.now() ? " (passed)" : ""}` });
  if (m?.supersededBy) parts.push({ key: "superseded", digest: metaDigest(m.supersededBy), text: `superseded by ${m.supersededBy.value}` });
  for (const r of m?.reviews ?? []) parts.push({ key: `review ${r.environment ?? ""}`, digest: r.digest, text: `${r.status}${r.environment ? ` for ${r.environment}` : ""}${r.by ? ` by ${r.by}` : ""}` });
  if (parts.length === 0) return null;
  return (
    <p className="mt-1 text-sm text-slate-600 [overflow-wrap:anywhere] dark:text-slate-300" data-testid="image-summary">
      {parts.map((p, i) => (
        <span key={p.key} data-part={p.key}>
          {i > 0 && " · "}
          <a href={`/r/${encodeURIComponent(registry)}/${repository}/@${p.digest}`} className="hover:underline">
            {p.text}
          </a>
        </span>
      ))}
    </p>
  );
}
