"use client";

import { useQuery } from "@tanstack/react-query";
import type { MeResponse } from "@/lib/server/api/account";
import { apiGet } from "../api";

/** What the signed-in user may do on a repository, to disable what they lack (the server enforces it regardless). */
export function useRights(registry: string, repository?: string) {
  const me = useQuery({
    queryKey: ["me", registry, repository],
    queryFn: ({ signal }) => apiGet<MeResponse>("/api/me", { registry, repository }, signal),
    staleTime: 60_000,
  });
  const rights = me.data?.rights;
  return {
    /** Unknown until loaded: treated as allowed, the server has the last word. */
    has: (right: string) => (rights ? rights.includes(right as never) : true),
    why: (right: string) => `${me.data?.user ?? "You"} lacks the "${right}" right on ${registry}${repository ? `/${repository}` : ""}`,
  };
}
