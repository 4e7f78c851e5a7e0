import { describeError } from "../oci/errors";
import { AccessPolicy } from "./access";
import { AuditLog } from "./audit";
import { loadConfig, type Config } from "./config";
import { ConfigError } from "./errors";
import { log } from "./log";
import { Metrics } from "./metrics";
import { RegistrySet } from "./registries";
import { SignInThrottle } from "./sign-in-throttle";
import { VerificationService } from "./verification";
import { DocumentService } from "./documents";
import { IndexService } from "./index-service";
import { DatabaseVerificationResults } from "../index/verification-results";

/**
 * The server's long-lived state: configuration, registries (with their
 * caches) and metrics. One per process: Next.js bundles route handlers
 * separately, so the instance lives on globalThis, not in a module variable.
 */

export interface Runtime {
  config: Config;
  registries: RegistrySet;
  metrics: Metrics;
  policy: AccessPolicy;
  audit: AuditLog;
  signInThrottle: SignInThrottle;
  verification: VerificationService;
  documents: DocumentService;
  index: IndexService;
}

type Holder = { runtime?: Runtime; error?: ConfigError; metrics: Metrics };
const KEY = Symbol.for("chainsight.runtime");
const g = globalThis as unknown as Record<symbol, Holder | undefined>;

function holder(): Holder {
  return (g[KEY] ??= { metrics: new Metrics() });
}

/** The runtime; throws the ConfigError (every time) when the configuration is invalid. */
export function getRuntime(): Runtime {
  const h = holder();
  if (h.runtime) return h.runtime;
  if (h.error) throw h.error;
  try {
    const config = loadConfig();
    if (config.auth.enabled && !config.auth.secret) {
      throw new ConfigError(
        `${config.source}: auth.enabled is true but ${config.auth.secretEnv} is not set; sessions cannot be signed, so the server refuses to serve. Set ${config.auth.secretEnv} to a long random string (for example: openssl rand -base64 32)`,
      );
    }
    h.runtime = {
      config,
      registries: new RegistrySet(config, { metrics: h.metrics }),
      metrics: h.metrics,
      policy: new AccessPolicy(config.access, config.auth.enabled),
      audit: new AuditLog(config.audit.database),
      signInThrottle: new SignInThrottle({ freeAttempts: config.auth.signInFreeAttempts, maxDelaySeconds: config.auth.signInMaxDelaySeconds }),
      verification: new VerificationService(config, h.metrics),
      documents: new DocumentService(config),
    } as Omit<Runtime, "index"> as Runtime;
    h.runtime.index = new IndexService(config, h.runtime.registries, h.runtime.verification, h.runtime.documents);
    if (config.index.enabled) {
      // Verification results are kept in the index database too: shared by replicas, kept over restarts.
      const index = h.runtime.index;
      h.runtime.verification.cache.share(new DatabaseVerificationResults(() => index.db(), (err) => log("warn", "verification_results_write_failed", { error: describeError(err) })));
    }
    // The index starts walking with the runtime: at the server's first request (page, API call or health check).
    // Not from instrumentation: that bundle has its own copies of every module, and a runtime made there would
    // throw errors that the routes' own classes do not recognise.
    if (process.env.NEXT_PHASE !== "phase-production-build") h.runtime.index.start();
    // During `next build` the pages are only compiled: nothing is served, so there is nothing to say yet.
    if (process.env.NEXT_PHASE !== "phase-production-build") log("info", "config_loaded", {
      message: configSummary(config),
      source: config.source,
      registries: config.registries.map((r) => r.id),
    });
    return h.runtime;
  } catch (err) {
    h.error = err instanceof ConfigError ? err : new ConfigError(`configuration could not be loaded: ${describeError(err)}`);
    log("error", "config_invalid", { message: h.error.message });
    throw h.error;
  }
}

/** What the person starting the server wants to read: where the config came from and what it serves. */
export function configSummary(config: Config): string {
  const from = config.source === "environment" ? "from the environment (CHAINSIGHT_CONFIG is not set)" : `from ${config.source}`;
  const n = config.registries.length;
  const what =
    n === 0
      ? "no registries are configured yet: set CHAINSIGHT_CONFIG to a config file or CHAINSIGHT_REGISTRY_<ID>_URL (README, Configuration)"
      : `${n} ${n === 1 ? "registry" : "registries"}: ${config.registries.map((r) => r.id).join(", ")}`;
  return `configuration loaded ${from}; ${what}; sign-in ${config.auth.enabled ? "required" : "off (open access)"}`;
}

/** Metrics exist even when the configuration is broken. */
export function getMetrics(): Metrics {
  return holder().metrics;
}
