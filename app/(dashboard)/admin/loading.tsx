import { Loading } from "@/components/ui/primitives";

/**
 * Only the admin pages stream behind a loading state. The registry,
 * repository and artifact pages render without one: they first check that
 * what the address names exists, so that a missing one answers HTTP 404 (a
 * streamed page has sent 200 before it knows); their own parts show skeletons.
 */
export default function AdminLoading() {
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      <Loading label="Loading" lines={6} />
    </main>
  );
}
