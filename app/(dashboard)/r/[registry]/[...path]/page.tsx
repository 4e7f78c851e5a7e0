import type { Metadata } from "next";
import Link from "next/link";
import { Suspense } from "react";
import { preload } from "react-dom";
import { graphRequest } from "@/components/graph/graph-request";
import { ArtifactView } from "@/components/artifact/artifact-view";
import { href } from "@/components/api";
import { TagTable } from "@/components/repository/tag-table";
import { RetentionView } from "@/components/lifecycle/retention-view";
import { DiffView } from "@/components/diff/diff-view";
import { Loading } from "@/components/ui/primitives";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { notFound } from "next/navigation";
import { parsePageAddress, pageTitle, type PageAddress } from "@/lib/server/page-address";
import { whatIsMissing } from "@/app/page-target";

import { pathWithQuery, requireSignIn } from "@/app/session";

type Props = { params: Promise<{ registry: string; path: string[] }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

/**
 * `/r/<registry>/<repository>/diff?from=&to=` compares two versions. A repository whose last component is
 * "diff" is still reached without from/to (the comparison needs both, so nothing is ambiguous).
 */
function isDiff(path: string[], sp: Record<string, string | string[] | undefined>): boolean {
  return path.length > 1 && path[path.length - 1] === "diff" && (sp.from !== undefined || sp.to !== undefined);
}

async function target(params: Props["params"], searchParams?: Props["searchParams"]): Promise<PageAddress> {
  const p = await params;
  const sp = searchParams ? await searchParams : {};
  return parsePageAddress(p.registry, isDiff(p.path, sp) ? p.path.slice(0, -1) : p.path);
}

export async function generateMetadata({ params, searchParams }: Props): Promise<Metadata> {
  const p = await params;
  const sp = await searchParams;
  const t = await target(params, searchParams);
  return { title: isDiff(p.path, sp) ? `${t.repository}: ${String(sp.from ?? "")} → ${String(sp.to ?? "")}` : pageTitle(t) };
}

export default async function RepositoryOrArtifactPage({ params, searchParams }: Props) {
  const p = await params;
  const sp = await searchParams;
  await requireSignIn(pathWithQuery(`/r/${p.registry}/${p.path.join("/")}`, sp));
  const cleanup = sp.view === "cleanup";
  const diff = isDiff(p.path, sp);
  const t = await target(params, searchParams);
  // A missing registry, repository or artifact answers 404; not-found.tsx says which.
  if (!t.error && (await whatIsMissing(t))) notFound();
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <Breadcrumb registry={t.registry} repository={t.repository} reference={t.reference} />
      {t.error ? (
        <div role="alert" data-testid="error" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100">
          <p className="font-medium">This address does not name a repository{t.reference !== undefined ? " and reference" : ""}</p>
          <p className="mt-1 break-words">{t.error}</p>
        </div>
      ) : diff ? (
        <>
          <h1 className="mb-2 break-all font-mono text-xl font-semibold">{t.repository}: compare versions</h1>
          <Suspense fallback={<Loading label="Loading" />}>
            <DiffView registry={t.registry} repository={t.repository} />
          </Suspense>
        </>
      ) : t.reference !== undefined ? (
        <Suspense fallback={<Loading label="Loading the artifact" />}>
          <PreloadGraph registry={t.registry} repository={t.repository} reference={t.reference} searchParams={sp} />
          <ArtifactView registry={t.registry} repository={t.repository} reference={t.reference} />
        </Suspense>
      ) : (
        <>
          <h1 className="mb-2 break-all font-mono text-xl font-semibold">{t.repository}</h1>
          <nav aria-label="Repository views" className="mb-4 flex gap-4 border-b border-slate-200 text-sm dark:border-slate-800">
            <Link href={href.repository(t.registry, t.repository)} aria-current={cleanup ? undefined : "page"} className={`-mb-px border-b-2 px-1 py-1 ${cleanup ? "border-transparent" : "border-slate-800 font-medium dark:border-slate-200"}`}>
              Tags
            </Link>
            <Link href={`${href.repository(t.registry, t.repository)}?view=cleanup`} aria-current={cleanup ? "page" : undefined} className={`-mb-px border-b-2 px-1 py-1 ${cleanup ? "border-slate-800 font-medium dark:border-slate-200" : "border-transparent"}`}>
              Cleanup
            </Link>
            <Link href={href.diff(t.registry, t.repository, "", "")} className="-mb-px border-b-2 border-transparent px-1 py-1">
              Compare
            </Link>
          </nav>
          <Suspense fallback={<Loading label="Loading" />}>
            {cleanup ? <RetentionView registry={t.registry} repository={t.repository} /> : <TagTable registry={t.registry} repository={t.repository} />}
          </Suspense>
        </>
      )}
    </main>
  );
}

/**
 * The artifact page's slowest call, started by the browser as it reads the HTML (a fetch preload), so it runs
 * while the page's JavaScript loads; the supply-chain view's request (same URL) then takes the answer.
 */
function PreloadGraph({ registry, repository, reference, searchParams }: { registry: string; repository: string; reference: string; searchParams: Record<string, string | string[] | undefined> }) {
  const params = { get: (name: string) => (typeof searchParams[name] === "string" ? (searchParams[name] as string) : null) };
  if (params.get("view") === "tree") return null;
  preload(graphRequest(registry, repository, reference, params).path, { as: "fetch", crossOrigin: "anonymous" });
  return null;
}
