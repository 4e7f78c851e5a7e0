import Link from "next/link";
import { href } from "../api";

/** Registries › registry › repository › reference: where a page stands, each step a link but the last. */
export function Breadcrumb({ registry, repository, reference }: { registry: string; repository?: string; reference?: string }) {
  return (
    <nav aria-label="Breadcrumb" className="mb-3 flex flex-wrap items-center gap-1 text-sm text-slate-600 dark:text-slate-300">
      <Link href="/" className="hover:underline">
        Registries
      </Link>
      <span aria-hidden>›</span>
      <Link href={href.registry(registry)} className="break-all hover:underline">
        {registry}
      </Link>
      {repository && (
        <>
          <span aria-hidden>›</span>
          {reference !== undefined ? (
            <>
              <Link href={href.repository(registry, repository)} className="break-all font-mono hover:underline">
                {repository}
              </Link>
              <span aria-hidden>›</span>
              <span className="break-all font-mono">{reference.includes(":") ? reference.slice(0, 19) : reference}</span>
            </>
          ) : (
            <span className="break-all font-mono">{repository}</span>
          )}
        </>
      )}
    </nav>
  );
}
