import type { Metadata } from "next";
import { Suspense } from "react";
import { AuditTrail } from "@/components/account/audit-trail";
import { Loading } from "@/components/ui/primitives";
import { pathWithQuery, requireSignIn } from "@/app/session";

export const metadata: Metadata = { title: "Audit trail" };

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function AuditPage({ searchParams }: Props) {
  await requireSignIn(pathWithQuery("/admin/audit", await searchParams));
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-1 text-xl font-semibold">Audit trail</h1>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-300">Every API call: who, what, where, and how it ended. Newest first.</p>
      <Suspense fallback={<Loading label="Loading the audit trail" />}>
        <AuditTrail />
      </Suspense>
    </main>
  );
}
