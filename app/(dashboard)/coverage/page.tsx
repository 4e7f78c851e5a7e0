import type { Metadata } from "next";
import { Suspense } from "react";
import { CoverageView } from "@/components/coverage/coverage-view";
import { Loading } from "@/components/ui/primitives";
import { requireSignIn } from "@/app/session";

export const metadata: Metadata = { title: "Coverage" };

export default async function CoveragePage() {
  await requireSignIn("/coverage");
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-1 text-xl font-semibold">Coverage</h1>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-300">Which of the images you may read are signed and verified, described, scanned and built where they should be, and which pass each policy: across every registry the index walks.</p>
      <Suspense fallback={<Loading label="Loading" />}>
        <CoverageView />
      </Suspense>
    </main>
  );
}
