import type { Metadata } from "next";
import { Suspense } from "react";
import { SearchView } from "@/components/search/search-view";
import { Loading } from "@/components/ui/primitives";
import { requireSignIn } from "@/app/session";

export const metadata: Metadata = { title: "Search" };

export default async function SearchPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  await requireSignIn(typeof sp.q === "string" ? `/search?q=${encodeURIComponent(sp.q)}` : "/search");
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-4 text-xl font-semibold">Search every registry</h1>
      <Suspense fallback={<Loading label="Loading" />}>
        <SearchView />
      </Suspense>
    </main>
  );
}
