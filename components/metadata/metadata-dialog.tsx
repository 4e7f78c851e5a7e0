"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { MetadataPreviewResponse, MetadataWriteResponse } from "@/lib/server/api/metadata";
import { apiPost } from "../api";
import { shortDigest } from "../format";
import { Modal } from "../ui/modal";
import { ErrorPanel, Loading } from "../ui/primitives";

/**
 * "Add metadata…": a deletion date, "superseded by", a review mark or free
 * annotations, written as an annotations-only artifact attached to each
 * chosen image (the image itself is not touched). The manifest that will be
 * pushed is shown first, exactly; nothing is written before the confirmation.
 */

type Kind = "deletion-date" | "new-version" | "review" | "annotations";

const KINDS: { kind: Kind; label: string }[] = [
  { kind: "deletion-date", label: "Deletion date" },
  { kind: "new-version", label: "Superseded by" },
  { kind: "review", label: "Review mark" },
  { kind: "annotations", label: "Annotations" },
];

/** `key=value` per line; blank lines skipped; a line without "=" is sent as a key with an empty value (the server names it). */
function parseAnnotations(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split("\n")) {
    if (!line.trim()) continue;
    const at = line.indexOf("=");
    if (at < 0) out[line.trim()] = "";
    else out[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return out;
}

export function MetadataDialog({ registry, repository, references, onClose }: { registry: string; repository: string; references: string[]; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [kind, setKind] = useState<Kind>("deletion-date");
  const [deletionDate, setDeletionDate] = useState("");
  const [newVersion, setNewVersion] = useState("");
  const [review, setReview] = useState({ status: "approved" as "approved" | "reviewed", environment: "", note: "" });
  const [annotations, setAnnotations] = useState("");
  const base = `/api/registries/${encodeURIComponent(registry)}`;
  const body = (reference: string) => ({
    repository,
    reference,
    kind,
    deletionDate: kind === "deletion-date" ? deletionDate : undefined,
    newVersion: kind === "new-version" ? newVersion.trim() : undefined,
    review: kind === "review" ? { status: review.status, environment: review.environment.trim() || undefined, note: review.note.trim() || undefined } : undefined,
    annotations: annotations.trim() ? parseAnnotations(annotations) : undefined,
  });
  const preview = useMutation({
    mutationFn: async () => {
      const out: { reference: string; response: MetadataPreviewResponse }[] = [];
      for (const reference of references) out.push({ reference, response: await apiPost<MetadataPreviewResponse>(`${base}/metadata-preview`, body(reference)) });
      return out;
    },
  });
  const write = useMutation({
    mutationFn: async () => {
      const out: MetadataWriteResponse[] = [];
      for (const p of preview.data ?? []) out.push(await apiPost<MetadataWriteResponse>(`${base}/metadata`, { ...body(p.reference), digest: p.response.preview.digest, created: p.response.preview.created }));
      return out;
    },
    onSuccess: () => void queryClient.invalidateQueries(),
  });
  const previews = preview.data ?? [];
  const denied = previews.find((p) => !p.response.allowed);
  const input = "rounded border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-900";
  /** A changed field makes the preview stale: it goes, and is made again on request. */
  const changed = () => {
    preview.reset();
    write.reset();
  };
  const edit =
    <T,>(set: (v: T) => void) =>
    (v: T) => {
      set(v);
      changed();
    };
  return (
    <Modal id="metadata-title" testId="metadata-dialog" onClose={onClose} title={<>Add metadata to <span className="font-mono">{references.length === 1 ? `${repository}${references[0].startsWith("sha256:") ? `@${shortDigest(references[0])}` : `:${references[0]}`}` : `${references.length} images of ${repository}`}</span></>}>
      {write.data ? (
        <div className="space-y-3" data-testid="metadata-result">
          <p className="text-sm font-medium text-emerald-800 dark:text-emerald-200">
            Written: {write.data.length} annotations artifact{write.data.length === 1 ? "" : "s"} attached.
          </p>
          <ul className="text-xs">
            {write.data.map((w) => (
              <li key={w.digest} className="break-all font-mono">
                {shortDigest(w.digest)} → {shortDigest(w.preview.subject.digest)}
                {w.referrersTag ? ` (referrers tag ${w.referrersTag.tag} now lists ${w.referrersTag.entries})` : " (found through the referrers API)"}
              </li>
            ))}
          </ul>
          <button type="button" onClick={onClose} className="rounded-md border border-slate-300 px-3 py-1 text-sm dark:border-slate-700">
            Close
          </button>
        </div>
      ) : (
        <>
          <form
            className="space-y-3 text-sm"
            onSubmit={(e) => {
              e.preventDefault();
              write.reset();
              preview.mutate();
            }}
          >
            <fieldset className="flex flex-wrap gap-3">
              <legend className="sr-only">What to add</legend>
              {KINDS.map((k) => (
                <label key={k.kind} className="flex items-center gap-1">
                  <input
                    type="radio"
                    name="kind"
                    checked={kind === k.kind}
                    onChange={() => edit(setKind)(k.kind)}
                  />
                  {k.label}
                </label>
              ))}
            </fieldset>
            {kind === "deletion-date" && (
              <label className="flex w-48 flex-col gap-1">
                Delete after
                <input type="date" required className={input} value={deletionDate} onChange={(e) => edit(setDeletionDate)(e.target.value)} />
              </label>
            )}
            {kind === "new-version" && (
              <label className="flex max-w-md flex-col gap-1">
                Superseded by (a tag or digest of {repository})
                <input required className={`${input} font-mono`} value={newVersion} placeholder="v2" onChange={(e) => edit(setNewVersion)(e.target.value)} />
              </label>
            )}
            {kind === "review" && (
              <div className="flex flex-wrap items-end gap-3">
                <label className="flex flex-col gap-1">
                  Mark
                  <select className={input} value={review.status} onChange={(e) => edit(setReview)({ ...review, status: e.target.value as "approved" | "reviewed" })}>
                    <option value="approved">approved</option>
                    <option value="reviewed">reviewed</option>
                  </select>
                </label>
                <label className="flex w-40 flex-col gap-1">
                  For environment
                  <input className={`${input} font-mono`} value={review.environment} placeholder="prod" onChange={(e) => edit(setReview)({ ...review, environment: e.target.value })} />
                </label>
                <label className="flex min-w-[12rem] flex-1 flex-col gap-1">
                  Note
                  <input className={input} value={review.note} onChange={(e) => edit(setReview)({ ...review, note: e.target.value })} />
                </label>
                <p className="w-full text-xs text-slate-600 dark:text-slate-400">Your name and the time are recorded in the mark.</p>
              </div>
            )}
            <label className="flex flex-col gap-1">
              {kind === "annotations" ? "Annotations (key=value, one per line)" : "More annotations (optional, key=value, one per line)"}
              <textarea className={`${input} font-mono`} rows={3} value={annotations} placeholder="com.example.ticket=SEC-1234" onChange={(e) => edit(setAnnotations)(e.target.value)} />
            </label>
            <button type="submit" disabled={preview.isPending} className="rounded-md border border-slate-300 px-3 py-1 hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800">
              Preview
            </button>
          </form>
          {preview.isPending && <Loading label="Making the manifest" lines={3} />}
          {preview.isError && <ErrorPanel error={preview.error} what="the metadata" />}
          {previews.length > 0 && (
            <div className="space-y-3" data-testid="metadata-preview">
              <p className="text-sm">
                {previews.length === 1 ? "This manifest" : `These ${previews.length} manifests`} will be pushed to {registry}/{repository}, each with the image as its subject:
              </p>
              {previews.map((p) => (
                <details key={p.reference} open={previews.length === 1} className="rounded border border-slate-200 dark:border-slate-800">
                  <summary className="cursor-pointer px-2 py-1 font-mono text-xs">
                    {p.reference} → {shortDigest(p.response.preview.digest)}
                  </summary>
                  <pre className="max-h-64 overflow-auto whitespace-pre-wrap break-all p-2 text-xs" data-testid="metadata-manifest">
                    {JSON.stringify(JSON.parse(p.response.preview.manifest), null, 2)}
                  </pre>
                </details>
              ))}
              {denied ? (
                <p className="text-sm text-red-700 dark:text-red-300">{denied.response.deniedMessage}</p>
              ) : (
                <button type="button" onClick={() => write.mutate()} disabled={write.isPending} className="rounded-md bg-slate-800 px-4 py-2 text-sm text-white hover:bg-slate-700 disabled:opacity-50 dark:bg-slate-200 dark:text-slate-900">
                  {write.isPending ? "Writing…" : previews.length === 1 ? "Write it" : `Write all ${previews.length}`}
                </button>
              )}
              {write.isError && <ErrorPanel error={write.error} what="the metadata" />}
            </div>
          )}
        </>
      )}
    </Modal>
  );
}
