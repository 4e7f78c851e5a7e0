import type { Metadata } from "next";
import { Suspense } from "react";
import { TrustEditor } from "@/components/admin/trust-editor";
import { Loading } from "@/components/ui/primitives";
import { requireSignIn } from "@/app/session";

export const metadata: Metadata = { title: "Trust" };

export default async function TrustPage() {
  await requireSignIn("/admin/trust");
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <h1 className="mb-1 text-xl font-semibold">Trust</h1>
      <p className="mb-4 text-sm text-slate-600 dark:text-slate-300">
        Whom the server trusts to sign: Notary Project trust policy and stores, the Sigstore trusted root, cosign keys and keyless identities. What the
        configuration file sets is shown here and changed there; the rest an administrator can change here (audited).
      </p>
      <Suspense fallback={<Loading label="Loading the trust configuration" />}>
        <TrustEditor />
      </Suspense>
    </main>
  );
}
