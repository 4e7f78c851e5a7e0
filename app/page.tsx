import { DiscoveryMethods } from "@/components/discovery-methods";

export default function HomePage() {
  return (
    <main className="mx-auto max-w-3xl px-6 py-12">
      <h1 className="text-3xl font-semibold tracking-tight">Chainsight</h1>
      <p className="mt-3 text-slate-600 dark:text-slate-300">
        A dashboard for software supply chains stored in OCI registries: what is signed, scanned, attested and described by an SBOM,
        and how each artifact is attached to its subject.
      </p>
      <section className="mt-8 rounded-lg border border-amber-300 bg-amber-50 p-4 text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
        <h2 className="font-medium">Registry browsing is not built yet</h2>
        <p className="mt-1 text-sm">
          The registry client and discovery engine are in place; the pages that use them come next. Until then, explore a registry from the
          command line: <code className="rounded bg-amber-100 px-1 dark:bg-amber-900">npm run discover -- localhost:5000/repo:tag --plain-http</code>
        </p>
      </section>
      <section className="mt-8">
        <h2 className="text-lg font-medium">Attachment methods discovered</h2>
        <DiscoveryMethods />
      </section>
    </main>
  );
}
