"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ExecuteResult } from "@/lib/lifecycle/delete-plan";
import type { PlanResponse } from "@/lib/server/api/delete";
import { apiPost } from "../api";
import { shortDigest } from "../format";
import { KIND_STYLES, KindIcon } from "../graph/kinds";
import { Modal } from "../ui/modal";
import { ErrorPanel, Loading } from "../ui/primitives";

/**
 * "Delete…": the plan first (everything that goes, and what it takes with it),
 * then, on confirmation, the deletion pinned to that plan, then what happened
 * to each item.
 */
export function DeleteDialog({ registry, repository, digests, onClose, onDeleted }: { registry: string; repository: string; digests: string[]; onClose: () => void; onDeleted?: () => void }) {
  const queryClient = useQueryClient();
  const base = `/api/registries/${encodeURIComponent(registry)}`;
  const plan = useMutation({ mutationFn: () => apiPost<PlanResponse>(`${base}/delete-plan`, { repository, digests }) });
  const run = useMutation({
    mutationFn: (p: { plan: PlanResponse; confirm: string }) => apiPost<ExecuteResult>(`${base}/delete`, { repository, plan: p.plan, confirm: p.confirm || undefined }),
    onSuccess: (r) => {
      if (r.status !== "changed") onDeleted?.();
    },
  });
  // Pages refresh when the dialog closes, so the results stay readable until then.
  const close = () => {
    if (run.data && run.data.status !== "changed") void queryClient.invalidateQueries();
    onClose();
  };
  const [confirm, setConfirm] = useState("");
  const planMutate = plan.mutate;
  useEffect(() => planMutate(), [planMutate]);

  const p = plan.data;
  return (
    <Modal id="delete-title" testId="delete-dialog" onClose={close} title={<>Delete from <span className="font-mono">{repository}</span></>}>
      {run.data ? (
        <Results
          result={run.data}
          onReplan={() => {
            run.reset();
            plan.mutate();
          }}
          onClose={close}
        />
      ) : plan.isPending ? (
        <Loading label="Working out what would be deleted" lines={5} />
      ) : plan.isError ? (
        <ErrorPanel error={plan.error} what="the deletion plan" />
      ) : p ? (
        <div className="mt-3 space-y-4 text-sm">
          <Section title={`Manifests that will be deleted (${p.manifests.length}), deepest referrers first`}>
            <ul className="divide-y divide-slate-200 rounded border border-slate-200 dark:divide-slate-800 dark:border-slate-800" data-testid="plan-manifests">
              {p.manifests.map((m) => (
                <li key={m.digest} className="flex items-center gap-2 px-2 py-1" style={{ paddingLeft: `${0.5 + Math.min(m.depth, 6) * 0.75}rem` }}>
                  <span className={KIND_STYLES[m.kind].accent.split(" ").filter((c) => c.includes("text-")).join(" ")}>
                    <KindIcon kind={m.kind} />
                  </span>
                  <span>{m.depth === 0 ? "subject" : m.label}</span>
                  <span className="font-mono text-xs text-slate-500">{shortDigest(m.digest)}</span>
                  {m.artifactType && <span className="truncate text-xs text-slate-500">{m.artifactType}</span>}
                </li>
              ))}
            </ul>
          </Section>
          <Section title={`Tags that disappear with them (${p.tags.length})`}>
            {p.tags.length === 0 ? <p className="text-slate-500">None.</p> : <p className="font-mono text-xs" data-testid="plan-tags">{p.tags.map((t) => t.tag).join(", ")}</p>}
          </Section>
          {p.indexes.length > 0 && (
            <Section title="Referrers-tag indexes">
              <ul className="text-xs">
                {p.indexes.map((i) => (
                  <li key={i.tag}>
                    <span className="font-mono">{i.tag.slice(0, 19)}…</span> {i.action === "delete" ? "deleted" : `rewritten without ${i.remove.length} entr${i.remove.length === 1 ? "y" : "ies"} (${i.keep.length} stay)`}
                  </li>
                ))}
              </ul>
            </Section>
          )}
          {p.leftBehind.length > 0 && (
            <Section title="Left behind">
              <ul className="text-xs">
                {p.leftBehind.map((l) => (
                  <li key={l.digest}>
                    <span className="font-mono">{shortDigest(l.digest)}</span>: {l.reason}
                  </li>
                ))}
              </ul>
            </Section>
          )}
          {p.warnings.length > 0 && <ul className="text-xs text-amber-800 dark:text-amber-200">{p.warnings.map((w, i) => <li key={i}>{w}</li>)}</ul>}
          <p className="text-xs text-slate-500">Deleting removes manifests and tags; the registry&apos;s garbage collection frees the storage afterwards.</p>
          {p.storeRefusal && (
            <p role="alert" data-testid="store-refusal" className="rounded-md border border-amber-300 bg-amber-50 p-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950/50 dark:text-amber-100">
              {p.storeRefusal}
            </p>
          )}
          {!p.allowed ? (
            <p role="alert" className="text-sm text-red-700 dark:text-red-300">
              {p.deniedMessage}
            </p>
          ) : (
            <form
              className="flex flex-wrap items-end gap-3"
              onSubmit={(e) => {
                e.preventDefault();
                run.mutate({ plan: p, confirm });
              }}
            >
              {p.needsConfirmation && (
                <label className="flex flex-col gap-1 text-sm">
                  Type <span className="font-mono">{repository}</span> to confirm
                  <input value={confirm} onChange={(e) => setConfirm(e.target.value)} className="w-72 rounded-md border border-slate-300 bg-white px-2 py-1 font-mono dark:border-slate-700 dark:bg-slate-950" />
                </label>
              )}
              <button
                type="submit"
                disabled={run.isPending || !!p.storeRefusal || (p.needsConfirmation && confirm !== repository)}
                title={p.storeRefusal}
                className="rounded-md bg-red-700 px-3 py-1.5 text-white disabled:opacity-50"
              >
                {run.isPending ? "Deleting…" : `Delete ${p.manifests.length} manifest${p.manifests.length === 1 ? "" : "s"}`}
              </button>
              <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1.5 dark:border-slate-700">
                Cancel
              </button>
              <a
                href={`data:application/json;charset=utf-8,${encodeURIComponent(JSON.stringify(p, null, 2))}`}
                download={`delete-plan-${repository.replace(/\//g, "_")}.json`}
                className="text-sm text-blue-700 underline dark:text-blue-300"
              >
                Download the plan (JSON, dry run)
              </a>
              {run.isError && <ErrorPanel error={run.error} what="the deletion" />}
            </form>
          )}
        </div>
      ) : null}
    </Modal>
  );
}

