import {
  ForbiddenTargetError,
  NotFoundError,
  DeniedError,
  MethodNotAllowedError,
  ProtocolError,
  RateLimitedError,
  RegistryError,
  TimeoutError,
  TooLargeError,
  UnauthorizedError,
  UnreachableError,
  UpstreamError,
  truncate,
  type SpecErrorEntry,
} from "./errors";
import { specErrorBodySchema } from "./schemas";

/**
 * The HTTP layer under the registry client: one request at a time, with a
 * timeout, manual redirects (Authorization is dropped when the host changes),
 * a per-URL guard and bounded body reads. Knows nothing of auth or the API.
 */

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

export interface RequestRecord {
  registry: string;
  method: string;
  url: string;
  status?: number;
  durationMs: number;
  error?: string;
}

export type TargetPurpose = "registry" | "redirect" | "token";

export interface TransportOptions {
  /** Registry name used in error messages. */
  registry: string;
  fetch?: FetchLike;
  /** Per request, including redirects. Default 30 s. */
  timeoutMs?: number;
  maxRedirects?: number;
  /** Called before every request leaves the process; throw ForbiddenTargetError to refuse it. */
  guard?: (url: URL, purpose: TargetPurpose) => void | Promise<void>;
  /** Called after every upstream request (for logs and metrics). */
  onRequest?: (record: RequestRecord) => void;
  userAgent?: string;
  /**
   * The caller's deadline, asked for at each request: once it fires, waiting
   * requests fail with its reason and new ones are not sent.
   */
  signal?: () => AbortSignal | undefined;
}

export interface SendRequest {
  method: string;
  url: string;
  headers?: Record<string, string>;
  body?: Uint8Array | string;
  purpose?: TargetPurpose;
  /** This request's own time limit (a blob streamed whole takes longer than a manifest). */
  timeoutMs?: number;
}

export const USER_AGENT = "chainsight/0.1";

export class Transport {
  readonly registry: string;
  private readonly fetchImpl: FetchLike;
  private readonly timeoutMs: number;
  private readonly maxRedirects: number;
  constructor(private readonly options: TransportOptions) {
    this.registry = options.registry;
    this.fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.maxRedirects = options.maxRedirects ?? 5;
  }

