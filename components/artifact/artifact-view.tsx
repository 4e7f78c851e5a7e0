"use client";

import Link from "next/link";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { ManifestResponse } from "@/lib/server/api/manifest";
import type { Descriptor } from "@/lib/oci/schemas";
import { describeBlobType } from "@/lib/oci/media-types";
import { api, href } from "../api";
import { formatBytes, formatDate, platformLabel, shortDigest } from "../format";
import { graphQuery, SupplyChain } from "../graph/supply-chain";
import { useUrlParams } from "../use-url-params";
import { KIND_STYLES, KindIcon } from "../graph/kinds";
import { CopyButton, ErrorPanel, Loading } from "../ui/primitives";
import { Annotations } from "./annotations";
import { BlobPreview } from "./blob-preview";
import { useRights } from "../account/use-rights";
import { DeleteDialog } from "../lifecycle/delete-dialog";
import { PromoteDialog } from "../promotion/promote-dialog";
import { MetadataDialog } from "../metadata/metadata-dialog";
import { useRouter } from "next/navigation";
import { RawJson } from "./raw-json";
import { SignaturesSection, VerdictLine } from "../verification/signatures-section";
import { PolicySection } from "../policy/policy-section";
import { AttachedDocuments, ImageSummaryLine } from "../documents/document-views";

