import { z } from "zod";
import { ChainsightError, DeadlineExceededError, describeError, InvalidReferenceError, RateLimitedError, RegistryError } from "../oci/errors";
import type { Principal } from "./access";
import type { Outcome } from "./audit";
import type { Right } from "./config";
import { BadRequestError, ConfigError, NotAvailableError, UnknownRegistryError, UnprocessableError } from "./errors";
import { log } from "./log";
import { withRequestStats } from "./request-context";
import { COMMON_SECURITY_HEADERS, NON_PAGE_CSP } from "./security-headers";
import { getMetrics, getRuntime, type Runtime } from "./runtime";
import { principalFromHeaders } from "./session";

/**
 * The one way a request enters the API: input (path and query parameters)
 * validated with zod, the handler called with the runtime, every error
 * turned into `{ "error": { "code", "message", ... } }` with its HTTP status,
 * and one log line and metrics per call. Route files only wire this up.
 */

export interface ApiErrorBody {
  error: {
    code: string;
    message: string;
    registry?: string;
    upstreamStatus?: number;
    parameter?: string;
    retryAfterSeconds?: number;
  };
}

type RouteContext = { params: Promise<Record<string, string | string[] | undefined>> };

export interface HandlerContext {
  runtime: Runtime;
  request: Request;
  /** Who is asking (everyone, when sign-in is off). */
  principal: Principal;
}

/**
 * What a route needs: a right on the registry (and the repository, when the
 * input names one), the admin right, or only a signed-in user (the handler
 * then filters what it returns).
 */
export type Access = { right: Right } | { admin: true } | { signedIn: true };

/** No session (or a forged or expired one): sign in. */
export class UnauthenticatedError extends Error {}

/** Signed in, but without the right. */
export class ForbiddenError extends Error {
  constructor(
    message: string,
    readonly right: string,
  ) {
    super(message);
  }
}

/** A cross-site request to a mutating route. */
export class CrossSiteError extends Error {}

const SECURITY_HEADERS = {
  "cache-control": "no-store",
  ...COMMON_SECURITY_HEADERS,
  "content-security-policy": NON_PAGE_CSP,
};

/**
 * JSON with <, > and & escaped as \u003c etc.: the same data, but never
 * markup, even for a client that sniffs or a proxy that mislabels it.
 */
const ESCAPES: Record<string, string> = { "<": "\\u003c", ">": "\\u003e", "&": "\\u0026" };

/** JSON as the API sends it: `<`, `>` and `&` escaped, so no answer can be read as markup. One pass over the text. */
export function jsonText(body: unknown): string {
  return JSON.stringify(body).replace(/[<>&]/g, (c) => ESCAPES[c]);
}

/** An answer from JSON text made by jsonText (a cached answer is sent as it was serialised). */
export function jsonResponse(text: string, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(text, {
    status,
    headers: { "content-type": "application/json; charset=utf-8", ...SECURITY_HEADERS, ...headers },
  });
}

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return jsonResponse(jsonText(body), status, headers);
}

