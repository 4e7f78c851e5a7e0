import { Server, type IncomingMessage, type ServerResponse } from "node:http";
import { describeError } from "../oci/errors";
import { loadConfig, type Config } from "./config";
import { VerificationService } from "./verification";
import { COMMON_SECURITY_HEADERS, NON_PAGE_CSP } from "./security-headers";

/**
 * Run once when the server starts (instrumentation.ts): check the
 * configuration, and stop a production server that could not enforce its own
 * access rules (sign-in on without a session secret). It only checks: the
 * runtime itself is built by the route handlers' bundle, so that its error
 * classes are the ones the route helper recognises.
 */
export function checkStartup(): void {
  const fail = (message: string, fatal: boolean) => {
    process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), level: "error", event: "startup_failed", message })}\n`);
    if (fatal && process.env.NODE_ENV === "production") process.exit(1);
  };
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    fail(describeError(err), false); // every API call will answer 503 with this message
    return;
  }
  if (config.auth.enabled && !config.auth.secret) {
    fail(`${config.source}: auth.enabled is true but ${config.auth.secretEnv} is not set; sessions cannot be signed, so the server refuses to start`, true);
  }
  const trust = trustProblem(config);
  if (trust) fail(trust, false); // every API call will answer 503 with this message
}

/** A trust file the configuration names that cannot be used (missing, not a policy notation would load, not a key). */
export function trustProblem(config: Config): string | undefined {
  try {
    new VerificationService(config);
    return undefined;
  } catch (err) {
    return describeError(err);
  }
}

/**
 * Methods a Web `Request` cannot carry: undici refuses TRACE and TRACK, so
 * Next.js fails to build the request its handlers take and answers 500 on
 * every route. They are answered 405 before Next.js sees them. (CONNECT never
 * reaches a request handler: Node hands it to 'connect' listeners.)
 */
const UNTRANSPORTABLE = new Set(["TRACE", "TRACK"]);
const GUARD = Symbol.for("chainsight.methodGuard");

export function refuseUntransportableMethods(): void {
  const g = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (g[GUARD]) return;
  g[GUARD] = true;
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === "request") {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      if (UNTRANSPORTABLE.has((req.method ?? "").toUpperCase())) {
        res.writeHead(405, {
          "content-type": "application/json; charset=utf-8",
          allow: "GET, HEAD, POST",
          "cache-control": "no-store",
          ...COMMON_SECURITY_HEADERS,
          "content-security-policy": NON_PAGE_CSP,
        });
        res.end(JSON.stringify({ error: { code: "method_not_allowed", message: `${req.method} is not allowed on this server; use GET, HEAD or POST` } }));
        req.resume();
        return true;
      }
    }
    return (emit as (this: Server, e: string | symbol, ...a: unknown[]) => boolean).call(this, event, ...args);
  } as typeof Server.prototype.emit;
}
