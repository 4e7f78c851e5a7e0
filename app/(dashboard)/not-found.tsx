import Link from "next/link";
import { Breadcrumb } from "@/components/ui/breadcrumb";
import { pageAddressOfPath } from "@/lib/server/page-address";
import { requestedPath, whatIsMissing } from "@/app/page-target";

/**
 * 404 for the dashboard: says what is missing (the registry, the repository
 * or the tag or digest), as the page itself would have, with the way back.
 */
export default async function DashboardNotFound() {
  const path = await requestedPath();
  const registryOnly = path ? /^\/r\/([^/]+)\/?$/.exec(path) : null;
  const address = registryOnly ? { registry: decodeURIComponent(registryOnly[1]), repository: "" } : path ? pageAddressOfPath(path) : undefined;
  const missing = address && !("error" in address && address.error) ? await whatIsMissing(address) : undefined;
  return (
    <main className="mx-auto max-w-7xl px-4 py-6">
      {address && <Breadcrumb registry={address.registry} repository={address.repository || undefined} />}
      <div role="alert" data-testid="error" className="rounded-lg border border-red-300 bg-red-50 p-4 text-sm text-red-900 dark:border-red-800 dark:bg-red-950/60 dark:text-red-100">
        <p className="font-medium">Not found</p>
        <p className="mt-1 break-words">
          {missing ??
            "This address names no registry page. Repository pages look like /r/<registry>/<repository>, artifact pages like /r/<registry>/<repository>/@<tag or digest>."}
        </p>
      </div>
      <Link href="/" className="mt-4 inline-block text-blue-700 underline dark:text-blue-300">
        Back to the registries
      </Link>
    </main>
  );
}
