"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { CopyProgress } from "@/lib/promotion/copy";
import type { PromotionEvent, PromotionPlanResponse, PromotionResponse } from "@/lib/server/api/promote";
import { api, apiPost, apiPostProgress } from "../api";
import { formatBytes, shortDigest } from "../format";
import { Modal } from "../ui/modal";
import { ErrorPanel, Loading } from "../ui/primitives";

/**
 * "Promote…": pick where to (registry, repository, tag), see the plan (what
 * the target lacks, what moves, what is skipped), confirm, watch the copy
 * (items and bytes done, rate, current item), then what was written and
 * whether the target's graph and signatures agree with the source. Several
 * references (a tag selection) are planned and copied one after the other,
 * each keeping its tag. Nothing is written before the confirmation; the
 * server checks the promote right and plans again before it writes.
 */

type Planned = { reference: string; response: PromotionPlanResponse };
type Done = { reference: string; result: PromotionResponse };
export type Watching = { reference: string; n: number; of: number; progress?: CopyProgress; elapsedMs: number; written: number };

export const refText = (repository: string, reference: string) => (reference.startsWith("sha256:") ? `${repository}@${shortDigest(reference)}` : `${repository}:${reference}`);

export function PromoteDialog({ registry, repository, references, onClose }: { registry: string; repository: string; references: string[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const registries = useQuery({ queryKey: ["registries"], queryFn: ({ signal }) => api.registries(signal) });
  const single = references.length === 1;
  // The same name by default: an export or a promotion to another registry usually keeps it.
  const [target, setTarget] = useState({ registry, repository, tag: single && !references[0].startsWith("sha256:") ? references[0] : "", referrers: true });
  const [watching, setWatching] = useState<Watching>();
  const body = (reference: string) => ({
    repository,
    reference,
    targetRegistry: target.registry,
    targetRepository: target.repository.trim(),
    // Several references keep their own tags (a digest gets none).
    targetTag: single ? target.tag.trim() || undefined : undefined,
    referrers: target.referrers,
  });
  const base = `/api/registries/${encodeURIComponent(registry)}`;
  const plan = useMutation({
    mutationFn: async (): Promise<Planned[]> => {
      const out: Planned[] = [];
      for (const reference of references) out.push({ reference, response: await apiPost<PromotionPlanResponse>(`${base}/promotion-plan`, body(reference)) });
      return out;
    },
  });
  const run = useMutation({
    mutationFn: async (): Promise<Done[]> => {
      const out: Done[] = [];
      for (const [n, reference] of references.entries()) {
        let written = 0;
        setWatching({ reference, n: n + 1, of: references.length, elapsedMs: 0, written });
        const result = await apiPostProgress<PromotionResponse, PromotionEvent>(`${base}/promote`, body(reference), (event) => {
          if (event.type === "item" && event.item.outcome !== "skipped") written++;
          setWatching((w) => ({ reference, n: n + 1, of: references.length, written, progress: event.type === "progress" ? event.progress : w?.progress, elapsedMs: event.type === "progress" ? event.elapsedMs : (w?.elapsedMs ?? 0) }));
        });
        out.push({ reference, result });
      }
      return out;
    },
    onSettled: () => setWatching(undefined),
  });
  const close = () => {
    if (run.data || run.isError) void queryClient.invalidateQueries();
    onClose();
  };
  const plans = plan.data ?? [];
  const sum = (f: (p: PromotionPlanResponse["plan"]["totals"]) => number) => plans.reduce((n, p) => n + f(p.response.plan.totals), 0);
  const denied = plans.find((p) => !p.response.allowed);
  const toWrite = sum((t) => t.manifestsToWrite + t.blobsToMove);
  const input = "rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";
  return (
    <Modal id="promote-title" testId="promote-dialog" onClose={close} title={<>Promote <span className="font-mono">{single ? refText(repository, references[0]) : `${references.length} images of ${repository}`}</span></>}>
      {run.data ? (
        <Results done={run.data} repository={repository} onClose={close} />
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
              <select className={input} value={target.registry} disabled={run.isPending} onChange={(e) => setTarget({ ...target, registry: e.target.value })}>
                {(registries.data?.registries ?? [{ id: registry, name: registry }]).map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.name}
                  </option>
                ))}
              </select>
            </label>
            <label className="flex min-w-[12rem] flex-1 flex-col gap-1">
              Repository
              <input required className={`${input} font-mono`} value={target.repository} disabled={run.isPending} placeholder="prod/net-monitor" onChange={(e) => setTarget({ ...target, repository: e.target.value })} />
            </label>
            {single ? (
              <label className="flex w-32 flex-col gap-1">
                Tag
                <input className={`${input} font-mono`} value={target.tag} disabled={run.isPending} placeholder="(none)" onChange={(e) => setTarget({ ...target, tag: e.target.value })} />
              </label>
            ) : (
              <span className="text-slate-600 dark:text-slate-400">each keeps its tag</span>
            )}
            <label className="flex items-center gap-1">
              <input type="checkbox" checked={target.referrers} disabled={run.isPending} onChange={(e) => setTarget({ ...target, referrers: e.target.checked })} />
              with its supply chain
            </label>
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800" disabled={!target.repository.trim() || plan.isPending || run.isPending}>
              Plan the copy
            </button>
          </form>
          {plan.isPending && <Loading label="Working out what the target lacks" lines={4} />}
          {plan.isError && <ErrorPanel error={plan.error} what="the promotion plan" />}
          {plans.length > 0 && (
            <div className="space-y-3" data-testid="promotion-plan">
              <p className="text-sm">
                {sum((t) => t.manifests)} manifest{sum((t) => t.manifests) === 1 ? "" : "s"} ({sum((t) => t.manifestsToWrite)} to write), {sum((t) => t.blobs)} blob{sum((t) => t.blobs) === 1 ? "" : "s"} ({sum((t) => t.blobsToMove)} to move):{" "}
                <strong>{formatBytes(sum((t) => t.bytesToMove))}</strong> to move, {formatBytes(sum((t) => t.bytesSkipped))} already there
                {target.registry === registry ? " (blobs are mounted within one registry: no bytes move)" : ""}.{" "}
                <button type="button" className="underline" onClick={() => downloadPlan(plans.map((p) => p.response.plan), repository)}>
                  Download the plan (JSON)
                </button>
              </p>
              {plans.flatMap((p) => p.response.plan.warnings).map((w) => (
                <p key={w} className="text-sm text-amber-800 dark:text-amber-200">
                  {w}
                </p>
              ))}
              <PlanList plans={plans.map((p) => ({ key: p.reference, plan: p.response.plan }))} />
              {denied ? (
                <p className="text-sm text-red-700 dark:text-red-300">{denied.response.deniedMessage}</p>
              ) : (
                <button
                  type="button"
                  onClick={() => run.mutate()}
                  disabled={run.isPending}
                  className="rounded-md bg-slate-800 px-4 py-2 text-sm text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-200 dark:text-slate-900"
                >
                  {run.isPending ? "Copying…" : toWrite === 0 ? "Check the target (nothing to write)" : `Copy ${sum((t) => t.manifestsToWrite)} manifests and ${sum((t) => t.blobsToMove)} blobs`}
                </button>
              )}
              {watching && <ProgressPanel watching={watching} repository={repository} />}
              {run.isError && <ErrorPanel error={run.error} what="the copy" />}
            </div>
          )}
        </>
      )}
    </Modal>
  );
}

