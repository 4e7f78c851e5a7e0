import { headers } from "next/headers";
import { describeError } from "@/lib/oci/errors";
import type { PageAddress } from "@/lib/server/page-address";
import { getRuntime } from "@/lib/server/runtime";
import { pagePrincipal } from "./session";

/**
 * Does the registry, repository or artifact a page names exist? Asked before
 * the page renders, so that a missing one answers 404 (with not-found.tsx
 * saying what is missing). Only a registry's "not found" counts: a registry
 * that refuses or fails still gets the page, which shows its error in place.
 * Nothing is revealed to a user without the read right there (the page then
 * renders, and the API says "forbidden").
 */
export async function whatIsMissing(address: Pick<PageAddress, "registry" | "repository" | "reference">): Promise<string | undefined> {
  let runtime;
  try {
    runtime = getRuntime();
  } catch {
    return undefined; // the configuration error is shown by the page
  }
  let registry;
  try {
    registry = runtime.registries.get(address.registry);
  } catch (err) {
    return describeError(err);
  }
  if (!address.repository) return undefined;
  const { principal } = await pagePrincipal();
  if (!principal || !runtime.policy.can(principal, "read", address.registry, address.repository)) return undefined;
  try {
    if (address.reference !== undefined) await registry.store.headManifest(address.repository, address.reference);
    else await registry.store.listTags(address.repository);
    return undefined;
  } catch (err) {
    // Duck-typed: the error may come from another bundle's copy of the class.
    return (err as { code?: string })?.code === "NOT_FOUND" ? describeError(err) : undefined;
  }
}

/** The page address the proxy saw (for not-found.tsx, which gets no params). */
export async function requestedPath(): Promise<string | undefined> {
  return (await headers()).get("x-chainsight-path") ?? undefined;
}