/** A tag or digest: what it is, how to fetch it from a CLI, its content, and everything attached to it. */
export function ArtifactView({ registry, repository, reference }: { registry: string; repository: string; reference: string }) {
  const manifest = useQuery({ queryKey: ["manifest", registry, repository, reference], queryFn: ({ signal }) => api.manifest(registry, repository, reference, signal) });
  // The graph is the slowest call of the page: start it now, beside the manifest, not after it.
  const queryClient = useQueryClient();
  const { params } = useUrlParams();
  useEffect(() => {
    void queryClient.prefetchQuery(graphQuery(registry, repository, reference, params));
  }, [queryClient, registry, repository, reference, params]);
  // And the canvas's code, which the graph view loads on demand.
  useEffect(() => {
    if (params.get("view") !== "tree") void import("../graph/graph-canvas");
  }, [params]);
  const reg = useQuery({ queryKey: ["registry", registry], queryFn: ({ signal }) => api.registry(registry, signal), staleTime: 60_000 });
  const [blob, setBlob] = useState<{ digest: string; mediaType?: string }>();
  const [deleting, setDeleting] = useState(false);
  const [promoting, setPromoting] = useState(false);
  const [annotating, setAnnotating] = useState(false);
  const [deletedSubject, setDeletedSubject] = useState(false);
  const router = useRouter();
  const rights = useRights(registry, repository);
  const openBlob = (digest: string, mediaType?: string) => {
    if (!rights.has("pull")) return;
    setBlob({ digest, mediaType: mediaType ?? descriptorsOf(manifest.data).find((d) => d.digest === digest)?.mediaType });
    setTimeout(() => document.getElementById("blob-preview")?.scrollIntoView({ behavior: "smooth", block: "nearest" }), 50);
  };
  if (manifest.isPending) return <Loading label="Loading the manifest" lines={6} />;
  if (manifest.isError) return <ErrorPanel error={manifest.error} what={`${repository}${reference.includes(":") ? "@" : ":"}${reference}`} />;
  const m = manifest.data;
  const url = reg.data?.url;
  const layout = reg.data?.kind === "oci-layout";
  // A layout store's folder is shown to administrators only; others see a placeholder to fill in.
  const host = layout ? (reg.data?.path?.replace(/\/+$/, "") ?? `<folder of ${registry}>`) : url ? new URL(url).host : registry;
  const plain = url?.startsWith("http://") ?? false;
  const deleteButton = (
    <div className="flex flex-wrap items-center gap-2">
      <button
        type="button"
        onClick={() => setDeleting(true)}
        disabled={!rights.has("delete")}
        title={rights.has("delete") ? "See what would be deleted, then confirm" : `${rights.why("delete")}`}
        className="rounded-md border border-red-300 px-3 py-1 text-sm text-red-700 hover:bg-red-50 disabled:cursor-not-allowed disabled:opacity-50 dark:border-red-800 dark:text-red-300 dark:hover:bg-red-950"
      >
        Delete…
      </button>
      {!rights.has("delete") && <span className="text-xs text-slate-500">{rights.why("delete")}</span>}
      <button
        type="button"
        onClick={() => setPromoting(true)}
        disabled={!rights.has("pull")}
        title={rights.has("pull") ? "Copy it with its supply chain to another repository or registry: the plan first" : rights.why("pull")}
        className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        Promote…
      </button>
      <button
        type="button"
        onClick={() => setAnnotating(true)}
        disabled={!rights.has("annotate")}
        title={rights.has("annotate") ? "Add a deletion date, a superseded-by, a review mark or annotations, as an artifact attached to this one: the manifest first" : rights.why("annotate")}
        className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-50 dark:border-slate-700 dark:hover:bg-slate-800"
      >
        Add metadata…
      </button>
      {rights.has("pull") && (
        <a
          href={`/api/registries/${encodeURIComponent(registry)}/archive?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(reference)}`}
          download
          title="The image with its supply chain as an OCI image layout in a tar (for an air-gapped network); import it elsewhere with Import an archive…, oras or skopeo"
          className="rounded-md border border-slate-300 px-3 py-1 text-sm hover:bg-slate-100 dark:border-slate-700 dark:hover:bg-slate-800"
        >
          Download archive
        </a>
      )}
    </div>
  );
  // The supply chain comes right after the title: it is what the page is for. References and commands follow it.
  return (
    <div className="space-y-6">
      <Title
        m={m}
        action={deleteButton}
        verdict={
          <>
            <VerdictLine registry={registry} repository={repository} reference={m.descriptor.digest} />
            {(m.summary.classification.kind === "image" || m.summary.classification.kind === "index") && <ImageSummaryLine registry={registry} repository={repository} reference={m.descriptor.digest} canPull={rights.has("pull")} />}
          </>
        }
      />
      {annotating && <MetadataDialog registry={registry} repository={repository} references={[reference]} onClose={() => setAnnotating(false)} />}
      {promoting && <PromoteDialog registry={registry} repository={repository} references={[reference]} onClose={() => setPromoting(false)} />}
      {deleting && (
        <DeleteDialog
          registry={registry}
          repository={repository}
          digests={[m.descriptor.digest]}
          onClose={() => (deletedSubject ? router.push(href.repository(registry, repository)) : setDeleting(false))}
          onDeleted={() => setDeletedSubject(true)}
        />
      )}
      {m.summary.classification.kind !== "image" && m.summary.classification.kind !== "index" && rights.has("pull") && <AttachedDocuments registry={registry} repository={repository} digest={m.descriptor.digest} />}
      <SupplyChain registry={registry} repository={repository} reference={reference} />
      <SignaturesSection registry={registry} repository={repository} reference={m.descriptor.digest} />
      {(m.summary.classification.kind === "image" || m.summary.classification.kind === "index") && (
        <PolicySection registry={registry} repository={repository} reference={reference} nodeLink={(d) => `${href.artifact(registry, repository, reference)}?node=${encodeURIComponent(d)}`} />
      )}
      <References m={m} host={host} plainHttp={plain} layout={layout} />
      <Content m={m} registry={registry} repository={repository} onBlob={openBlob} pullDenied={rights.has("pull") ? undefined : `${rights.why("pull")}: blob previews are off`} />
      {blob && (
        <section id="blob-preview" aria-label="Blob preview" className="scroll-mt-4">
          <BlobPreview key={blob.digest} registry={registry} repository={repository} digest={blob.digest} mediaType={blob.mediaType} onClose={() => setBlob(undefined)} />
        </section>
      )}
      <section aria-labelledby="raw-heading">
        <h2 id="raw-heading" className="text-lg font-semibold">
          Manifest JSON
        </h2>
        <p className="text-sm text-slate-500 dark:text-slate-400">As the registry sent it, pretty-printed; each digest opens that manifest or blob.</p>
        <RawJson raw={m.raw} registry={registry} repository={repository} onBlob={(d) => openBlob(d)} />
      </section>
    </div>
  );
}

