"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { ImportPlanResponse, ImportResponse } from "@/lib/server/api/archive";
import type { PromotionEvent } from "@/lib/server/api/promote";
import { answer, ApiError, apiPostProgress } from "../api";
import { formatBytes } from "../format";
import { Modal } from "../ui/modal";
import { ErrorPanel } from "../ui/primitives";
import { downloadPlan, PlanList, ProgressPanel, Result, type Watching } from "./promote-dialog";

/**
 * "Import an archive…": an OCI layout tar (the dashboard's download, or
 * `oras cp -r --to-oci-layout` then tar) uploaded into a repository of this
 * registry. The upload is staged and planned on the server; nothing is
 * written until the user confirms; closing discards the staged upload.
 */
export function ImportDialog({ registry, defaultRepository, onClose }: { registry: string; defaultRepository: string; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File>();
  const [repository, setRepository] = useState(defaultRepository);
  const [sent, setSent] = useState<{ loaded: number; total: number }>();
  const [watching, setWatching] = useState<Watching>();
  const base = `/api/registries/${encodeURIComponent(registry)}`;
  const stage = useMutation({
    mutationFn: () => upload(`${base}/imports?repository=${encodeURIComponent(repository.trim())}`, file!, (loaded, total) => setSent({ loaded, total })),
  });
  const run = useMutation({
    mutationFn: async (): Promise<ImportResponse> => {
      const staged = stage.data!;
      let written = 0;
      const of = staged.images.length;
      return apiPostProgress<ImportResponse, PromotionEvent>(`${base}/imports/${staged.id}`, { repository: repository.trim() }, (event) => {
        if (event.type === "item" && event.item.outcome !== "skipped") written++;
        const reference = event.image ?? staged.images[0].reference;
        const n = staged.images.findIndex((i) => i.reference === reference) + 1;
        setWatching((w) => ({ reference, n, of, written, progress: event.type === "progress" ? event.progress : w?.progress, elapsedMs: event.type === "progress" ? event.elapsedMs : (w?.elapsedMs ?? 0) }));
      });
    },
    onSettled: () => setWatching(undefined),
  });
  const close = () => {
    // A staged upload nobody confirmed is discarded now rather than in an hour.
    if (stage.data && !run.data && !run.isPending) void fetch(`${base}/imports/${stage.data.id}?repository=${encodeURIComponent(repository.trim())}`, { method: "DELETE" }).catch(() => undefined);
    if (run.data || run.isError) void queryClient.invalidateQueries();
    onClose();
  };
  const staged = stage.data;
  const totals = (staged?.images ?? []).reduce((n, i) => ({ manifests: n.manifests + i.plan.totals.manifestsToWrite, blobs: n.blobs + i.plan.totals.blobsToMove, bytes: n.bytes + i.plan.totals.bytesToMove }), { manifests: 0, blobs: 0, bytes: 0 });
  const input = "rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";
  return (
    <Modal id="import-title" testId="import-dialog" onClose={close} title={<>Import an OCI layout archive into {registry}</>}>
      {run.data ? (
        <div className="space-y-4" data-testid="import-result">
          {run.data.images.map((i) => (
            <Result key={i.reference} title={`${repository.trim()}${i.reference.startsWith("sha256:") ? "@" : ":"}${i.reference}`} result={i.result} />
          ))}
          <button type="button" onClick={close} className="rounded-md border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
            Close
          </button>
        </div>
      ) : (
        <>
          <form
            className="flex flex-wrap items-end gap-3 text-sm"
            onSubmit={(e) => {
              e.preventDefault();
              run.reset();
              stage.mutate();
            }}
          >
            <label className="flex flex-col gap-1">
              Archive (.tar)
              <input type="file" accept=".tar,application/x-tar" className="text-sm" disabled={stage.isPending || run.isPending} onChange={(e) => setFile(e.target.files?.[0])} />
            </label>
            <label className="flex min-w-[12rem] flex-1 flex-col gap-1">
              Into repository
              <input required className={`${input} font-mono`} value={repository} disabled={stage.isPending || run.isPending} placeholder="prod/net-monitor" onChange={(e) => setRepository(e.target.value)} />
            </label>
            <button type="submit" className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800" disabled={!file || !repository.trim() || stage.isPending || run.isPending}>
              Upload and plan
            </button>
          </form>
          <p className="text-xs text-slate-600 dark:text-slate-400">
            An OCI image layout as a tar: the dashboard&apos;s &ldquo;Download archive&rdquo;, or <code>oras cp -r &lt;image&gt; --to-oci-layout dir</code> then <code>tar -cf image.tar -C dir .</code>. Every tagged image in it is imported with everything attached; nothing is written until you confirm.
          </p>
          {stage.isPending && sent && (
            <p className="text-sm" data-testid="upload-progress">
              Uploading: {formatBytes(sent.loaded)} of {formatBytes(sent.total)}
              {sent.loaded >= sent.total ? "; checking and planning…" : ""}
            </p>
          )}
          {stage.isError && <ErrorPanel error={stage.error} what="the archive" />}
          {staged && (
            <div className="space-y-3" data-testid="import-plan">
              <p className="text-sm">
                {staged.images.length} image{staged.images.length === 1 ? "" : "s"} ({staged.images.map((i) => i.reference).join(", ")}): {totals.manifests} manifests and {totals.blobs} blobs to write, <strong>{formatBytes(totals.bytes)}</strong>.{" "}
                <button type="button" className="underline" onClick={() => downloadPlan(staged.images.map((i) => i.plan), repository.trim())}>
                  Download the plan (JSON)
                </button>
              </p>
              {staged.skipped.length > 0 && <p className="text-xs text-slate-600 dark:text-slate-400">Skipped (no part of an OCI layout): {staged.skipped.slice(0, 5).join(", ")}{staged.skipped.length > 5 ? ` and ${staged.skipped.length - 5} more` : ""}</p>}
              <PlanList plans={staged.images.map((i) => ({ key: i.reference, plan: i.plan }))} />
              {!staged.allowed ? (
                <p className="text-sm text-red-700 dark:text-red-300">{staged.deniedMessage}</p>
              ) : (
                <button type="button" onClick={() => run.mutate()} disabled={run.isPending} className="rounded-md bg-slate-800 px-4 py-2 text-sm text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-200 dark:text-slate-900">
                  {run.isPending ? "Importing…" : `Import ${totals.manifests} manifests and ${totals.blobs} blobs`}
                </button>
              )}
              {watching && <ProgressPanel watching={watching} repository={repository.trim()} />}
              {run.isError && <ErrorPanel error={run.error} what="the import" />}
            </div>
          )}
        </>
      )}
    </Modal>
  );
}

/** The archive as the request body, with upload progress (fetch has none); the answer or its error as the JSON API sends them. */
function upload(url: string, file: File, onProgress: (loaded: number, total: number) => void): Promise<ImportPlanResponse> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", url);
    xhr.setRequestHeader("content-type", "application/x-tar");
    xhr.setRequestHeader("accept", "application/json");
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.lengthComputable ? e.total : file.size);
    xhr.onerror = () => reject(new ApiError(0, "network", "the upload did not reach the Chainsight server; check that it is running"));
    // Read as the JSON API's other answers are (errors included).
    xhr.onload = () => answer<ImportPlanResponse>(new Response(xhr.responseText, { status: xhr.status })).then(resolve, reject);
    xhr.send(file);
  });
}
