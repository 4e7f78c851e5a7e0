"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { SupplyChainGraph } from "@/lib/supply-chain/discover";
import { api, href } from "../api";
import { Annotations } from "../artifact/annotations";
import { BlobPreview } from "../artifact/blob-preview";
import { RawJson } from "../artifact/raw-json";
import { describeBlobType, isEmptyDescriptor } from "@/lib/oci/media-types";
import { formatBytes, formatDate, shortDigest } from "../format";
import { ErrorPanel, Loading } from "../ui/primitives";
import { KIND_STYLES, KindIcon, METHOD_DESCRIPTIONS } from "./kinds";
import { useRights } from "../account/use-rights";
import { DeleteDialog } from "../lifecycle/delete-dialog";
import type { GraphVerification } from "@/lib/verification/verify-graph";
import { SignatureItem, VerdictChip } from "../verification/verdict";
import { signerText } from "@/lib/verification/verdict";
import { DocumentSummaries } from "../documents/document-views";

/** What one node is: descriptor, how it was found, annotations, manifest, blob previews, and a link to its own page. */
export function NodePanel({ registry, repository, graph, verification, digest, onClose }: { registry: string; repository: string; graph: SupplyChainGraph; verification?: GraphVerification; digest: string; onClose: () => void }) {
  const node = graph.nodes.find((n) => n.digest === digest);
  const manifest = useQuery({ queryKey: ["manifest", registry, repository, digest], queryFn: ({ signal }) => api.manifest(registry, repository, digest, signal), enabled: !!node });
  const [blob, setBlob] = useState<string>();
  const [deleting, setDeleting] = useState(false);
  const rights = useRights(registry, repository);
  const canPull = rights.has("pull");
  if (!node) return null;
  const incoming = graph.edges.filter((e) => e.to === digest && e.relation === "referrer");
  const m = manifest.data?.manifest;
  const allBlobs = m && (m.kind === "image" || m.kind === "docker-manifest") ? [m.config, ...m.layers] : m && (m.kind === "oci-artifact" || m.kind === "oras-artifact") ? m.blobs : [];
  // The empty config ({}) of an artifact has nothing to show; what it carries comes first.
  const blobs = allBlobs.filter((b) => !isEmptyDescriptor(b));
  const empty = allBlobs.length - blobs.length;
  return (
    <aside aria-label="Selected artifact" className="space-y-3 rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800" data-testid="node-panel">
      <div className="flex items-start gap-2">
        <span className={`flex h-8 w-8 shrink-0 items-center justify-center rounded text-white ${KIND_STYLES[node.classification.kind].iconBg}`}>
          <KindIcon kind={node.classification.kind} />
        </span>
        <div className="min-w-0">
          <h3 className="font-semibold">{node.classification.label}</h3>
          <p className="break-all font-mono text-xs text-slate-500 dark:text-slate-400">{node.digest}</p>
        </div>
        <button type="button" onClick={onClose} aria-label="Close the panel" className="ml-auto rounded px-1.5 hover:bg-slate-100 dark:hover:bg-slate-800">
          ✕
        </button>
      </div>
      <dl className="grid grid-cols-[7rem_1fr] gap-x-2 gap-y-1 text-xs">
        <dt className="text-slate-500">artifact type</dt>
        <dd className="break-all font-mono">{node.artifactType ?? "—"}</dd>
        <dt className="text-slate-500">media type</dt>
        <dd className="break-all font-mono">{node.mediaType}</dd>
        <dt className="text-slate-500">size</dt>
        <dd>{formatBytes(node.size)}</dd>
        <dt className="text-slate-500">created</dt>
        <dd>{formatDate(node.created)}</dd>
        {node.tags.length > 0 && (
          <>
            <dt className="text-slate-500">tags</dt>
            <dd className="break-all font-mono">{node.tags.join(", ")}</dd>
          </>
        )}
        {incoming.length > 0 && (
          <>
            <dt className="text-slate-500">found by</dt>
            <dd>
              {incoming.map((e) => (
                <span key={e.from} className="block">
                  {e.methods.map((x) => METHOD_DESCRIPTIONS[x]).join(", ")} from {shortDigest(e.from)}
                </span>
              ))}
            </dd>
          </>
        )}
      </dl>
      {node.role === "referrer" && ["sbom", "vulnerability-scan", "attestation"].includes(node.classification.kind) && (
        <DocumentSummaries registry={registry} repository={repository} digest={digest} canPull={canPull} why={rights.why("pull")} />
      )}
      <NodeVerification registry={registry} repository={repository} verification={verification} digest={digest} />
      <div className="flex items-center gap-3">
        <Link href={href.artifact(registry, repository, node.digest)} className="inline-block text-blue-700 underline dark:text-blue-300">
          Open as an artifact page
        </Link>
        {node.role === "referrer" && (
          <button
            type="button"
            onClick={() => setDeleting(true)}
            disabled={!rights.has("delete")}
            title={rights.has("delete") ? "Delete this artifact and what hangs off it" : rights.why("delete")}
            className="ml-auto rounded border border-red-300 px-2 py-0.5 text-xs text-red-700 disabled:opacity-50 dark:border-red-800 dark:text-red-300"
          >
            Delete…
          </button>
        )}
      </div>
      {deleting && <DeleteDialog registry={registry} repository={repository} digests={[node.digest]} onClose={() => { setDeleting(false); onClose(); }} />}
      <div>
        <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Annotations</h4>
        <Annotations values={node.annotations} />
      </div>
      {node.role !== "subject" && (
        <div>
          <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Blobs</h4>
          {manifest.isPending ? (
            <Loading label="Loading the manifest" lines={2} />
          ) : manifest.isError ? (
            <ErrorPanel error={manifest.error} what="the manifest" />
          ) : blobs.length === 0 ? (
            <p className="text-xs text-slate-500">{empty > 0 ? "Only the empty config ({}): this artifact carries everything in its annotations." : "None."}</p>
          ) : (
            <ul className="space-y-1">
              {blobs.map((b, i) => (
                <li key={`${b.digest}-${i}`} className="flex items-center gap-2 text-xs">
                  <button
                    type="button"
                    onClick={() => setBlob(b.digest)}
                    disabled={!canPull}
                    title={canPull ? undefined : `${rights.why("pull")}: blob contents are hidden`}
                    className="whitespace-nowrap font-mono text-blue-700 hover:underline disabled:cursor-not-allowed disabled:text-slate-400 disabled:no-underline dark:text-blue-300"
                  >
                    Preview {shortDigest(b.digest)}
                  </button>
                  <span className="truncate text-slate-500" title={b.mediaType}>
                    {describeBlobType(b.mediaType)}
                  </span>
                  <span className="ml-auto tabular-nums text-slate-500">{formatBytes(b.size)}</span>
                </li>
              ))}
            </ul>
          )}
          {empty > 0 && blobs.length > 0 && <p className="mt-1 text-xs text-slate-500">Plus the empty config ({"{}"}), not shown.</p>}
          {!canPull && blobs.length > 0 && <p className="mt-1 text-xs text-amber-800 dark:text-amber-200">{rights.why("pull")}: previews of blob contents are off.</p>}
          {blob && canPull && (
            <div className="mt-2">
              <BlobPreview key={blob} registry={registry} repository={repository} digest={blob} mediaType={blobs.find((b) => b.digest === blob)?.mediaType} onClose={() => setBlob(undefined)} />
            </div>
          )}
        </div>
      )}
      {manifest.data && (
        <details>
          <summary className="cursor-pointer text-xs font-semibold uppercase tracking-wide text-slate-500">Manifest JSON</summary>
          <RawJson raw={manifest.data.raw} registry={registry} repository={repository} onBlob={setBlob} />
        </details>
      )}
    </aside>
  );
}