/** Build a route handler (GET, or a mutation with `mutation: true`). */
export function apiRoute<S extends z.ZodType>(
  route: string,
  schema: S,
  handler: (input: z.infer<S>, ctx: HandlerContext) => Promise<unknown>,
  access: Access,
  options: { mutation?: boolean; /** Budget in seconds instead of limits.callSeconds (deletions run longer). */ budgetSeconds?: number } = {},
): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    const started = performance.now();
    const params = (await context?.params) ?? {};
    const query = Object.fromEntries(new URL(request.url).searchParams.entries());
    let body: Record<string, unknown> = {};
    let bodyError: BadRequestError | undefined;
    if (options.mutation && request.headers.get("content-type")?.includes("application/json")) {
      const text = await request.text().catch(() => "");
      try {
        const parsed: unknown = text.trim() === "" ? {} : JSON.parse(text);
        if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) bodyError = new BadRequestError("the request body must be a JSON object", "body");
        else body = parsed as Record<string, unknown>;
      } catch (err) {
        bodyError = new BadRequestError(`the request body is not valid JSON (${(err as Error).message}); send a JSON object`, "body");
      }
    }
    const raw = { ...query, ...body, ...params };
    let principal: Principal | undefined;
    let runtime: Runtime | undefined;
    // Load the runtime first, so that every refusal below (cross-site, no session) is audited.
    let budgetMs = (options.budgetSeconds ?? 30) * 1000;
    try {
      runtime = getRuntime();
      budgetMs = (options.budgetSeconds ?? runtime.config.limits.callSeconds) * 1000;
    } catch {
      runtime = undefined; // the handler below throws the ConfigError again and answers 503
    }
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new DeadlineExceededError(budgetMs)), budgetMs);
    const { stats, result } = withRequestStats(async () => {
      runtime = getRuntime();
      if (options.mutation) checkSameOrigin(request, runtime.config.server.trustForwardedHeaders);
      principal = await principalFromHeaders(request.headers, request.url, runtime.config.auth);
      if (!principal) throw new UnauthenticatedError("sign in first: this API needs a session (no session cookie, or it is forged or expired)");
      if (bodyError) throw bodyError;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) throw badRequest(parsed.error);
      checkAccess(runtime, principal, access, parsed.data as Record<string, unknown>);
      return handler(parsed.data, { runtime, request, principal });
    }, deadline.signal);
    // The answer comes by the deadline even if something below does not listen to the signal.
    const late = new Promise<never>((_, reject) => deadline.signal.addEventListener("abort", () => reject(deadline.signal.reason), { once: true }));
    let response: Response;
    let failure: string | undefined;
    let upstreamStatus: number | undefined;
    try {
      const body = await Promise.race([result, late]);
      response = body instanceof Response ? body : json(body);
    } catch (err) {
      const mapped = errorResponse(err);
      response = mapped.response;
      upstreamStatus = mapped.upstreamStatus;
      failure = mapped.internal ? describeError(err) : mapped.code;
      if (mapped.internal) log("error", "api_internal_error", { route, message: describeError(err), stack: (err as Error)?.stack });
    } finally {
      clearTimeout(timer);
      result.catch(() => {}); // a handler stopped by the deadline may still reject later
    }
    const durationMs = performance.now() - started;
    recordAudit(runtime, {
      principal,
      route,
      raw,
      status: response.status,
      failure,
      upstreamStatus,
      durationMs,
    });
    const metrics = getMetrics();
    metrics.apiRequests.inc({ route, status: String(response.status) });
    metrics.apiDuration.observe({ route }, durationMs / 1000);
    log("info", "api_call", {
      route,
      registry: typeof raw.registry === "string" ? raw.registry : undefined,
      repository: typeof raw.repository === "string" ? raw.repository : undefined,
      reference: raw.reference ?? raw.digest,
      status: response.status,
      error: failure,
      durationMs: Math.round(durationMs * 10) / 10,
      upstreamRequests: stats.upstreamRequests,
      cacheHits: stats.cacheHits,
      cacheMisses: stats.cacheMisses,
    });
    return response;
  };
}

/**
 * Mutations only from this server's own pages. The host compared with is the
 * Host header; X-Forwarded-Host counts only when the configuration says a
 * proxy sets it (server.trustForwardedHeaders), or a client could name any
 * origin it likes in both headers.
 */
export function checkSameOrigin(request: Request, trustForwardedHeaders: boolean): void {
  const origin = request.headers.get("origin");
  const site = request.headers.get("sec-fetch-site");
  const forwarded = trustForwardedHeaders ? request.headers.get("x-forwarded-host")?.split(",")[0]?.trim() : undefined;
  const host = forwarded || request.headers.get("host");
  if (origin) {
    let originHost: string;
    try {
      originHost = new URL(origin).host;
    } catch {
      originHost = "";
    }
    if (!host || originHost !== host) throw new CrossSiteError(`cross-site request refused: Origin ${origin} is not this server (${host})`);
  } else if (site && site !== "same-origin" && site !== "none") {
    throw new CrossSiteError(`cross-site request refused (Sec-Fetch-Site: ${site})`);
  }
}

function checkAccess(runtime: Runtime, p: Principal, access: Access, input: Record<string, unknown>): void {
  const policy = runtime.policy;
  if ("signedIn" in access) return;
  if ("admin" in access) {
    if (!policy.isAdmin(p)) throw new ForbiddenError(`${p.name} lacks the "admin" right (on every registry) that this needs`, "admin");
    return;
  }
  const registry = typeof input.registry === "string" ? input.registry : "*";
  const repository = typeof input.repository === "string" ? input.repository : undefined;
  if (!policy.can(p, access.right, registry, repository)) throw new ForbiddenError(policy.explain(p, access.right, registry, repository), access.right);
}

