import { describeError } from "../oci/errors";
import { loadConfig } from "./config";

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
}
