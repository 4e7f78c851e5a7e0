"use client";

import { useUrlParams } from "../use-url-params";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { RetentionReason } from "@/lib/lifecycle/retention";
import type { RetentionResponse } from "@/lib/server/api/retention";
import { useRights } from "../account/use-rights";
import { apiGet, href } from "../api";
import { formatBytes, formatDate, shortDigest } from "../format";
import { EmptyState, ErrorPanel, Loading } from "../ui/primitives";
import { DeleteDialog } from "./delete-dialog";

const REASONS: Record<RetentionReason, string> = {
  "older-than": "older than the limit",
  "deletion-date-passed": "deletion date passed",
  superseded: "superseded by a newer version",
  "untagged-subject": "untagged, kept only by referrers",
  "dangling-referrers": "dangling referrers (subject gone)",
};

/**
 * What cleanup could remove in a repository (or a namespace), and why.
 * Rows can be selected for a delete through the same plan (one plan per repository).
 */
export function RetentionView({ registry, repository, prefix }: { registry: string; repository?: string; prefix?: string }) {
  const { params, set } = useUrlParams();
  const days = params.get("days") ?? "";
  const reason = (params.get("reason") ?? "") as RetentionReason | "";
  const keep = params.get("keep") ?? "";
  // Selected rows as "repository@digest"; a namespace selection is deleted one repository (one plan) at a time.
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [deleting, setDeleting] = useState(false);
  const key = (repo: string, digest: string) => `${repo}@${digest}`;
  const groups = new Map<string, string[]>();
  for (const k of selected) {
    const i = k.indexOf("@");
    groups.set(k.slice(0, i), [...(groups.get(k.slice(0, i)) ?? []), k.slice(i + 1)]);
  }
  const currentRepo = [...groups.keys()].sort()[0];
  const rights = useRights(registry, repository);
  const report = useQuery({
    queryKey: ["retention", registry, repository, prefix, days, keep],
    queryFn: ({ signal }) =>
      apiGet<RetentionResponse>(`/api/registries/${encodeURIComponent(registry)}/retention`, { repository, prefix: repository ? undefined : prefix || undefined, olderThanDays: days || undefined, keep: keep || undefined }, signal),
  });
  const rows = (report.data?.rows ?? []).filter((r) => !reason || r.reasons.some((x) => x.reason === reason));
  return (
    <section aria-label="Cleanup candidates" className="space-y-3">
      <div className="flex flex-wrap items-end gap-3 text-sm">
        <UrlNumberField label="Older than (days)" min={1} value={days} placeholder={report.data?.olderThanDays ?? 90} onCommit={(v) => set({ days: v })} />
        <UrlNumberField label="Keep newest per repository" min={0} value={keep} placeholder={report.data?.keepNewest ?? 1} onCommit={(v) => set({ keep: v })} />
        <label className="flex flex-col gap-1">
          <span className="text-xs text-slate-500">Reason</span>
          <select value={reason} onChange={(e) => set({ reason: e.target.value || undefined })} className="rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900">
            <option value="">every reason</option>
            {Object.entries(REASONS).map(([k, v]) => (
              <option key={k} value={k}>
                {v}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={selected.size === 0 || (!!repository && !rights.has("delete"))}
          title={rights.has("delete") ? "Each repository's plan is shown before anything is deleted" : rights.why("delete")}
          onClick={() => setDeleting(true)}
          className="rounded-md border border-red-300 px-2 py-1 text-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-300"
        >
          Delete selected ({selected.size}){groups.size > 1 ? ` in ${groups.size} repositories` : ""}…
        </button>
      </div>
      {deleting && currentRepo && (
        <DeleteDialog
          key={currentRepo}
          registry={registry}
          repository={currentRepo}
          digests={groups.get(currentRepo)!}
          onClose={() => {
            // Next repository of the selection, if any.
            const rest = new Set([...selected].filter((k) => !k.startsWith(`${currentRepo}@`)));
            setSelected(rest);
            if (rest.size === 0) setDeleting(false);
          }}
        />
      )}
      {report.isPending ? (
        <Loading label="Looking for cleanup candidates" lines={6} />
      ) : report.isError ? (
        <ErrorPanel error={report.error} what="the cleanup candidates" />
      ) : (
        <>
          {report.data.warnings.length > 0 && <ul className="text-xs text-amber-800 dark:text-amber-200">{report.data.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
          <p className="text-sm text-slate-600 dark:text-slate-300" data-testid="retention-summary">
            {report.data.rows.length} candidate{report.data.rows.length === 1 ? "" : "s"}
            {report.data.rows.length > 0 ? ` · deleting all would free ${formatBytes(report.data.freedBytesTotal)} (shared layers counted once)` : ""} · {report.data.keptNewest} kept as the newest{" "}
            {report.data.keepNewest} of their repository
            {report.data.protected > 0 ? ` · ${report.data.protected} protected (${[report.data.protect.tags.length ? `tags ${report.data.protect.tags.join(", ")}` : "", report.data.protect.signed ? "signed" : ""].filter(Boolean).join("; ")})` : ""}
          </p>
          {rows.length === 0 ? (
            <EmptyState title="Nothing to clean up here">
              No artifact is older than {report.data.olderThanDays} days, past its deletion date, superseded, untagged and kept by referrers, or dangling.
            </EmptyState>
          ) : (
            <div className="overflow-x-auto rounded-lg border border-slate-200 dark:border-slate-800">
              <table className="w-full text-left text-sm" data-testid="retention-table">
                <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500 dark:bg-slate-900">
                  <tr>
                    <th className="w-8 px-2 py-2">
                      <span className="sr-only">Select</span>
                    </th>
                    {!repository && <th className="px-2 py-2">Repository</th>}
                    <th className="px-2 py-2">Artifact</th>
                    <th className="px-2 py-2">Tags</th>
                    <th className="px-2 py-2">Created</th>
                    <th className="px-2 py-2 text-right" title="Config and layers; an index: every platform, shared layers once">
                      Size
                    </th>
                    <th className="px-2 py-2 text-right" title="Blobs no other tagged image of the repository uses">
                      Frees
                    </th>
                    <th className="px-2 py-2">Why</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
                  {rows.map((r) => {
                    const dangling = r.reasons.some((x) => x.reason === "dangling-referrers");
                    return (
                      <tr key={`${r.repository}-${r.digest}`} className="align-top">
                        <td className="px-2 py-1">
                          <input
                            type="checkbox"
                            aria-label={`Select ${r.tags[0] ?? shortDigest(r.digest)} (${r.reasons.map((x) => REASONS[x.reason]).join(", ")})`}
                            checked={selected.has(key(r.repository, r.digest))}
                            onChange={() =>
                              setSelected((s) => {
                                const next = new Set(s);
                                const k = key(r.repository, r.digest);
                                if (next.has(k)) next.delete(k);
                                else next.add(k);
                                return next;
                              })
                            }
                          />
                        </td>
                        {!repository && (
                          <td className="px-2 py-1 font-mono text-xs">
                            <Link href={`${href.repository(registry, r.repository)}?view=cleanup`} className="text-blue-700 hover:underline dark:text-blue-300">
                              {r.repository}
                            </Link>
                          </td>
                        )}
                        <td className="px-2 py-1 text-xs">
                          {dangling ? (
                            <span className="font-mono">{shortDigest(r.digest)}</span>
                          ) : (
                            <Link href={href.artifact(registry, r.repository, r.digest)} className="font-mono text-blue-700 hover:underline dark:text-blue-300">
                              {shortDigest(r.digest)}
                            </Link>
                          )}{" "}
                          {r.label}
                        </td>
                        <td className="px-2 py-1 font-mono text-xs">{r.tags.join(", ") || "—"}</td>
                        <td className="px-2 py-1 text-xs tabular-nums">{formatDate(r.created)}</td>
                        <td className="px-2 py-1 text-right text-xs tabular-nums">{formatBytes(r.size)}</td>
                        <td className="px-2 py-1 text-right text-xs tabular-nums">{formatBytes(r.freedBytes)}</td>
                        <td className="px-2 py-1 text-xs">
                          <ul className="space-y-0.5">
                            {r.reasons.map((x, i) => (
                              <li key={i}>
                                <span className="font-medium">{REASONS[x.reason]}</span>: {x.detail}
                              </li>
                            ))}
                          </ul>
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </section>
  );
}

/** A number held in the address: typed freely, written to the address on Enter or when the field is left. */
function UrlNumberField({ label, min, value, placeholder, onCommit }: { label: string; min: number; value: string; placeholder: number; onCommit: (v: string | undefined) => void }) {
  const [input, setInput] = useState(value);
  return (
    <label className="flex flex-col gap-1">
      <span className="text-xs text-slate-500">{label}</span>
      <input
        type="number"
        min={min}
        value={input}
        placeholder={String(placeholder)}
        onChange={(e) => setInput(e.target.value)}
        onBlur={() => onCommit(input || undefined)}
        onKeyDown={(e) => e.key === "Enter" && onCommit(input || undefined)}
        className="w-24 rounded-md border border-slate-300 bg-white px-2 py-1 dark:border-slate-700 dark:bg-slate-900"
      />
    </label>
  );
}
