"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { Finding } from "@/lib/documents/model";
import type { PackageChange } from "@/lib/documents/diff";
import { api, href } from "../api";
import { shortDigest } from "../format";
import { useUrlParams } from "../use-url-params";
import { SEVERITY_STYLES } from "../documents/document-views";
import { VerdictChip } from "../verification/verdict";
import { signerText } from "@/lib/verification/verdict";
import type { Verdict } from "@/lib/verification/verdict";
import { EmptyState, ErrorPanel, Loading } from "../ui/primitives";

/** Two versions of an image: pick them (the choice lives in the address), then what changed. */
export function DiffView({ registry, repository }: { registry: string; repository: string }) {
  const { params, set } = useUrlParams();
  const from = params.get("from") ?? "";
  const to = params.get("to") ?? "";
  const [draft, setDraft] = useState({ from, to });
  return (
    <div className="space-y-4">
      <form
        aria-label="Versions to compare"
        className="flex flex-wrap items-end gap-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          set({ from: draft.from.trim() || undefined, to: draft.to.trim() || undefined });
        }}
      >
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">from (older)</span>
          <input aria-label="From" value={draft.from} onChange={(e) => setDraft({ ...draft, from: e.target.value })} placeholder="tag or digest" className="rounded-md border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-700 dark:bg-slate-900" />
        </label>
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">to (newer)</span>
          <input aria-label="To" value={draft.to} onChange={(e) => setDraft({ ...draft, to: e.target.value })} placeholder="tag or digest" className="rounded-md border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-700 dark:bg-slate-900" />
        </label>
        <button type="submit" className="rounded-md border border-slate-400 px-3 py-1 hover:bg-slate-100 dark:hover:bg-slate-800">
          Compare
        </button>
      </form>
      {from && to ? <DiffResult registry={registry} repository={repository} from={from} to={to} /> : <EmptyState title="Pick two versions">Give two tags or digests of {repository}, the older first.</EmptyState>}
    </div>
  );
}

function DiffResult({ registry, repository, from, to }: { registry: string; repository: string; from: string; to: string }) {
  const q = useQuery({ queryKey: ["diff", registry, repository, from, to], queryFn: ({ signal }) => api.diff(registry, repository, from, to, signal) });
  if (q.isPending) return <Loading label="Comparing the two versions" lines={4} />;
  if (q.isError) return <ErrorPanel error={q.error} what={`${from} and ${to}`} />;
  const d = q.data;
  return (
    <div className="space-y-5" data-testid="diff-result">
      <div className="grid gap-2 text-sm sm:grid-cols-2">
        {[d.from, d.to].map((s, i) => (
          <div key={i} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
            <p className="font-mono font-semibold">
              <Link href={href.artifact(registry, repository, s.reference)} className="hover:underline">
                {s.reference}
              </Link>{" "}
              <span className="text-xs font-normal text-slate-500">{shortDigest(s.digest)}</span>
            </p>
            <p className="text-xs text-slate-600 dark:text-slate-300">{[s.sbom?.text, s.scan?.text, s.provenance?.text].filter(Boolean).join(" · ") || "no SBOM, scan or provenance"}</p>
            <p className="mt-1 flex flex-wrap items-center gap-2 text-xs">
              {s.verdict ? <VerdictChip verdict={s.verdict as Verdict} /> : <span className="text-slate-500">unsigned</span>}
              {s.signers.map(signerText).join(" and ")}
            </p>
          </div>
        ))}
      </div>
      {d.notes.length > 0 && <p className="text-xs text-slate-500">{d.notes.join("; ")}.</p>}
      {d.findings && (
        <section aria-label="Findings" data-testid="diff-findings">
          <h2 className="text-base font-semibold">
            Findings: {d.findings.totals.added} new, {d.findings.totals.fixed} fixed, {d.findings.unchanged} unchanged
          </h2>
          <div className="grid gap-3 md:grid-cols-2">
            <FindingList title="New" findings={d.findings.added} testId="findings-new" />
            <FindingList title="Fixed" findings={d.findings.fixed} testId="findings-fixed" />
          </div>
        </section>
      )}
      {d.packages && (
        <section aria-label="Packages" data-testid="diff-packages">
          <h2 className="text-base font-semibold">
            Packages: {d.packages.totals.added} added, {d.packages.totals.removed} removed, {d.packages.totals.changed} changed version, {d.packages.unchanged} unchanged
          </h2>
          <div className="grid gap-3 md:grid-cols-3">
            <PackageList title="Added" list={d.packages.added} testId="packages-added" />
            <PackageList title="Removed" list={d.packages.removed} testId="packages-removed" />
            <PackageList title="Changed version" list={d.packages.changed} testId="packages-changed" />
          </div>
        </section>
      )}
      {d.provenance && (
        <section aria-label="Provenance" className="text-sm">
          <h2 className="text-base font-semibold">Provenance</h2>
          <p>
            Source {d.provenance.sourceChanged ? "changed" : "unchanged"}: {d.provenance.from?.source ?? "—"}
            {d.provenance.from?.commit ? `@${d.provenance.from.commit.slice(0, 7)}` : ""} → {d.provenance.to?.source ?? "—"}
            {d.provenance.to?.commit ? `@${d.provenance.to.commit.slice(0, 7)}` : ""}
          </p>
          <p>
            Builder {d.provenance.builderChanged ? "changed" : "unchanged"}: {d.provenance.from?.builder ?? "—"} → {d.provenance.to?.builder ?? "—"}
          </p>
        </section>
      )}
      {(d.signers.added.length > 0 || d.signers.removed.length > 0) && (
        <section aria-label="Signers" className="text-sm">
          <h2 className="text-base font-semibold">Signers</h2>
          {d.signers.added.length > 0 && <p>Now also signed by {d.signers.added.map(signerText).join(", ")}.</p>}
          {d.signers.removed.length > 0 && <p>No longer signed by {d.signers.removed.map(signerText).join(", ")}.</p>}
        </section>
      )}
    </div>
  );
}

function FindingList({ title, findings, testId }: { title: string; findings: Finding[]; testId: string }) {
  return (
    <div>
      <h3 className="text-sm font-semibold">{title}</h3>
      {findings.length === 0 ? (
        <p className="text-xs text-slate-500">None.</p>
      ) : (
        <ul className="text-xs" data-testid={testId}>
          {findings.map((f, i) => (
            <li key={`${f.id}-${f.packageName}-${i}`} className="flex flex-wrap gap-2 py-0.5">
              <span className={`rounded px-1 ${SEVERITY_STYLES[f.severity]}`}>{f.severity}</span>
              <span className="font-mono">{f.id}</span>
              <span className="text-slate-500">{f.packageName}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PackageList({ title, list, testId }: { title: string; list: PackageChange[]; testId: string }) {
  return (
    <div>
      <h3 className="text-sm font-semibold">{title}</h3>
      {list.length === 0 ? (
        <p className="text-xs text-slate-500">None.</p>
      ) : (
        <ul className="text-xs [overflow-wrap:anywhere]" data-testid={testId}>
          {list.map((p, i) => (
            <li key={`${p.name}-${i}`} className="py-0.5">
              {p.name} <span className="font-mono text-slate-500">{p.from && p.to ? `${p.from} → ${p.to}` : (p.to ?? p.from)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