  /** Send a request, following redirects by hand. The caller reads (or cancels) the body. */
  async send(req: SendRequest): Promise<Response> {
    let url = new URL(req.url);
    let method = req.method;
    let body = req.body;
    const headers: Record<string, string> = { "user-agent": this.options.userAgent ?? USER_AGENT, ...req.headers };
    let purpose: TargetPurpose = req.purpose ?? "registry";
    for (let hop = 0; ; hop++) {
      await this.check(url, purpose);
      const res = await this.once(method, url, headers, body, req.timeoutMs);
      if (res.status < 300 || res.status >= 400 || res.status === 304) return res;
      const location = res.headers.get("location");
      if (!location) return res;
      await res.body?.cancel().catch(() => {});
      if (hop >= this.maxRedirects) {
        throw new UpstreamError(this.registry, `${this.registry}: more than ${this.maxRedirects} redirects for ${req.method} ${req.url}`, {
          status: res.status,
        });
      }
      let next: URL;
      try {
        next = new URL(location, url);
      } catch {
        throw new ProtocolError(this.registry, `${this.registry}: redirect to an invalid URL ${JSON.stringify(truncate(location, 200))}`);
      }
      if (next.origin !== url.origin) {
        delete headers.authorization;
        delete headers.Authorization;
      }
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
        method = method === "HEAD" ? "HEAD" : "GET";
        body = undefined;
      }
      url = next;
      purpose = "redirect";
    }
  }

  private async check(url: URL, purpose: TargetPurpose): Promise<void> {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new ForbiddenTargetError(
        this.registry,
        `${this.registry}: refused to follow a ${purpose === "token" ? "token realm" : "redirect"} to ${url.protocol} URL; only http and https are allowed`,
      );
    }
    await this.options.guard?.(url, purpose);
  }

  private async once(method: string, url: URL, headers: Record<string, string>, body: Uint8Array | string | undefined, timeoutMs = this.timeoutMs): Promise<Response> {
    const deadline = this.options.signal?.();
    if (deadline?.aborted) throw deadlineReason(deadline);
    const timeout = AbortSignal.timeout(timeoutMs);
    const started = performance.now();
    const record: RequestRecord = { registry: this.registry, method, url: url.toString(), durationMs: 0 };
    try {
      const res = await this.fetchImpl(url.toString(), {
        method,
        headers,
        body: body as BodyInit | undefined,
        redirect: "manual",
        signal: deadline ? AbortSignal.any([timeout, deadline]) : timeout,
      });
      record.status = res.status;
      return res;
    } catch (err) {
      record.error = (err as Error).message;
      if (deadline?.aborted) throw deadlineReason(deadline);
      throw this.networkError(err, method, url);
    } finally {
      record.durationMs = performance.now() - started;
      this.options.onRequest?.(record);
    }
  }

  private networkError(err: unknown, method: string, url: URL): RegistryError {
    const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
    if (e?.name === "TimeoutError" || e?.name === "AbortError") {
      return new TimeoutError(this.registry, `${this.registry}: no answer within ${this.timeoutMs} ms for ${method} ${url.pathname}`, { cause: err });
    }
    const code = e?.cause?.code ?? "";
    if (code === "ECHAINSIGHTFORBIDDEN") {
      // The connection-time guard refused the address a name resolved to.
      return new ForbiddenTargetError(this.registry, `${this.registry}: ${e.cause?.message ?? "refused to connect"}`, { cause: err });
    }
    const why =
      code === "ECONNREFUSED"
        ? "connection refused (is the registry running, and is the port right?)"
        : code === "ENOTFOUND" || code === "EAI_AGAIN"
          ? `host ${url.hostname} not found`
          : code === "ECONNRESET"
            ? "connection reset"
            : e?.cause?.message || e?.message || "network error";
    return new UnreachableError(this.registry, `${this.registry}: cannot reach ${url.host}: ${why}`, { cause: err });
  }

  /**
   * Read a body, at most `maxBytes`. With `truncate` the first `maxBytes` are
   * returned and the rest discarded; otherwise exceeding the cap throws TooLargeError.
   * With `hash`, every byte (past the cap too, up to `hash.maxBytes`) goes
   * through the hash, so that a truncated read can still be checked against
   * its digest; past `hash.maxBytes` the read fails rather than return bytes
   * that were never verified.
   */
  async readBody(
    res: Response,
    maxBytes: number,
    what: string,
    truncateOverflow = false,
    hash?: { update(chunk: Uint8Array): unknown; maxBytes: number },
  ): Promise<{ bytes: Uint8Array; truncated: boolean; total: number }> {
    const declared = Number(res.headers.get("content-length") ?? NaN);
    if (!truncateOverflow && Number.isFinite(declared) && declared > maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw new TooLargeError(this.registry, `${this.registry}: ${what} is ${declared} bytes, over the ${maxBytes}-byte limit`);
    }
    const tooLargeToCheck = () =>
      new TooLargeError(this.registry, `${this.registry}: ${what} is over ${hash!.maxBytes} bytes; Chainsight shows no part of a blob it cannot check against its digest`);
    if (hash && Number.isFinite(declared) && declared > hash.maxBytes) {
      await res.body?.cancel().catch(() => {});
      throw tooLargeToCheck();
    }
    if (!res.body) return { bytes: new Uint8Array(0), truncated: false, total: 0 };
    const reader = res.body.getReader();
    const chunks: Uint8Array[] = [];
    let kept = 0;
    let total = 0;
    let truncated = false;
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (err) {
        const deadline = this.options.signal?.();
        if (deadline?.aborted) throw deadlineReason(deadline);
        throw this.networkError(err, "GET", new URL(res.url || "http://unknown/"));
      }
      if (chunk.done) break;
      const value = chunk.value;
      total += value.byteLength;
      hash?.update(value);
      if (hash && total > hash.maxBytes) {
        await reader.cancel().catch(() => {});
        throw tooLargeToCheck();
      }
      if (kept + value.byteLength > maxBytes) {
        if (!truncateOverflow) {
          await reader.cancel().catch(() => {});
          throw new TooLargeError(this.registry, `${this.registry}: ${what} exceeds the ${maxBytes}-byte limit`);
        }
        if (kept < maxBytes) chunks.push(value.subarray(0, maxBytes - kept));
        kept = maxBytes;
        truncated = true;
        if (!hash) {
          await reader.cancel().catch(() => {});
          break;
        }
        continue;
      }
      chunks.push(value);
      kept += value.byteLength;
    }
    const bytes = new Uint8Array(kept);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    return { bytes, truncated, total };
  }

  /** Turn a non-success response into the error class a caller can act on. */
  async errorFrom(res: Response, context: string): Promise<RegistryError> {
    let text = "";
    try {
      text = new TextDecoder().decode((await this.readBody(res, 64 * 1024, "error body", true)).bytes);
    } catch {
      text = "";
    }
    return errorFromStatus(this.registry, res.status, res.headers, text, context);
  }
}