/** The audit row of one call: who, what, where, how it ended. */
function recordAudit(
  runtime: Runtime | undefined,
  a: { principal?: Principal; route: string; raw: Record<string, unknown>; status: number; failure?: string; upstreamStatus?: number; durationMs: number },
): void {
  if (!runtime) return; // configuration broken: nothing to write to (the log line still says it)
  const str = (v: unknown) => (typeof v === "string" && v.length <= 512 ? v : undefined);
  const outcome: Outcome = a.status === 401 || a.status === 403 ? "denied" : a.status < 400 ? "success" : "failure";
  runtime.audit.record({
    time: new Date().toISOString(),
    user: a.principal?.id ?? "(not signed in)",
    provider: a.principal?.provider ?? "none",
    registry: str(a.raw.registry),
    repository: str(a.raw.repository),
    reference: str(a.raw.reference) ?? str(a.raw.digest) ?? str(a.raw.tags),
    action: a.route,
    outcome,
    status: a.status,
    upstreamStatus: a.upstreamStatus,
    durationMs: Math.round(a.durationMs * 10) / 10,
    message: a.failure,
  });
}

function badRequest(error: z.ZodError): BadRequestError {
  const issue = error.issues[0];
  const parameter = issue.path.map(String).join(".") || undefined;
  const message = parameter ? `parameter "${parameter}": ${issue.message}` : issue.message;
  return new BadRequestError(message, parameter);
}

const upstreamCode: Record<string, [number, string]> = {
  UNAUTHORIZED: [401, "registry_unauthorized"],
  DENIED: [403, "registry_denied"],
  NOT_FOUND: [404, "not_found"],
  METHOD_NOT_ALLOWED: [405, "registry_method_not_allowed"],
  TOO_MANY_REQUESTS: [429, "registry_rate_limited"],
  UPSTREAM_ERROR: [502, "registry_error"],
  PROTOCOL_ERROR: [502, "registry_protocol_error"],
  INVALID_MANIFEST: [502, "invalid_manifest"],
  UNSUPPORTED_MANIFEST: [415, "unsupported_manifest"],
  TOO_LARGE: [502, "registry_response_too_large"],
  DIGEST_MISMATCH: [502, "digest_mismatch"],
  UNREACHABLE: [502, "registry_unreachable"],
  TIMEOUT: [504, "registry_timeout"],
  FORBIDDEN_TARGET: [502, "forbidden_target"],
  BROKEN_LAYOUT: [502, "broken_layout"],
};

/** Map any thrown value to an API error response. `internal` marks bugs (500). */
export function errorResponse(err: unknown): { response: Response; code: string; internal: boolean; upstreamStatus?: number } {
  const out = (status: number, error: ApiErrorBody["error"], headers: Record<string, string> = {}, internal = false) => ({
    response: json({ error } satisfies ApiErrorBody, status, headers),
    code: error.code,
    internal,
  });
  if (err instanceof UnauthenticatedError) return out(401, { code: "unauthenticated", message: err.message });
  if (err instanceof ForbiddenError) return out(403, { code: "forbidden", message: err.message });
  if (err instanceof CrossSiteError) return out(403, { code: "cross_site_request", message: err.message });
  if (err instanceof BadRequestError) return out(400, { code: "bad_request", message: err.message, parameter: err.parameter });
  if (err instanceof InvalidReferenceError) return out(400, { code: `invalid_${err.part}`, message: err.message, parameter: err.part });
  if (err instanceof UnknownRegistryError) return out(404, { code: "unknown_registry", message: err.message, parameter: "registry" });
  if (err instanceof UnprocessableError) return out(422, { code: err.reason, message: err.message });
  if (err instanceof NotAvailableError) return out(409, { code: err.reason, message: err.message });
  if (err instanceof ConfigError) return out(503, { code: "config_invalid", message: err.message });
  if (err instanceof DeadlineExceededError) return out(504, { code: "deadline_exceeded", message: err.message });
  if (err instanceof RegistryError) {
    const [defaultStatus, code] = upstreamCode[err.code] ?? [502, "registry_error"];
    let status = defaultStatus;
    // A registry's 503 (overloaded) and 504 stay what they are; other 5xx become 502 (bad gateway).
    if (err.code === "UPSTREAM_ERROR" && (err.status === 503 || err.status === 504)) status = err.status;
    const headers: Record<string, string> = {};
    let retryAfterSeconds: number | undefined;
    if (err instanceof RateLimitedError && err.retryAfterSeconds !== undefined) {
      retryAfterSeconds = err.retryAfterSeconds;
      headers["retry-after"] = String(err.retryAfterSeconds);
    }
    return { ...out(status, { code, message: err.message, registry: err.registry, upstreamStatus: err.status, retryAfterSeconds }, headers), upstreamStatus: err.status };
  }
  if (err instanceof ChainsightError) return out(400, { code: err.code.toLowerCase(), message: err.message });
  return out(500, { code: "internal", message: "internal error; the server log has the details" }, {}, true);
}

