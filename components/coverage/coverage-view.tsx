"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { CoverageCounts, CoverageGroup, PolicyCounts, TrendPoint } from "@/lib/index/coverage";
import { RULE_LABELS } from "@/lib/policy/evaluate";
import type { CoverageResponse } from "@/lib/server/api/coverage";
import { api, apiPath, href } from "../api";
import { formatAge, shortDigest } from "../format";
import { OutcomeChip } from "../policy/policy-section";
import { EmptyState, ErrorPanel, Loading } from "../ui/primitives";
import { useUrlParams } from "../use-url-params";

/**
 * The team lead's view: for the images in scope, the share signed and
 * verified, described, scanned lately and with provenance, and how many pass
 * each policy; by registry, then namespace, then repository (click to go
 * down); a policy picked lists the images that do not pass it, with the
 * failing rule and a link to its evidence.
 */

const FACTS: { key: keyof CoverageCounts; label: string }[] = [
  { key: "signed", label: "Signed & verified" },
  { key: "sbom", label: "SBOM" },
  { key: "scanned", label: "Scanned" },
  { key: "provenance", label: "Provenance" },
];

function share(n: number, of: number): string {
  return of === 0 ? "—" : `${Math.round((n / of) * 100)}%`;
}

function Share({ n, of }: { n: number; of: number }) {
  const pct = of === 0 ? 0 : (n / of) * 100;
  return (
    <span className="inline-flex min-w-[5.5rem] flex-col gap-0.5" title={`${n} of ${of}`}>
      <span className="tabular-nums">
        {share(n, of)} <span className="text-xs text-slate-500">{n}/{of}</span>
      </span>
      <span className="h-1 w-full rounded bg-slate-200 dark:bg-slate-700" aria-hidden>
        <span className="block h-1 rounded bg-emerald-500" style={{ width: `${pct}%` }} />
      </span>
    </span>
  );
}

function PolicyCell({ p }: { p?: PolicyCounts }) {
  if (!p) return <span className="text-xs text-slate-400">not in scope</span>;
  return (
    <span className="inline-flex flex-wrap items-center gap-1 text-xs tabular-nums" title={`${p.pass} pass, ${p.fail} fail, ${p.unknown} unknown of ${p.images}`}>
      <span className="font-medium">{share(p.pass, p.images)}</span>
      <OutcomeChip outcome="pass" prefix={String(p.pass)} />
      {p.fail > 0 && <OutcomeChip outcome="fail" prefix={String(p.fail)} />}
      {p.unknown > 0 && <OutcomeChip outcome="unknown" prefix={String(p.unknown)} />}
    </span>
  );
}

