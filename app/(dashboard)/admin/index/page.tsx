import type { Metadata } from "next";
import { Suspense } from "react";
import { IndexStatusView } from "@/components/admin/index-status";
import { Loading } from "@/components/ui/primitives";
import { requireSignIn } from "@/app/session";

export const metadata: Metadata = { title: "Index" };

export default async function IndexPage() {
  await requireSignIn("/admin/index");
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-1 text-xl font-semibold">Index</h1>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-300">
        The background walk of every registry that search answers from: what it has done, how fast, and what failed (with the registry&apos;s message).
      </p>
      <Suspense fallback={<Loading label="Loading the index status" />}>
        <IndexStatusView />
      </Suspense>
    </main>
  );
}