/** The media type of an answer sent as it happens: one JSON object per line. */
export const NDJSON = "application/x-ndjson";

/** Did the caller ask for the answer as it happens (`Accept: application/x-ndjson`)? */
export function wantsProgress(request: Request): boolean {
  return (request.headers.get("accept") ?? "").includes(NDJSON);
}

/** One line of a progress answer: events while the work runs, then its result or its error (as the JSON API would send it). */
export type ProgressLine<E, R> = E | { type: "result"; result: R } | { type: "error"; status: number; error: ApiErrorBody["error"] };

/**
 * A long call answered as it happens: `run` sends events (one JSON line
 * each), and its result or error ends the answer. Everything that could
 * refuse the call (rights, input, a plan) is checked before this starts, so
 * the status is 200 and a failure part-way is the last line. The work goes
 * on when the caller goes away: what it writes is audited item by item, and
 * a half-done copy is worse than a finished one nobody watched.
 */
export function progressResponse<E extends object, R>(route: string, run: (send: (event: E) => void) => Promise<R>): Response {
  const encoder = new TextEncoder();
  let open = true;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const write = (line: ProgressLine<E, R>) => {
        if (!open) return;
        try {
          controller.enqueue(encoder.encode(jsonText(line) + "\n"));
        } catch {
          open = false;
        }
      };
      void run(write)
        .then(
          (result) => write({ type: "result", result }),
          async (err: unknown) => {
            const mapped = errorResponse(err);
            if (mapped.internal) log("error", "api_internal_error", { route, message: describeError(err), stack: (err as Error)?.stack });
            const body = (await mapped.response.json()) as ApiErrorBody;
            write({ type: "error", status: mapped.response.status, error: body.error });
          },
        )
        .finally(() => {
          if (!open) return;
          open = false;
          controller.close();
        });
    },
    cancel() {
      open = false;
    },
  });
  // no-transform: a compressing proxy (or Next's own compression) must not hold lines back.
  return new Response(stream, { status: 200, headers: { "content-type": `${NDJSON}; charset=utf-8`, ...SECURITY_HEADERS, "cache-control": "no-store, no-transform", "x-accel-buffering": "no" } });
}

/** For API paths that do not exist. */
export async function notFoundResponse(request: Request): Promise<Response> {
  const path = new URL(request.url).pathname;
  return json({ error: { code: "no_such_endpoint", message: `there is no API endpoint ${request.method} ${path}; see README "JSON API"` } } satisfies ApiErrorBody, 404);
}

/** Largest event notification read (Distribution batches up to a few hundred events). */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * A route for registries, not people: event notifications, authenticated by
 * the registry's shared secret instead of a session (the handler checks it),
 * the body read as JSON up to 1 MiB, every call audited as "(registry events)".
 */
export function eventsRoute(
  route: string,
  handler: (input: { registry: string; body: unknown; authorization: string | null }, runtime: Runtime) => Promise<{ status: number; body: unknown }>,
): (request: Request, context: RouteContext) => Promise<Response> {
  return async (request, context) => {
    const started = performance.now();
    const params = (await context?.params) ?? {};
    const registry = typeof params.registry === "string" ? params.registry : "";
    let runtime: Runtime | undefined;
    let response: Response;
    let failure: string | undefined;
    try {
      runtime = getRuntime();
      const declared = Number(request.headers.get("content-length") ?? NaN);
      if (declared > MAX_EVENT_BYTES) throw new BadRequestError(`the notification is ${declared} bytes, over the ${MAX_EVENT_BYTES}-byte limit`, "body");
      const text = await request.text();
      if (text.length > MAX_EVENT_BYTES) throw new BadRequestError(`the notification is over the ${MAX_EVENT_BYTES}-byte limit`, "body");
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch (err) {
        throw new BadRequestError(`the notification is not JSON (${(err as Error).message})`, "body");
      }
      const answer = await handler({ registry, body, authorization: request.headers.get("authorization") }, runtime);
      response = json(answer.body, answer.status);
    } catch (err) {
      const mapped = errorResponse(err);
      response = mapped.response;
      failure = mapped.internal ? describeError(err) : (err as Error)?.message;
      if (response.status >= 400) log("warn", "event_refused", { route, registry, status: response.status, message: failure });
    }
    recordAudit(runtime, {
      principal: { id: "(registry events)", name: "(registry events)", provider: "registry", groups: [] },
      route,
      raw: { registry },
      status: response.status,
      failure,
      durationMs: performance.now() - started,
    });
    return response;
  };
}
