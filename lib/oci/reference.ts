import { parseDigest } from "./digest";
import { InvalidReferenceError } from "./errors";

/**
 * A reference to content in a registry, as a plain value:
 * `registry/repository[:tag][@digest]`. Validation lives in the functions
 * below, not in the value.
 */
export interface Reference {
  /** Canonical registry host with optional port, e.g. `docker.io`, `localhost:5000`. */
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export const DOCKER_HUB = "docker.io";
/** Host that actually serves Docker Hub's distribution API. */
export const DOCKER_HUB_ENDPOINT = "registry-1.docker.io";
const DOCKER_HUB_ALIASES = new Set(["docker.io", "index.docker.io", "registry-1.docker.io", "registry.hub.docker.com"]);

/** Repository path component grammar of the distribution spec. */
const PATH_COMPONENT = /^[a-z0-9]+(?:(?:\.|_|__|-+)[a-z0-9]+)*$/;
export const TAG_PATTERN = /^[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}$/;
const HOST_LABEL = /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])$/;
const MAX_NAME_LENGTH = 255;

export function validateRepository(repository: string): void {
  if (repository.length === 0) throw new InvalidReferenceError("repository", repository, "the repository name is empty");
  if (repository.length > MAX_NAME_LENGTH) {
    throw new InvalidReferenceError("repository", repository, `longer than ${MAX_NAME_LENGTH} characters`);
  }
  const parts = repository.split("/");
  for (const part of parts) {
    if (!PATH_COMPONENT.test(part)) {
      const why =
        part.length === 0
          ? "it has an empty path component (leading, trailing or double '/')"
          : /[A-Z]/.test(part)
            ? `path component "${part}" has uppercase letters; repository names are lowercase`
            : `path component "${part}" must be lowercase letters and digits, separated by '.', '_', '__' or '-'`;
      throw new InvalidReferenceError("repository", repository, why);
    }
  }
}

export function isValidRepository(repository: string): boolean {
  try {
    validateRepository(repository);
    return true;
  } catch {
    return false;
  }
}

/** A tag or a digest (what follows `:` or `@` in a reference); the error names which part is wrong. */
export function validateReference(reference: string): void {
  if (reference.includes(":")) parseDigest(reference);
  else validateTag(reference);
}

export function validateTag(tag: string): void {
  if (!TAG_PATTERN.test(tag)) {
    const why =
      tag.length === 0
        ? "the tag is empty"
        : tag.length > 128
          ? `tags are at most 128 characters (got ${tag.length})`
          : "tags start with a letter, digit or '_' and contain only letters, digits, '_', '.' and '-'";
    throw new InvalidReferenceError("tag", tag, why);
  }
}

export function validateRegistry(host: string): void {
  const fail = (why: string) => {
    throw new InvalidReferenceError("registry", host, why);
  };
  if (host.length === 0) fail("the registry host is empty");
  let name = host;
  let port: string | undefined;
  if (host.startsWith("[")) {
    const end = host.indexOf("]");
    if (end < 0) fail("unterminated IPv6 address");
    const rest = host.slice(end + 1);
    if (rest !== "" && !/^:\d+$/.test(rest)) fail("expected ':<port>' after the IPv6 address");
    if (!/^[0-9a-fA-F:.]+$/.test(host.slice(1, end))) fail("not an IPv6 address");
    port = rest ? rest.slice(1) : undefined;
  } else {
    const i = host.lastIndexOf(":");
    if (i >= 0) {
      name = host.slice(0, i);
      port = host.slice(i + 1);
      if (!/^\d+$/.test(port)) fail(`port "${port}" is not a number`);
    }
    for (const label of name.split(".")) {
      if (!HOST_LABEL.test(label)) fail(`host label "${label}" is not a valid DNS label`);
    }
  }
  if (port !== undefined) {
    const n = Number(port);
    if (!(n >= 1 && n <= 65535)) fail(`port ${port} is out of range 1-65535`);
  }
}

/** Canonical name for a registry host: Docker Hub's aliases become `docker.io`. */
export function canonicalRegistry(host: string): string {
  const lower = host.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : host;
}

/** The host that serves the distribution API for a canonical registry name. */
export function registryEndpoint(registry: string): string {
  return canonicalRegistry(registry) === DOCKER_HUB ? DOCKER_HUB_ENDPOINT : registry;
}

function looksLikeHost(component: string): boolean {
  return component.includes(".") || component.includes(":") || component === "localhost" || component.startsWith("[") || /[A-Z]/.test(component);
}

export interface ParseOptions {
  /** Registry used when the input names none. Defaults to Docker Hub. */
  defaultRegistry?: string;
}

/**
 * Parse `[host[:port]/]repo[:tag][@digest]`. Docker Hub names are normalised
 * (`ubuntu` → `docker.io/library/ubuntu`, `index.docker.io/x/y` → `docker.io/x/y`).
 */
export function parseReference(input: string, options: ParseOptions = {}): Reference {
  const raw = input.trim();
  if (raw.length === 0) throw new InvalidReferenceError("reference", input, "the reference is empty");
  if (/\s/.test(raw)) throw new InvalidReferenceError("reference", input, "references contain no spaces");
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    throw new InvalidReferenceError("reference", input, "give the reference without a URL scheme, e.g. localhost:5000/repo:tag");
  }

  let rest = raw;
  let digest: string | undefined;
  const at = rest.indexOf("@");
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    parseDigest(digest);
  }

  let registry: string | undefined;
  const slash = rest.indexOf("/");
  if (slash >= 0 && looksLikeHost(rest.slice(0, slash))) {
    registry = rest.slice(0, slash);
    rest = rest.slice(slash + 1);
    validateRegistry(registry);
  }

  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf("/");
  const colon = rest.indexOf(":", lastSlash + 1);
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    validateTag(tag);
  }

  let repository = rest;
  const canonical = canonicalRegistry(registry ?? options.defaultRegistry ?? DOCKER_HUB);
  if (canonical === DOCKER_HUB && repository.length > 0 && !repository.includes("/")) {
    repository = `library/${repository}`;
  }
  validateRepository(repository);
  if (canonical.length + 1 + repository.length > MAX_NAME_LENGTH) {
    throw new InvalidReferenceError("repository", repository, `registry and repository together exceed ${MAX_NAME_LENGTH} characters`);
  }
  return { registry: canonical, repository, tag, digest };
}

export function formatReference(ref: Reference): string {
  return `${ref.registry}/${ref.repository}${ref.tag ? `:${ref.tag}` : ""}${ref.digest ? `@${ref.digest}` : ""}`;
}

/** The tag or digest a request should use: the digest wins when both are given. */
export function referenceTarget(ref: Reference): string {
  return ref.digest ?? ref.tag ?? "latest";
}