/** A signature node: its verdict and check table. A signed node: whether its signatures hold. */
function NodeVerification({ registry, repository, verification, digest }: { registry: string; repository: string; verification?: GraphVerification; digest: string }) {
  const shortened = verification?.signatures.find((s) => s.digest === digest && s.checksOmitted);
  // A large graph lists only the failed checks of signatures on attached artifacts: read the full list of this one.
  const full = useQuery({
    queryKey: ["verification", registry, repository, shortened?.subject],
    queryFn: ({ signal }) => api.verification(registry, repository, shortened!.subject, signal),
    enabled: !!shortened,
  });
  if (!verification) return null;
  const own = verification.signatures
    .filter((s) => s.digest === digest)
    .map((s) => (s.checksOmitted ? (full.data?.signatures.find((f) => f.digest === s.digest && f.layer === s.layer) ?? s) : s));
  const asSubject = verification.subjects[digest];
  if (own.length === 0 && !asSubject) return null;
  return (
    <div data-testid="node-verification">
      <h4 className="text-xs font-semibold uppercase tracking-wide text-slate-500">Verification</h4>
      {asSubject && (
        <p className="flex flex-wrap items-center gap-2 text-xs">
          <VerdictChip verdict={asSubject.verdict} />
          {asSubject.verdict === "verified" ? `signed by ${asSubject.signers.map(signerText).join(" and ")}` : asSubject.summary}
        </p>
      )}
      {own.length > 0 && (
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {own.map((s) => (
            <SignatureItem key={`${s.layer}-${s.subject}`} s={s} open={own.length === 1} />
          ))}
        </ul>
      )}
    </div>
  );
}
