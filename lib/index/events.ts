import { z } from "zod";
import { isValidRepository } from "../oci/reference";

/**
 * Registry event notifications, read into "these repositories changed":
 * - CNCF Distribution's envelope (`notifications.endpoints`): `{events: [{action,
 *   target: {repository, digest, tag, mediaType}}]}`, actions push, pull, mount,
 *   delete (pulls and mounts change nothing the index holds);
 * - Harbor webhooks: `{type: "PUSH_ARTIFACT" | "DELETE_ARTIFACT" | …,
 *   event_data: {repository: {repo_full_name}, resources: [{digest, tag}]}}`;
 * - zot's events (CloudEvents): `{specversion, type: "zotregistry.image.updated"
 *   | "zotregistry.image.deleted" | …, data: {name, reference, digest}}`.
 * Everything in them comes from the network: names are checked against the
 * repository grammar, and anything else is a clear error.
 */

export class EventFormatError extends Error {}

export interface RegistryChange {
  repository: string;
  action: "push" | "delete";
  digest?: string;
  tag?: string;
}

export interface ParsedEvents {
  format: "distribution" | "harbor" | "zot";
  changes: RegistryChange[];
  /** Events that change nothing the index holds (pulls, mounts, scans started). */
  ignored: number;
}

const str = z.string().max(4096);

const distributionSchema = z.object({
  events: z
    .array(
      z.object({
        action: str,
        target: z.object({ repository: str, digest: str.optional(), tag: str.optional(), mediaType: str.optional() }).passthrough(),
      }).passthrough(),
    )
    .max(10_000),
});

const harborSchema = z.object({
  type: str,
  event_data: z.object({
    repository: z.object({ repo_full_name: str.optional(), name: str.optional(), namespace: str.optional() }).passthrough(),
    resources: z.array(z.object({ digest: str.optional(), tag: str.optional() }).passthrough()).max(10_000).optional(),
  }).passthrough(),
});

const zotSchema = z.object({
  specversion: str,
  type: str,
  data: z.object({ name: str, reference: str.optional(), digest: str.optional() }).passthrough(),
});

function repository(name: string, format: string): string {
  if (!isValidRepository(name)) throw new EventFormatError(`the ${format} event names "${name.slice(0, 200)}", which is not a repository name`);
  return name;
}

export function parseRegistryEvents(body: unknown): ParsedEvents {
  if (body === null || typeof body !== "object" || Array.isArray(body)) throw new EventFormatError("an event notification is a JSON object");
  if ("events" in body) {
    const parsed = distributionSchema.safeParse(body);
    if (!parsed.success) throw new EventFormatError(`not a Distribution event envelope: ${parsed.error.issues[0]?.path.join(".") || "body"}: ${parsed.error.issues[0]?.message}`);
    const changes: RegistryChange[] = [];
    let ignored = 0;
    for (const e of parsed.data.events) {
      if (e.action !== "push" && e.action !== "delete") {
        ignored++;
        continue;
      }
      changes.push({ repository: repository(e.target.repository, "Distribution"), action: e.action, digest: e.target.digest, tag: e.target.tag });
    }
    return { format: "distribution", changes, ignored };
  }
  if ("event_data" in body) {
    const parsed = harborSchema.safeParse(body);
    if (!parsed.success) throw new EventFormatError(`not a Harbor webhook: ${parsed.error.issues[0]?.path.join(".") || "body"}: ${parsed.error.issues[0]?.message}`);
    const { type, event_data } = parsed.data;
    const action = type === "PUSH_ARTIFACT" ? "push" : type === "DELETE_ARTIFACT" ? "delete" : undefined;
    if (!action) return { format: "harbor", changes: [], ignored: 1 };
    const r = event_data.repository;
    const name = r.repo_full_name ?? (r.namespace && r.name ? `${r.namespace}/${r.name}` : undefined);
    if (!name) throw new EventFormatError("the Harbor webhook names no repository (event_data.repository.repo_full_name)");
    const resources = event_data.resources?.length ? event_data.resources : [{}];
    return { format: "harbor", changes: resources.map((x) => ({ repository: repository(name, "Harbor"), action, digest: x.digest, tag: x.tag })), ignored: 0 };
  }
  if ("specversion" in body) {
    const parsed = zotSchema.safeParse(body);
    if (!parsed.success) throw new EventFormatError(`not a zot (CloudEvents) event: ${parsed.error.issues[0]?.path.join(".") || "body"}: ${parsed.error.issues[0]?.message}`);
    const { type, data } = parsed.data;
    const action = type === "zotregistry.image.updated" ? "push" : type === "zotregistry.image.deleted" ? "delete" : undefined;
    if (!action) return { format: "zot", changes: [], ignored: 1 };
    return { format: "zot", changes: [{ repository: repository(data.name, "zot"), action, digest: data.digest, tag: data.reference }], ignored: 0 };
  }
  throw new EventFormatError("not an event this server reads: expected Distribution's envelope ({events: […]}), a Harbor webhook ({type, event_data}) or a zot CloudEvent ({specversion, type, data})");
}
