"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { PromotionPlanResponse, PromotionResponse } from "@/lib/server/api/promote";
import { api, apiPost } from "../api";
import { formatBytes, shortDigest } from "../format";
import { ErrorPanel, Loading } from "../ui/primitives";

/**
 * "Promote…": pick where to (registry, repository, tag), see the plan (what
 * the target lacks, what moves, what is skipped), confirm, then what was
 * written. Nothing is written before the confirmation; the server checks the
 * promote right and plans again before it writes.
 */
export function PromoteDialog({ registry, repository, reference, defaultTag, onClose }: { registry: string; repository: string; reference: string; defaultTag?: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const registries = useQuery({ queryKey: ["registries"], queryFn: ({ signal }) => api.registries(signal) });
  const [target, setTarget] = useState({ registry, repository: "", tag: defaultTag ?? "", referrers: true });
  const body = () => ({ repository, reference, targetRegistry: target.registry, targetRepository: target.repository.trim(), targetTag: target.tag.trim() || undefined, referrers: target.referrers });
  const base = `/api/registries/${encodeURIComponent(registry)}`;
  const plan = useMutation({ mutationFn: () => apiPost<PromotionPlanResponse>(`${base}/promotion-plan`, body()) });
  const run = useMutation({ mutationFn: () => apiPost<PromotionResponse>(`${base}/promote`, body()) });
  const close = () => {
    if (run.data) void queryClient.invalidateQueries();
    onClose();
  };
  const p = plan.data;
  const input = "rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";
  return (
    <div role="dialog" aria-modal="true" aria-labelledby="promote-title" className="fixed inset-0 z-50 flex items-start justify-center overflow-y-auto bg-black/40 p-4">
      <div className="mt-8 w-full max-w-3xl space-y-4 rounded-lg bg-white p-5 shadow-xl dark:bg-slate-900" data-testid="promote-dialog">
        <div className="flex items-start gap-2">
          <h2 id="promote-title" className="text-lg font-semibold">
            Promote <span className="font-mono">{repository}{reference.startsWith("sha256:") ? `@${shortDigest(reference)}` : `:${reference}`}</span>
          </h2>
          <button type="button" onClick={close} aria-label="Close" className="ml-auto rounded px-2 hover:bg-slate-100 dark:hover:bg-slate-800">
            ✕
          </button>
        </div>
        {run.data ? (
          <Result result={run.data} onClose={close} />
        ) : (
          <>
            <form
              className="flex flex-wrap items-end gap-3 text-sm"
              onSubmit={(e) => {
                e.preventDefault();
                run.reset();
                plan.mutate();
              }}
            >
              <label className="flex flex-col gap-1">
                To registry
                <select className={input} value={target.registry} onChange={(e) => setTarget({ ...target, registry: e.target.value })}>
                  {(registries.data?.registries ?? [{ id: registry, name: registry }]).map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name}
                    </option>
                  ))}
                </select>
              </label>
              <label className="flex min-w-[12rem] flex-1 flex-col gap-1">
                Repository
                <input required className={`${input} font-mono`} value={target.repository} placeholder="prod/net-monitor" onChange={(e) => setTarget({ ...target, repository: e.target.value })} />
              </label>
              <label className="flex w-32 flex-col gap-1">
                Tag
                <input className={`${input} font-mono`} value={target.tag} placeholder="(none)" onChange={(e) => setTarget({ ...target, tag: e.target.value })} />
              </label>
              <label className="flex items-center gap-1">
                <input type="checkbox" checked={target.referrers} onChange={(e) => setTarget({ ...target, referrers: e.target.checked })} />
                with its supply chain
              </label>
              <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800" disabled={!target.repository.trim() || plan.isPending}>
                Plan the copy
              </button>
            </form>
            {plan.isPending && <Loading label="Working out what the target lacks" lines={4} />}
            {plan.isError && <ErrorPanel error={plan.error} what="the promotion plan" />}
            {p && (
              <div className="space-y-3" data-testid="promotion-plan">
                <p className="text-sm">
                  {p.plan.totals.manifests} manifest{p.plan.totals.manifests === 1 ? "" : "s"} ({p.plan.totals.manifestsToWrite} to write), {p.plan.totals.blobs} blob{p.plan.totals.blobs === 1 ? "" : "s"} ({p.plan.totals.blobsToMove} to move): <strong>{formatBytes(p.plan.totals.bytesToMove)}</strong> to move, {formatBytes(p.plan.totals.bytesSkipped)} already there
                  {target.registry === registry ? " (blobs are mounted within one registry: no bytes move)" : ""}.
                </p>
                {p.plan.warnings.map((w) => (
                  <p key={w} className="text-sm text-amber-800 dark:text-amber-200">
                    {w}
                  </p>
                ))}
                <ul className="max-h-64 overflow-y-auto rounded border border-slate-200 text-xs dark:border-slate-800">
                  {p.plan.manifests.map((m) => (
                    <li key={m.digest} className="flex flex-wrap gap-2 border-b border-slate-100 px-2 py-1 last:border-0 dark:border-slate-800" data-testid="plan-manifest">
                      <span className={m.exists ? "text-slate-500" : "font-medium text-emerald-700 dark:text-emerald-300"}>{m.exists ? "already there" : "write"}</span>
                      <span>{m.label}</span>
                      <span className="font-mono text-slate-500">{shortDigest(m.digest)}</span>
                      {m.tags.length > 0 && <span className="font-mono">tag {m.tags.join(", ")}</span>}
                    </li>
                  ))}
                </ul>
                {!p.allowed ? (
                  <p className="text-sm text-red-700 dark:text-red-300">{p.deniedMessage}</p>
                ) : (
                  <button
                    type="button"
                    onClick={() => run.mutate()}
                    disabled={run.isPending}
                    className="rounded-md bg-slate-800 px-4 py-2 text-sm text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-200 dark:text-slate-900"
                  >
                    {run.isPending ? "Copying…" : p.plan.totals.manifestsToWrite + p.plan.totals.blobsToMove === 0 ? "Check the target (nothing to write)" : `Copy ${p.plan.totals.manifestsToWrite} manifests and ${p.plan.totals.blobsToMove} blobs`}
                  </button>
                )}
                {run.isError && <ErrorPanel error={run.error} what="the copy" />}
              </div>
            )}
          </>
        )}
      </div>
    </div>
  );
}

function Result({ result, onClose }: { result: PromotionResponse; onClose: () => void }) {
  const written = result.items.filter((i) => i.outcome !== "skipped");
  return (
    <div className="space-y-3" data-testid="promotion-result">
      <p className={`text-sm font-medium ${result.complete ? "text-emerald-800 dark:text-emerald-200" : "text-red-800 dark:text-red-200"}`}>
        {result.complete ? "Complete: the target's graph holds every manifest of the plan." : `Incomplete: the target lacks ${result.missing.map(shortDigest).join(", ")}.`} {written.length} item{written.length === 1 ? "" : "s"} written, {formatBytes(result.bytesMoved)} moved, {result.items.length - written.length} already there.
      </p>
      <ul className="max-h-64 overflow-y-auto text-xs">
        {written.map((i, n) => (
          <li key={n} className="font-mono">
            {i.kind === "blob" ? `${i.outcome} blob ${shortDigest(i.digest)}` : i.kind === "manifest" ? `wrote manifest ${shortDigest(i.digest)}` : i.kind === "tag" ? `tagged ${i.tag}` : `merged referrers index ${i.tag}`}
          </li>
        ))}
      </ul>
      <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
        Close
      </button>
    </div>
  );
}
