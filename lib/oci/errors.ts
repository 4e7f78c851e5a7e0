/**
 * Errors a caller must tell apart. Every message says what failed, where, and
 * what to do about it; none carries a stack trace to the user.
 */

export interface SpecErrorEntry {
  code: string;
  message?: string;
  detail?: unknown;
}

/** Marks this module's errors with their families, so that another copy of the module recognises them. */
const FAMILIES = Symbol.for("chainsight.error.families");

export abstract class ChainsightError extends Error {
  abstract readonly code: string;
  /** Abstract classes are a family (matched by it); concrete classes match by their CODE. */
  static readonly FAMILY: string = "chainsight";
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    const families: string[] = [];
    for (let c: unknown = new.target; typeof c === "function" && c !== Error; c = Object.getPrototypeOf(c)) {
      if (Object.prototype.hasOwnProperty.call(c, "FAMILY")) families.push((c as unknown as { FAMILY: string }).FAMILY);
    }
    (this as unknown as Record<symbol, string[]>)[FAMILIES] = families;
  }

  /**
   * `instanceof` that also holds across copies of this module: Next.js bundles pages and route handlers apart, each
   * with its own copy, and the server's runtime (its stores, which throw these) is made by whichever runs first. An
   * error from the other copy is recognised by its family or its code.
   */
  static [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    if (typeof x !== "object" || x === null) return false;
    const families = (x as Record<symbol, unknown>)[FAMILIES];
    if (!Array.isArray(families)) return false;
    if (Object.prototype.hasOwnProperty.call(this, "CODE")) return (x as { code?: unknown }).code === (this as unknown as { CODE: string }).CODE;
    if (Object.prototype.hasOwnProperty.call(this, "FAMILY")) return families.includes((this as unknown as { FAMILY: string }).FAMILY);
    return false;
  }
}

export type ReferencePart = "reference" | "registry" | "repository" | "tag" | "digest";

/** Input that is not a valid reference, repository name, tag or digest. */
export class InvalidReferenceError extends ChainsightError {
  static readonly CODE = "INVALID_REFERENCE";
  readonly code = "INVALID_REFERENCE";
  constructor(
    readonly part: ReferencePart,
    readonly input: string,
    reason: string,
  ) {
    super(`invalid ${part} ${JSON.stringify(truncate(input, 300))}: ${reason}`);
  }
}

/** Base of every failure reported by (or while talking to) a registry. */
export abstract class RegistryError extends ChainsightError {
  static readonly FAMILY: string = "registry";
  /** HTTP status the registry answered with, when there was an answer. */
  readonly status?: number;
  /** The error entries of the spec's `{"errors": [...]}` body, when present. */
  readonly errors: SpecErrorEntry[];
  constructor(
    readonly registry: string,
    message: string,
    opts: { status?: number; errors?: SpecErrorEntry[]; cause?: unknown } = {},
  ) {
    super(message, { cause: opts.cause });
    this.status = opts.status;
    this.errors = opts.errors ?? [];
  }
  /** The first spec error code, e.g. MANIFEST_UNKNOWN. */
  get specCode(): string | undefined {
    return this.errors[0]?.code;
  }
}

export class UnauthorizedError extends RegistryError {
  static readonly CODE = "UNAUTHORIZED";
  readonly code = "UNAUTHORIZED";
}
export class DeniedError extends RegistryError {
  static readonly CODE = "DENIED";
  readonly code = "DENIED";
}
export class NotFoundError extends RegistryError {
  static readonly CODE = "NOT_FOUND";
  readonly code = "NOT_FOUND";
}
export class MethodNotAllowedError extends RegistryError {
  static readonly CODE = "METHOD_NOT_ALLOWED";
  readonly code = "METHOD_NOT_ALLOWED";
}
export class RateLimitedError extends RegistryError {
  static readonly CODE = "TOO_MANY_REQUESTS";
  readonly code = "TOO_MANY_REQUESTS";
  constructor(
    registry: string,
    message: string,
    readonly retryAfterSeconds: number | undefined,
    opts: { status?: number; errors?: SpecErrorEntry[] } = {},
  ) {
    super(registry, message, opts);
  }
}
/** 5xx, or a status the protocol does not define for the call. */
export class UpstreamError extends RegistryError {
  static readonly CODE = "UPSTREAM_ERROR";
  readonly code = "UPSTREAM_ERROR";
}
/** The registry answered, but not with what the protocol says (bad JSON, wrong type). */
export class ProtocolError extends RegistryError {
  static readonly CODE = "PROTOCOL_ERROR";
  readonly code = "PROTOCOL_ERROR";
}
export class InvalidManifestError extends RegistryError {
  static readonly CODE = "INVALID_MANIFEST";
  readonly code = "INVALID_MANIFEST";
}
export class UnsupportedManifestError extends RegistryError {
  static readonly CODE = "UNSUPPORTED_MANIFEST";
  readonly code = "UNSUPPORTED_MANIFEST";
}
export class TooLargeError extends RegistryError {
  static readonly CODE = "TOO_LARGE";
  readonly code = "TOO_LARGE";
}
export class DigestMismatchError extends RegistryError {
  static readonly CODE = "DIGEST_MISMATCH";
  readonly code = "DIGEST_MISMATCH";
}
export class UnreachableError extends RegistryError {
  static readonly CODE = "UNREACHABLE";
  readonly code = "UNREACHABLE";
}
export class TimeoutError extends RegistryError {
  static readonly CODE = "TIMEOUT";
  readonly code = "TIMEOUT";
}
/** A request the client refused to send (host not allowed, bad scheme, private address). */
export class ForbiddenTargetError extends RegistryError {
  static readonly CODE = "FORBIDDEN_TARGET";
  readonly code = "FORBIDDEN_TARGET";
}

/** An OCI image layout on disk that does not follow the image-layout spec; the message names the file. */
export class BrokenLayoutError extends RegistryError {
  static readonly CODE = "BROKEN_LAYOUT";
  readonly code = "BROKEN_LAYOUT";
}

/**
 * The caller's overall budget ran out (an API call's deadline): whatever was
 * still waiting on a registry was stopped.
 */
export class DeadlineExceededError extends ChainsightError {
  static readonly CODE = "DEADLINE_EXCEEDED";
  readonly code = "DEADLINE_EXCEEDED";
  constructor(readonly budgetMs: number) {
    super(
      `this call took longer than its ${Math.round(budgetMs / 100) / 10} s budget (limits.callSeconds in the configuration) and was stopped; a registry is answering slowly or not at all. Try again, narrow the request (a filter, a lower depth or top), or raise the budget`,
    );
  }
}

export function truncate(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}

/** A one-line description of any thrown value, for CLIs and logs. */
export function describeError(err: unknown): string {
  if (err instanceof ChainsightError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