/** Every descriptor a manifest names (config, layers, blobs, children, subject): to know a blob's media type. */
function descriptorsOf(m: ManifestResponse | undefined): Descriptor[] {
  const man = m?.manifest;
  if (!man) return [];
  const out: Descriptor[] = [];
  if (man.kind === "image" || man.kind === "docker-manifest") out.push(man.config, ...man.layers);
  if (man.kind === "oci-artifact" || man.kind === "oras-artifact") out.push(...man.blobs);
  if (man.kind === "index" || man.kind === "docker-list") out.push(...man.manifests);
  return out;
}

function Title({ m, action, verdict }: { m: ManifestResponse; action: React.ReactNode; verdict: React.ReactNode }) {
  const isDigest = m.reference.includes(":");
  const s = m.summary;
  return (
    <header className="flex flex-wrap items-start gap-3">
      <span className={`flex h-9 w-9 shrink-0 items-center justify-center rounded-md text-white ${KIND_STYLES[s.classification.kind].iconBg}`}>
        <KindIcon kind={s.classification.kind} className="h-5 w-5" />
      </span>
      <div className="min-w-0 flex-1">
        <h1 className="break-all font-mono text-xl font-semibold">
          {m.repository}
          {isDigest ? `@${shortDigest(m.reference, 16)}` : `:${m.reference}`}
        </h1>
        <p className="break-words text-sm text-slate-600 dark:text-slate-300">
          {s.classification.label === s.artifactType ? "artifact" : s.classification.label}
          {s.artifactType && s.classification.kind !== "image" ? ` · ${s.artifactType}` : ""} · {s.mediaType} · manifest {formatBytes(s.size)}
          {s.contentSize !== undefined ? ` · content ${formatBytes(s.contentSize)}${s.platforms ? " (all platforms, shared layers once)" : ""}` : ""} · created {formatDate(s.created)}
        </p>
        {verdict}
      </div>
      {action}
    </header>
  );
}

function References({ m, host, plainHttp, layout }: { m: ManifestResponse; host: string; plainHttp: boolean; layout: boolean }) {
  const isDigest = m.reference.includes(":");
  const tagRef = isDigest ? undefined : `${host}/${m.repository}:${m.reference}`;
  const digestRef = `${host}/${m.repository}@${m.descriptor.digest}`;
  // For a folder of OCI layouts the "host" is the folder, and the tools take it with --oci-layout / ocidir://.
  const flag = layout ? " --oci-layout" : plainHttp ? " --plain-http" : "";
  const s = m.summary;
  const commands = [
    { label: "oras discover", text: `oras discover${flag} --format tree ${tagRef ?? digestRef}` },
    { label: "oras manifest fetch", text: `oras manifest fetch${flag} --pretty ${digestRef}` },
    { label: "regctl artifact tree", text: `regctl artifact tree ${layout ? "ocidir://" : ""}${tagRef ?? digestRef}` },
  ];
  return (
    <section aria-label="References" className="space-y-3">
      <dl className="grid gap-1 text-sm">
        {tagRef && <RefLine label="Tag reference" value={tagRef} />}
        <RefLine label="Digest reference" value={digestRef} />
      </dl>
      <details className="rounded-lg border border-slate-200 p-3 text-sm dark:border-slate-800">
        <summary className="cursor-pointer font-medium">The same from a command line</summary>
        <ul className="mt-2 space-y-1">
          {commands.map((c) => (
            <li key={c.label} className="flex items-center gap-2">
              <code className="min-w-0 flex-1 truncate rounded bg-slate-100 px-2 py-1 font-mono text-xs dark:bg-slate-900" title={c.text}>
                {c.text}
              </code>
              <CopyButton text={c.text} label={`${c.label} command`} />
            </li>
          ))}
        </ul>
      </details>
      {s.subject && (
        <p className="text-sm">
          Attached to{" "}
          <Link href={href.artifact(m.registry, m.repository, s.subject)} className="font-mono text-blue-700 hover:underline dark:text-blue-300">
            {shortDigest(s.subject, 16)}
          </Link>{" "}
          (its subject)
        </p>
      )}
    </section>
  );
}

function RefLine({ label, value }: { label: string; value: string }) {
  // On a phone the label goes above and the reference wraps: a digest reference is wider than the screen.
  return (
    <div className="flex flex-col gap-0.5 sm:flex-row sm:items-center sm:gap-2">
      <dt className="shrink-0 text-slate-500 sm:w-36 dark:text-slate-400">{label}</dt>
      <dd className="flex min-w-0 items-center gap-2">
        <code className="min-w-0 break-all font-mono text-xs" title={value}>
          {value}
        </code>
        <CopyButton text={value} label={label.toLowerCase()} />
      </dd>
    </div>
  );
}

