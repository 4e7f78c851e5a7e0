import type { Metadata } from "next";
import { Suspense } from "react";
import { RepositoryBrowser } from "@/components/registry/repository-browser";
import { Loading } from "@/components/ui/primitives";

type Props = { params: Promise<{ registry: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { registry } = await params;
  return { title: decodeURIComponent(registry) };
}

export default async function RegistryPage({ params }: Props) {
  const registry = decodeURIComponent((await params).registry);
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
