import type { Metadata } from "next";
import { Suspense } from "react";
import { RepositoryBrowser } from "@/components/registry/repository-browser";
import { RetentionView } from "@/components/lifecycle/retention-view";
import Link from "next/link";
import { Loading } from "@/components/ui/primitives";

import { notFound } from "next/navigation";
import { whatIsMissing } from "@/app/page-target";
import { pathWithQuery, requireSignIn } from "@/app/session";

type Props = { params: Promise<{ registry: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { registry } = await params;
  return { title: decodeURIComponent(registry) };
}

export default async function RegistryPage({ params, searchParams }: Props) {
  const registry = decodeURIComponent((await params).registry);
  const sp = await searchParams;
  await requireSignIn(pathWithQuery(`/r/${encodeURIComponent(registry)}`, sp));
  const prefix = typeof sp.prefix === "string" ? sp.prefix : "";
  const cleanup = sp.view === "cleanup";
  if (await whatIsMissing({ registry, repository: "" })) notFound();
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-4 text-xl font-semibold">
        Registry <span className="font-mono">{registry}</span>
      </h1>
      <p className="mb-3 text-sm">
        {cleanup ? (
          <Link href={`/r/${encodeURIComponent(registry)}${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ""}`} className="text-blue-700 hover:underline dark:text-blue-300">
            Back to the repositories
          </Link>
        ) : (
          <Link href={`/r/${encodeURIComponent(registry)}?view=cleanup${prefix ? `&prefix=${encodeURIComponent(prefix)}` : ""}`} className="text-blue-700 hover:underline dark:text-blue-300">
            Cleanup candidates {prefix ? `under ${prefix}` : "in this registry"}
          </Link>
        )}
      </p>
      <Suspense fallback={<Loading label="Loading repositories" />}>
        {cleanup ? <RetentionView registry={registry} prefix={prefix} /> : <RepositoryBrowser registry={registry} />}
      </Suspense>
    </main>
  );
}