/** A small line chart of shares per day; no charting library for a few dozen points. */
function Trend({ points, policy }: { points: TrendPoint[]; policy?: string }) {
  if (points.length === 0) return <p className="text-xs text-slate-500">No daily snapshot yet: the server keeps one after each complete walk of the index.</p>;
  const series = policy
    ? [{ label: `passing ${policy}`, color: "#059669", value: (p: TrendPoint) => (p.passing! + p.failing! + p.unknown! ? p.passing! / (p.passing! + p.failing! + p.unknown!) : 0) }]
    : [
        { label: "signed & verified", color: "#059669", value: (p: TrendPoint) => (p.images ? p.signed / p.images : 0) },
        { label: "SBOM", color: "#0284c7", value: (p: TrendPoint) => (p.images ? p.sbom / p.images : 0) },
        { label: "scanned", color: "#d97706", value: (p: TrendPoint) => (p.images ? p.scanned / p.images : 0) },
      ];
  const w = 320;
  const h = 64;
  const x = (i: number) => (points.length === 1 ? w / 2 : (i / (points.length - 1)) * (w - 8) + 4);
  const y = (v: number) => h - 4 - v * (h - 8);
  return (
    <figure className="space-y-1" data-testid="coverage-trend">
      <svg viewBox={`0 0 ${w} ${h}`} className="h-16 w-full max-w-sm" role="img" aria-label={`trend over ${points.length} day${points.length === 1 ? "" : "s"}`}>
        <line x1={0} x2={w} y1={y(1)} y2={y(1)} stroke="currentColor" strokeOpacity={0.15} />
        <line x1={0} x2={w} y1={y(0)} y2={y(0)} stroke="currentColor" strokeOpacity={0.15} />
        {series.map((s) => (
          <g key={s.label}>
            <polyline fill="none" stroke={s.color} strokeWidth={2} points={points.map((p, i) => `${x(i)},${y(s.value(p))}`).join(" ")} />
            {points.map((p, i) => (
              <circle key={p.day} cx={x(i)} cy={y(s.value(p))} r={2.5} fill={s.color}>
                <title>{`${p.day}: ${s.label} ${Math.round(s.value(p) * 100)}%`}</title>
              </circle>
            ))}
          </g>
        ))}
      </svg>
      <figcaption className="flex flex-wrap gap-3 text-xs text-slate-500">
        <span>
          {points[0].day}
          {points.length > 1 ? ` → ${points[points.length - 1].day}` : " (first snapshot)"}
        </span>
        {series.map((s) => (
          <span key={s.label} className="inline-flex items-center gap-1">
            <span className="inline-block h-2 w-2 rounded-full" style={{ background: s.color }} aria-hidden />
            {s.label}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}

export function CoverageView() {
  const { params, set } = useUrlParams();
  const registry = params.get("registry") ?? undefined;
  const prefix = params.get("prefix") ?? undefined;
  const policy = params.get("policy") ?? undefined;
  const scanDays = Number(params.get("scanDays") ?? 30) || 30;
  const q = useQuery({
    queryKey: ["coverage", registry, prefix, policy, scanDays],
    queryFn: ({ signal }) => api.coverage({ registry, prefix, policy, scanDays }, signal),
    refetchInterval: (query) => (query.state.data && !query.state.data.asOf ? 3_000 : false),
  });
  if (q.isPending) return <Loading label="Counting coverage" lines={5} />;
  if (q.isError) return <ErrorPanel error={q.error} what="the coverage" />;
  const d = q.data;
  const level = !registry ? "registry" : !prefix ? "namespace" : "repository";
  const rows: { key: string; name: string; group: CoverageGroup; go: () => void; link?: string }[] =
    level === "registry"
      ? d.registries.map((r) => ({ key: r.registry, name: r.registry, group: r, go: () => set({ registry: r.registry, prefix: undefined }) }))
      : level === "namespace"
        ? (d.registries[0]?.namespaces ?? []).map((n) => ({ key: n.namespace, name: `${n.namespace}/`, group: n, go: () => set({ prefix: `${n.namespace}/` }) }))
        : d.registries.flatMap((r) => r.namespaces.flatMap((n) => n.repositories.map((repo) => ({ key: repo.repository, name: repo.repository, group: repo, go: () => undefined, link: href.repository(r.registry, repo.repository) }))));
  const policies = d.policies;
  const t = d.totals;
  return (
    <div className="space-y-5" data-testid="coverage">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <nav aria-label="Coverage level" className="flex flex-wrap items-center gap-1">
          <button type="button" className="text-blue-700 hover:underline dark:text-blue-300" onClick={() => set({ registry: undefined, prefix: undefined })}>
            All registries
          </button>
          {registry && (
            <>
              <span aria-hidden>›</span>
              <button type="button" className="font-mono text-blue-700 hover:underline dark:text-blue-300" onClick={() => set({ prefix: undefined })}>
                {registry}
              </button>
            </>
          )}
          {prefix && (
            <>
              <span aria-hidden>›</span>
              <span className="font-mono">{prefix}</span>
            </>
          )}
        </nav>
        <label className="ml-auto flex items-center gap-1">
          Policy
          <select className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900" value={policy ?? ""} onChange={(e) => set({ policy: e.target.value || undefined })}>
            <option value="">(shares only)</option>
            {policies.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
                {p.mode === "audit" ? " (audit)" : ""}
              </option>
            ))}
          </select>
        </label>
        <label className="flex items-center gap-1">
          Scanned within
          <select className="rounded border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900" value={scanDays} onChange={(e) => set({ scanDays: e.target.value === "30" ? undefined : e.target.value })}>
            {[7, 30, 90, 365].map((n) => (
              <option key={n} value={n}>
                {n} days
              </option>
            ))}
          </select>
        </label>
      </div>
      <p className="flex flex-wrap gap-3 text-xs text-slate-600 dark:text-slate-300">
        {d.asOf ? <span title={d.asOf}>index as of {formatAge(d.asOf)}</span> : <span>the index has not finished its first walk: counts grow as it goes</span>}
        <a className="text-blue-700 hover:underline dark:text-blue-300" href={apiPath("/api/coverage", { registry, prefix, policy, scanDays, format: "csv" })}>
          CSV
        </a>
        <a className="text-blue-700 hover:underline dark:text-blue-300" href={apiPath("/api/coverage", { registry, prefix, policy, scanDays })}>
          JSON
        </a>
      </p>
      {t.counts.images === 0 ? (
        <EmptyState title="No image to count">The index holds no tagged image you may read here{prefix ? ` under ${prefix}` : ""}.</EmptyState>
      ) : (
        <>
          <section aria-label="Totals" className="grid grid-cols-2 gap-3 md:grid-cols-5" data-testid="coverage-totals">
            <div className="rounded border border-slate-200 p-3 dark:border-slate-800">
              <div className="text-xs text-slate-500">Images</div>
              <div className="text-2xl font-semibold tabular-nums">{t.counts.images}</div>
            </div>
            {FACTS.map((f) => (
              <div key={f.key} className="rounded border border-slate-200 p-3 dark:border-slate-800" data-testid={`total-${f.key}`}>
                <div className="text-xs text-slate-500">{f.key === "scanned" ? `Scanned ≤ ${d.scanDays} days` : f.label}</div>
                <div className="text-2xl font-semibold tabular-nums">{share(t.counts[f.key], t.counts.images)}</div>
                <div className="text-xs text-slate-500 tabular-nums">
                  {t.counts[f.key]} of {t.counts.images}
                </div>
              </div>
            ))}
          </section>
          <Trend points={d.trend} policy={policy} />
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm" data-testid="coverage-table">
              <thead className="text-xs uppercase text-slate-500">
                <tr>
                  <th className="px-2 py-2">{level}</th>
                  <th className="px-2 py-2">Images</th>
                  {FACTS.map((f) => (
                    <th key={f.key} className="px-2 py-2">
                      {f.label}
                    </th>
                  ))}
                  {policies.map((p) => (
                    <th key={p.name} className="px-2 py-2 normal-case">
                      {p.name}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                {rows.map((r) => (
                  <tr key={r.key} className="align-top" data-testid="coverage-row" data-name={r.name}>
                    <td className="px-2 py-2 font-mono">
                      {r.link ? (
                        <Link href={r.link} className="text-blue-700 hover:underline dark:text-blue-300">
                          {r.name}
                        </Link>
                      ) : (
                        <button type="button" onClick={r.go} className="text-left text-blue-700 hover:underline dark:text-blue-300">
                          {r.name}
                        </button>
                      )}
                    </td>
                    <td className="px-2 py-2 tabular-nums">{r.group.counts.images}</td>
                    {FACTS.map((f) => (
                      <td key={f.key} className="px-2 py-2">
                        <Share n={r.group.counts[f.key]} of={r.group.counts.images} />
                      </td>
                    ))}
                    {policies.map((p) => (
                      <td key={p.name} className="px-2 py-2">
                        <PolicyCell p={r.group.policies.find((x) => x.policy === p.name)} />
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {policy && <NotPassing d={d} policy={policy} />}
        </>
      )}
    </div>
  );
}

function NotPassing({ d, policy }: { d: CoverageResponse; policy: string }) {
  return (
    <section aria-labelledby="not-passing-heading" className="space-y-2" data-testid="not-passing">
      <h2 id="not-passing-heading" className="text-lg font-semibold">
        Not passing {policy} ({d.notPassing.length}
        {d.notPassingTruncated ? "+" : ""})
      </h2>
      {d.notPassing.length === 0 ? (
        <p className="text-sm text-slate-600 dark:text-slate-300">Every image in scope passes.</p>
      ) : (
        <ul className="space-y-2">
          {d.notPassing.map((f) => (
            <li key={`${f.registry}/${f.repository}@${f.digest}`} className="rounded border border-slate-200 p-2 text-sm dark:border-slate-800" data-testid="not-passing-image">
              <div className="flex flex-wrap items-center gap-2">
                <OutcomeChip outcome={f.outcome} />
                <Link href={href.artifact(f.registry, f.repository, f.tags[0] ?? f.digest)} className="font-mono text-blue-700 hover:underline [overflow-wrap:anywhere] dark:text-blue-300">
                  {f.registry}/{f.repository}:{f.tags.join(", ")}
                </Link>
                <span className="font-mono text-xs text-slate-500">{shortDigest(f.digest)}</span>
              </div>
              <ul className="mt-1 space-y-0.5 text-xs text-slate-700 dark:text-slate-300">
                {f.rules.map((r) => (
                  <li key={r.rule} className="[overflow-wrap:anywhere]">
                    <span className="font-medium">{RULE_LABELS[r.rule]}</span> ({r.outcome}): {r.reason}
                    {r.evidence[0] && (
                      <Link href={`${href.artifact(f.registry, f.repository, f.tags[0] ?? f.digest)}?node=${encodeURIComponent(r.evidence[0])}`} className="ml-2 font-mono text-blue-700 hover:underline dark:text-blue-300">
                        {shortDigest(r.evidence[0])}
                      </Link>
                    )}
                  </li>
                ))}
              </ul>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