function Content({ m, registry, repository, onBlob, pullDenied }: { m: ManifestResponse; registry: string; repository: string; onBlob: (digest: string, mediaType?: string) => void; pullDenied?: string }) {
  const man = m.manifest;
  const platforms = m.summary.platforms;
  const blobs: { role: string; d: Descriptor }[] = [];
  if (man.kind === "image" || man.kind === "docker-manifest") {
    blobs.push({ role: "config", d: man.config }, ...man.layers.map((d, i) => ({ role: `layer ${i + 1}`, d })));
  } else if (man.kind === "oci-artifact" || man.kind === "oras-artifact") {
    blobs.push(...man.blobs.map((d, i) => ({ role: `blob ${i + 1}`, d })));
  }
  const childAttestations = man.kind === "index" || man.kind === "docker-list" ? man.manifests.filter((d) => d.annotations?.["vnd.docker.reference.type"]) : [];
  return (
    <section aria-labelledby="content-heading" className="space-y-4">
      <h2 id="content-heading" className="text-lg font-semibold">
        Content
      </h2>
      {man.kind === "schema1" && <p className="text-sm text-amber-800 dark:text-amber-200">{man.unsupported}</p>}
      {platforms && (
        <div>
          <h3 className="text-sm font-semibold">Platforms</h3>
          {platforms.length === 0 ? (
            <p className="text-sm text-slate-500">This index lists no platform images.</p>
          ) : (
            <ul className="mt-1 divide-y divide-slate-200 rounded-lg border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
              {platforms.map((p) => (
                <li key={p.digest} className="flex items-center gap-3 px-3 py-1.5">
                  <span className="w-28 shrink-0 font-mono text-xs sm:w-40">{platformLabel(p.platform)}</span>
                  <Link href={href.artifact(registry, repository, p.digest)} className="font-mono text-xs text-blue-700 hover:underline dark:text-blue-300">
                    {shortDigest(p.digest, 16)}
                  </Link>
                  <span className="ml-auto text-xs text-slate-500" title={`manifest ${formatBytes(p.size)}`}>
                    {p.contentSize !== undefined ? formatBytes(p.contentSize) : `manifest ${formatBytes(p.size)}`}
                  </span>
                </li>
              ))}
            </ul>
          )}
          {childAttestations.length > 0 && (
            <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">
              Plus {childAttestations.length} BuildKit attestation manifest{childAttestations.length === 1 ? "" : "s"}, shown in the supply chain above.
            </p>
          )}
        </div>
      )}
      {blobs.length > 0 && (
        <div>
          <h3 className="text-sm font-semibold">Config and layers</h3>
          {pullDenied && <p className="text-xs text-amber-800 dark:text-amber-200">{pullDenied}.</p>}
          <ul className="mt-1 divide-y divide-slate-200 rounded-lg border border-slate-200 text-sm dark:divide-slate-800 dark:border-slate-800">
            {blobs.map(({ role, d }) => (
              <li key={`${role}-${d.digest}`} className="flex flex-wrap items-center gap-3 px-3 py-1.5">
                <span className="w-16 text-xs text-slate-500">{role}</span>
                <button
                  type="button"
                  onClick={() => onBlob(d.digest, d.mediaType)}
                  disabled={!!pullDenied}
                  className="font-mono text-xs text-blue-700 hover:underline disabled:cursor-not-allowed disabled:text-slate-400 disabled:no-underline dark:text-blue-300"
                  title={pullDenied ?? `Preview ${d.digest}`}
                >
                  {shortDigest(d.digest, 16)}
                </button>
                <span className="min-w-0 flex-1 truncate text-xs text-slate-600 dark:text-slate-300" title={d.mediaType}>
                  {describeBlobType(d.mediaType)}
                </span>
                <span className="text-xs tabular-nums text-slate-500">{formatBytes(d.size)}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      <div>
        <h3 className="text-sm font-semibold">Annotations</h3>
        <Annotations values={man.annotations} />
      </div>
    </section>
  );
}
