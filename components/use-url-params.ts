"use client";

import { usePathname, useRouter, useSearchParams } from "next/navigation";
import { useCallback, useEffect } from "react";

/**
 * Page state that lives in the address (filters, sort, graph controls), so
 * every view survives a reload and can be shared. `set` changes some
 * parameters (undefined or "" removes one) without a new history entry.
 *
 * Changes build on the last address asked for, not on the one last rendered:
 * router.replace commits later, so two changes made before it does (two
 * controls changed within a moment) would otherwise each start from the old
 * address, and the second would undo the first. Shared by every component on
 * the page, since they all write the same address.
 */
let pending: { path: string; query: string; at: number } | undefined;
const PENDING_MS = 3000;

export function useUrlParams() {
  const params = useSearchParams();
  const router = useRouter();
  const pathname = usePathname();
  useEffect(() => {
    if (pending && pending.path === pathname && pending.query === params.toString()) pending = undefined;
  }, [params, pathname]);
  const set = useCallback(
    (changes: Record<string, string | undefined>) => {
      const fresh = pending && pending.path === pathname && performance.now() - pending.at < PENDING_MS;
      const next = new URLSearchParams(fresh ? pending!.query : params);
      for (const [k, v] of Object.entries(changes)) {
        if (v) next.set(k, v);
        else next.delete(k);
      }
      pending = { path: pathname, query: next.toString(), at: performance.now() };
      router.replace(`${pathname}${next.size ? `?${next}` : ""}`, { scroll: false });
    },
    [params, pathname, router],
  );
  return { params, set };
}
