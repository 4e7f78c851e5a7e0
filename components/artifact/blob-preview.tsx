"use client";

import { useQuery } from "@tanstack/react-query";
import { api } from "../api";
import { describeBlobType } from "@/lib/oci/media-types";
import { formatBytes, shortDigest } from "../format";
import { ErrorPanel, Loading } from "../ui/primitives";

/** A blob's content as text (never markup): JSON pretty-printed, text as is, binary summarised. */
export function BlobPreview({ registry, repository, digest, mediaType, onClose }: { registry: string; repository: string; digest: string; mediaType?: string; onClose?: () => void }) {
  const q = useQuery({ queryKey: ["blob", registry, repository, digest], queryFn: ({ signal }) => api.blob(registry, repository, digest, mediaType, signal), staleTime: Infinity });
  return (
    <div className="rounded-lg border border-slate-200 p-3 dark:border-slate-800" aria-label={`Preview of blob ${digest}`}>
      <div className="flex items-center gap-2 text-xs text-slate-500 dark:text-slate-400">
        <span className="font-mono">{shortDigest(digest, 16)}</span>
        {q.data && (
          <span>
            {describeBlobType(q.data.mediaType) ?? "media type not given"} · {formatBytes(q.data.size)}
            {q.data.preview.truncated ? ` · first ${formatBytes(q.data.previewBytes)} shown` : ""}
          </span>
        )}
        {onClose && (
          <button type="button" onClick={onClose} className="ml-auto rounded px-1.5 hover:bg-slate-100 dark:hover:bg-slate-800" aria-label="Close the preview">
            ✕
          </button>
        )}
      </div>
      <div className="mt-2">
        {q.isPending ? (
          <Loading label="Loading the blob" lines={3} />
        ) : q.isError ? (
          <ErrorPanel error={q.error} what="the blob" />
        ) : q.data.preview.kind === "binary" ? (
          <p className="text-sm">
            Binary content ({q.data.preview.format}); first bytes: <code className="break-all font-mono text-xs">{q.data.preview.head}</code>
          </p>
        ) : (
          <pre data-testid="blob-text" className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded bg-slate-100 p-2 font-mono text-xs dark:bg-slate-900">
            {q.data.preview.text}
          </pre>
        )}
      </div>
    </div>
  );
}
