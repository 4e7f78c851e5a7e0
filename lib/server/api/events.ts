import { timingSafeEqual } from "node:crypto";
import { EventFormatError, parseRegistryEvents } from "../../index/events";
import { BadRequestError, UnknownRegistryError } from "../errors";
import { ForbiddenError, UnauthenticatedError } from "../http";
import { log } from "../log";
import type { Runtime } from "../runtime";

/**
 * `POST /api/events/{registry}`: a registry says a repository changed. The
 * repository's cached tag lists and referrers are forgotten at once (every page
 * shows the change), and when the index is on, the repository is walked again
 * now instead of at the next interval. Refused without the registry's shared
 * secret; a payload that is no event is a 400 saying why, and logged.
 */

function secretMatches(authorization: string | null, secret: string): boolean {
  if (!authorization) return false;
  const given = authorization.replace(/^Bearer\s+/i, "");
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

export async function receiveEvents(input: { registry: string; body: unknown; authorization: string | null }, runtime: Runtime): Promise<{ status: number; body: unknown }> {
  // Checked here, by id: the error a lookup throws may come from another route bundle's copy of its class.
  const ids = runtime.registries.list().map((r) => r.id);
  if (!ids.includes(input.registry)) throw new UnknownRegistryError(input.registry, ids);
  const registry = runtime.registries.get(input.registry);
  const secret = registry.config.eventsSecret;
  if (!secret) throw new ForbiddenError(`registry "${registry.config.id}" has no eventsSecret in the config, so its events are not accepted`, "events");
  if (!secretMatches(input.authorization, secret)) throw new UnauthenticatedError(`the notification does not carry registry "${registry.config.id}"'s events secret (send it as "Authorization: Bearer <secret>")`);
  let parsed;
  try {
    parsed = parseRegistryEvents(input.body);
  } catch (err) {
    if (err instanceof EventFormatError) throw new BadRequestError(err.message, "body");
    throw err;
  }
  const repositories = [...new Set(parsed.changes.map((c) => c.repository))];
  for (const repository of repositories) registry.store.forget(repository);
  if (parsed.changes.some((c) => c.action === "push")) runtime.registries.catalogs.invalidate(registry.config.id);
  const indexed = runtime.index.enabled && repositories.length > 0;
  // Walked in the background (here if this server crawls, else by the replica that does): the registry is answered
  // at once (Distribution waits for us, with a timeout).
  if (indexed) await runtime.index.changed(registry.config.id, repositories);
  log("info", "registry_events", { registry: registry.config.id, format: parsed.format, changes: parsed.changes.length, ignored: parsed.ignored, repositories: repositories.slice(0, 20) });
  return { status: 202, body: { accepted: repositories, format: parsed.format, ignored: parsed.ignored, indexing: indexed } };
}
