import { RegistryList } from "@/components/registry/registry-list";
import { requireSignIn } from "./session";

export default async function HomePage() {
  await requireSignIn("/");
  return (
    <main className="mx-auto max-w-7xl px-4 py-8">
      <h1 className="text-2xl font-semibold tracking-tight">Registries</h1>
      <p className="mt-1 max-w-3xl text-sm text-slate-600 dark:text-slate-300">
        Signatures, SBOMs, vulnerability scans and attestations attached to images, found however they were attached: the OCI 1.1 referrers API,
        referrers tags, cosign tags, the ORAS draft API and BuildKit attestations.
      </p>
      <div className="mt-6">
        <RegistryList />
      </div>
    </main>
  );
}
