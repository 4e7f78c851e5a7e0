import type { Metadata } from "next";
import { Suspense } from "react";
import { RepositoryBrowser } from "@/components/registry/repository-browser";
import { Loading } from "@/components/ui/primitives";

import { pathWithQuery, requireSignIn } from "@/app/session";

type Props = { params: Promise<{ registry: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { registry } = await params;
  return { title: decodeURIComponent(registry) };
}

export default async function RegistryPage({ params, searchParams }: Props) {
  const registry = decodeURIComponent((await params).registry);
  await requireSignIn(pathWithQuery(`/r/${encodeURIComponent(registry)}`, await searchParams));
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-4 text-xl font-semibold">
        Registry <span className="font-mono">{registry}</span>
      </h1>
      <Suspense fallback={<Loading label="Loading repositories" />}>
        <RepositoryBrowser registry={registry} />
      </Suspense>
    </main>
  );
}
