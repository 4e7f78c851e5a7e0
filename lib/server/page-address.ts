import { describeError } from "../oci/errors";
import { validateReference, validateRepository } from "../oci/reference";

/**
 * What a dashboard address names: `/r/<registry>/<repository...>` a
 * repository, `/r/<registry>/<repository...>/@<tag|digest>` an artifact.
 * Plain data, so that the proxy (which sets the status) and the page (which
 * renders) read an address the same way.
 */
export interface PageAddress {
  registry: string;
  repository: string;
  reference?: string;
  /** Why the address names nothing valid (a malformed name, tag or digest). */
  error?: string;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** From the route's `registry` and `path` segments (still URL-encoded). */
export function parsePageAddress(registrySegment: string, pathSegments: string[]): PageAddress {
  const registry = decode(registrySegment);
  const segments = pathSegments.map(decode);
  const last = segments[segments.length - 1];
  const reference = last?.startsWith("@") ? last.slice(1) : undefined;
  const repository = (reference !== undefined ? segments.slice(0, -1) : segments).join("/");
  try {
    validateRepository(repository);
    if (reference !== undefined) validateReference(reference);
    return { registry, repository, reference };
  } catch (err) {
    return { registry, repository, reference, error: describeError(err) };
  }
}

/** A URL path `/r/...` as a page address, or undefined for other paths. */
export function pageAddressOfPath(pathname: string): PageAddress | undefined {
  const m = /^\/r\/([^/]+)\/(.+?)\/?$/.exec(pathname);
  if (!m) return undefined;
  return parsePageAddress(m[1], m[2].split("/"));
}

/** The page title: `repo:tag` for a tag, `repo@sha256:…` for a digest, as references are written. */
export function pageTitle(a: PageAddress): string {
  if (a.reference === undefined) return a.repository;
  return a.reference.includes(":") ? `${a.repository}@${a.reference}` : `${a.repository}:${a.reference}`;
}