/** Every manifest of one or more plans: written or already there, what it is, its tags. */
export function PlanList({ plans }: { plans: { key: string; plan: PromotionPlanResponse["plan"] }[] }) {
  return (
    <ul className="max-h-64 overflow-y-auto rounded border border-slate-200 text-xs dark:border-slate-800">
      {plans.flatMap(({ key, plan }) =>
        plan.manifests.map((m) => (
          <li key={`${key} ${m.digest}`} className="flex flex-wrap gap-2 border-b border-slate-100 px-2 py-1 last:border-0 dark:border-slate-800" data-testid="plan-manifest">
            <span className={m.exists ? "text-slate-500" : "font-medium text-emerald-700 dark:text-emerald-300"}>{m.exists ? "already there" : "write"}</span>
            <span>{m.label}</span>
            <span className="font-mono text-slate-500">{shortDigest(m.digest)}</span>
            {m.tags.length > 0 && <span className="break-all font-mono">tag {m.tags.join(", ")}</span>}
          </li>
        )),
      )}
    </ul>
  );
}

export function downloadPlan(plans: PromotionPlanResponse["plan"][], repository: string) {
  const data = plans.length === 1 ? plans[0] : plans;
  const url = URL.createObjectURL(new Blob([JSON.stringify(data, null, 2)], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = `promotion-plan-${repository.replaceAll("/", "_")}.json`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const PHASES: Record<CopyProgress["phase"], string> = {
  blobs: "Copying blobs",
  manifests: "Writing manifests",
  tags: "Writing tags",
  "referrers-indexes": "Merging referrers indexes",
  checking: "Discovering the graph at the target",
  verifying: "Verifying the signatures at the target",
};

export function ProgressPanel({ watching, repository }: { watching: Watching; repository: string }) {
  const p = watching.progress;
  const share = p && p.bytesTotal > 0 ? Math.min(1, p.bytesDone / p.bytesTotal) : p && p.itemsTotal > 0 ? p.itemsDone / p.itemsTotal : 0;
  const rate = p && watching.elapsedMs > 0 ? (p.bytesDone / watching.elapsedMs) * 1000 : 0;
  return (
    <div className="space-y-1 rounded border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="promotion-progress" aria-live="polite">
      <p className="font-medium">
        {watching.of > 1 && `${watching.n} of ${watching.of}: `}
        {refText(repository, watching.reference)} · {p ? PHASES[p.phase] : "Starting"}
      </p>
      <div role="progressbar" aria-label="Copy progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(share * 100)} className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800">
        <div className="h-full bg-emerald-600 transition-[width]" style={{ width: `${share * 100}%` }} />
      </div>
      {p && (
        <p className="text-xs text-slate-600 dark:text-slate-400">
          {p.itemsDone} of {p.itemsTotal} items · {formatBytes(p.bytesDone)} of {formatBytes(p.bytesTotal)} · {formatBytes(rate)}/s · {watching.written} written
          {p.current && (
            <span className="block break-all font-mono">
              now: {p.current.kind} {p.current.kind === "tag" ? p.current.name : shortDigest(p.current.name)}
              {p.current.label ? ` (${p.current.label})` : ""}
              {p.current.size !== undefined && p.current.bytesDone !== undefined ? `, ${formatBytes(p.current.bytesDone)} of ${formatBytes(p.current.size)}` : ""}
            </span>
          )}
        </p>
      )}
    </div>
  );
}

function Results({ done, repository, onClose }: { done: Done[]; repository: string; onClose: () => void }) {
  return (
    <div className="space-y-4" data-testid="promotion-result">
      {done.map(({ reference, result }) => (
        <Result key={reference} title={done.length > 1 ? refText(repository, reference) : undefined} result={result} />
      ))}
      <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
        Close
      </button>
    </div>
  );
}

export function Result({ title, result }: { title?: string; result: PromotionResponse }) {
  const written = result.items.filter((i) => i.outcome !== "skipped");
  const v = result.verification;
  return (
    <div className="space-y-2">
      {title && <h3 className="font-mono text-sm font-semibold">{title}</h3>}
      <p className={`text-sm font-medium ${result.complete ? "text-emerald-800 dark:text-emerald-200" : "text-red-800 dark:text-red-200"}`}>
        {result.complete ? "Complete:" : "Incomplete:"}{" "}
        {result.graphComplete ? "the target's graph holds every manifest of the plan" : `the target lacks ${result.missing.map(shortDigest).join(", ")}`}
        {v ? `; ${v.summary}` : ""}. {written.length} item{written.length === 1 ? "" : "s"} written, {formatBytes(result.bytesMoved)} moved, {result.items.length - written.length} already there.
      </p>
      {v && v.signatures.length > 0 && (
        <ul className="text-xs" data-testid="promotion-signatures">
          {v.signatures.map((s) => (
            <li key={`${s.digest}#${s.layer}`} className={s.source !== "verified" || s.target === "verified" ? "" : s.target === "no-policy" ? "text-amber-800 dark:text-amber-200" : "text-red-700 dark:text-red-300"}>
              {s.label} <span className="font-mono">{shortDigest(s.digest)}</span>: source {s.source}, target {s.target}
              {s.target !== s.source ? ` (${s.summary})` : ""}
            </li>
          ))}
        </ul>
      )}
      <ul className="max-h-64 overflow-y-auto text-xs">
        {written.map((i, n) => (
          <li key={n} className="break-all font-mono">
            {i.kind === "blob" ? `${i.outcome} blob ${shortDigest(i.digest)}` : i.kind === "manifest" ? `wrote manifest ${shortDigest(i.digest)}` : i.kind === "tag" ? `tagged ${i.tag}` : `merged referrers index ${i.tag}`}
          </li>
        ))}
      </ul>
    </div>
  );
}