function deadlineReason(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error("the caller's deadline passed");
}

/** Map a status and body (spec error JSON or anything else) to an error. */
export function errorFromStatus(registry: string, status: number, headers: Headers, bodyText: string, context: string): RegistryError {
  let errors: SpecErrorEntry[] = [];
  let upstream = "";
  try {
    const parsed = specErrorBodySchema.safeParse(JSON.parse(bodyText));
    if (parsed.success) {
      errors = parsed.data.errors;
      upstream = errors.map((e) => `${e.code}${e.message ? `: ${e.message}` : ""}`).join("; ");
    }
  } catch {
    // not JSON: distribution answers unknown routes with "404 page not found"
  }
  if (!upstream) {
    const plain = bodyText.replace(/\s+/g, " ").trim();
    upstream = plain ? truncate(plain, 200) : `HTTP ${status}`;
  }
  const base = `${registry}: ${context}`;
  const opts = { status, errors };
  switch (status) {
    case 401:
      if (!headers.get("www-authenticate")) {
        // No challenge: nothing the client could send would be accepted, so the credentials are not the cause.
        return new UnauthorizedError(
          registry,
          `${base}: the registry refused the request (HTTP 401) without an authentication challenge (no WWW-Authenticate header), so no credentials could answer it (${upstream}); this is the registry's doing, not a credentials problem`,
          opts,
        );
      }
      return new UnauthorizedError(registry, `${base}: unauthorized (${upstream}); check the credentials configured for ${registry}`, opts);
    case 403:
      return new DeniedError(registry, `${base}: access denied (${upstream}); the account lacks permission for this`, opts);
    case 404:
      return new NotFoundError(registry, `${base}: not found (${upstream}); check the repository name and the tag or digest`, opts);
    case 405:
      return new MethodNotAllowedError(registry, `${base}: operation not allowed by this registry (${upstream})`, opts);
    case 429: {
      const retryAfter = parseRetryAfter(headers.get("retry-after"));
      const wait = retryAfter !== undefined ? `; retry after ${retryAfter} s` : "";
      return new RateLimitedError(registry, `${base}: rate limited (${upstream})${wait}`, retryAfter, opts);
    }
    default:
      return new UpstreamError(registry, `${base}: registry answered HTTP ${status} (${upstream})`, opts);
  }
}

/** Retry-After is either delta-seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v);
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, Math.ceil((t - now) / 1000));
}