function Section({ title, children }: { title: string; children: React.ReactNode }) {
  return (
    <section>
      <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-500">{title}</h3>
      {children}
    </section>
  );
}

const STATUS_TEXT = { deleted: "deleted", rewritten: "rewritten", "already-gone": "already gone", failed: "failed", "not-attempted": "not attempted" } as const;

function Results({ result, onReplan, onClose }: { result: ExecuteResult; onReplan: () => void; onClose: () => void }) {
  if (result.status === "changed") {
    return (
      <div role="alert" className="mt-3 space-y-2 text-sm" data-testid="delete-changed">
        <p className="font-medium">Nothing was deleted: the repository changed since the preview.</p>
        {result.difference.added.length > 0 && <p>Now also: {result.difference.added.join("; ")}</p>}
        {result.difference.removed.length > 0 && <p>No longer: {result.difference.removed.join("; ")}</p>}
        <button type="button" onClick={onReplan} className="rounded-md border border-slate-300 px-3 py-1 dark:border-slate-700">
          Review the new plan
        </button>
      </div>
    );
  }
  return (
    <div className="mt-3 space-y-2 text-sm" data-testid="delete-results">
      <p className="font-medium">{result.status === "done" ? "Deleted." : "Stopped at a failure; what is listed as not attempted is still there."}</p>
      <ul className="text-xs">
        {result.results.map((r) => (
          <li key={`${r.kind}-${r.target}`}>
            <span className="font-mono">{r.target.length > 30 ? shortDigest(r.target) : r.target}</span> {STATUS_TEXT[r.status]}
            {r.message && r.status === "failed" ? `: ${r.message}` : ""}
          </li>
        ))}
      </ul>
      <p className="text-xs text-slate-500">The registry&apos;s garbage collection frees the storage.</p>
      <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1 dark:border-slate-700">
        Close
      </button>
    </div>
  );
}
