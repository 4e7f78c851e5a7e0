/**
 * Test support: read an OCI image layout from disk and push it into a
 * registry the way an OCI 1.1 client does, independently of the code under
 * test: blobs, then manifests (children and subjects first), then tags, and
 * for registries without the referrers API (no `OCI-Subject` header) the
 * referrers tag schema index of every subject, as the distribution spec's
 * "Pushing Manifests with Subject" describes.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";

export interface LayoutDescriptor {
  mediaType: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
  platform?: Record<string, unknown>;
}

export interface LayoutManifest {
  digest: string;
  mediaType: string;
  bytes: Buffer;
  json: {
    mediaType?: string;
    artifactType?: string;
    config?: LayoutDescriptor;
    layers?: LayoutDescriptor[];
    blobs?: LayoutDescriptor[];
    manifests?: LayoutDescriptor[];
    subject?: LayoutDescriptor;
    annotations?: Record<string, string>;
  };
}

export interface Layout {
  dir: string;
  /** index.json entries: tag (ref.name) or undefined for untagged. */
  entries: { descriptor: LayoutDescriptor; tag?: string }[];
  manifests: Map<string, LayoutManifest>;
  blobs: Map<string, { mediaType: string }>;
}

const INDEX_TYPES = ["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"];
export const MANIFEST_TYPES = [
  ...INDEX_TYPES,
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
  "application/vnd.oci.artifact.manifest.v1+json",
];

export function blobPath(dir: string, digest: string): string {
  const [alg, hex] = digest.split(":");
  return join(dir, "blobs", alg, hex);
}

export function readLayout(dir: string): Layout {
  const index = JSON.parse(readFileSync(join(dir, "index.json"), "utf8")) as { manifests: LayoutDescriptor[] };
  const manifests = new Map<string, LayoutManifest>();
  const blobs = new Map<string, { mediaType: string }>();
  const visit = (d: LayoutDescriptor) => {
    if (manifests.has(d.digest)) return;
    const bytes = readFileSync(blobPath(dir, d.digest));
    const json = JSON.parse(bytes.toString("utf8"));
    const mediaType = json.mediaType ?? d.mediaType;
    manifests.set(d.digest, { digest: d.digest, mediaType, bytes, json });
    for (const b of [json.config, ...(json.layers ?? []), ...(json.blobs ?? [])].filter(Boolean) as LayoutDescriptor[]) {
      blobs.set(b.digest, { mediaType: b.mediaType });
    }
    for (const child of (json.manifests ?? []) as LayoutDescriptor[]) {
      if (MANIFEST_TYPES.includes(child.mediaType)) visit(child);
      else blobs.set(child.digest, { mediaType: child.mediaType });
    }
  };
  const entries = index.manifests.map((descriptor) => {
    visit(descriptor);
    return { descriptor, tag: descriptor.annotations?.["org.opencontainers.image.ref.name"] };
  });
  return { dir, entries, manifests, blobs };
}

/** Every (subject, referrer) pair the layout's manifests declare through `subject`. */
export function declaredReferrers(layout: Layout): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const m of layout.manifests.values()) {
    const s = m.json.subject?.digest;
    if (!s) continue;
    out.set(s, (out.get(s) ?? new Set()).add(m.digest));
  }
  return out;
}

export interface PushTarget {
  url: string;
  /** Authorization header value to send (e.g. Basic), if the registry needs one. */
  authorization?: string;
}

async function call(target: PushTarget, method: string, path: string, body?: Buffer | Uint8Array, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(path.startsWith("http") ? path : `${target.url}${path}`, {
    method,
    body: body as BodyInit | undefined,
    headers: { ...(target.authorization ? { authorization: target.authorization } : {}), ...headers },
  });
  return res;
}

async function expectOk(res: Response, what: string): Promise<Response> {
  if (!res.ok) throw new Error(`${what}: HTTP ${res.status} ${await res.text()}`);
  return res;
}

export async function pushBlob(target: PushTarget, repo: string, digest: string, bytes: Uint8Array): Promise<void> {
  const head = await call(target, "HEAD", `/v2/${repo}/blobs/${digest}`);
  if (head.ok) return;
  const start = await expectOk(await call(target, "POST", `/v2/${repo}/blobs/uploads/`), `start upload of ${digest}`);
  await start.body?.cancel();
  const location = new URL(start.headers.get("location")!, target.url);
  location.searchParams.set("digest", digest);
  const put = await expectOk(
    await call(target, "PUT", location.toString(), bytes, { "content-type": "application/octet-stream", "content-length": String(bytes.byteLength) }),
    `upload of ${digest}`,
  );
  await put.body?.cancel();
}

/** PUT a manifest; returns whether the registry processed its subject (OCI-Subject). */
export async function pushManifest(target: PushTarget, repo: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<{ subjectProcessed: boolean }> {
  const res = await expectOk(await call(target, "PUT", `/v2/${repo}/manifests/${reference}`, bytes, { "content-type": mediaType }), `push of manifest ${repo}:${reference}`);
  await res.body?.cancel();
  return { subjectProcessed: res.headers.has("oci-subject") };
}

export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
}

/** Add a referrer to the referrers tag schema index of its subject (spec procedure). */
export async function addToReferrersTag(target: PushTarget, repo: string, subject: string, referrer: LayoutManifest): Promise<void> {
  const tag = subject.replace(":", "-").slice(0, 71);
  const get = await call(target, "GET", `/v2/${repo}/manifests/${tag}`, undefined, { accept: "application/vnd.oci.image.index.v1+json" });
  let index: { schemaVersion: 2; mediaType: string; manifests: LayoutDescriptor[] } = {
    schemaVersion: 2,
    mediaType: "application/vnd.oci.image.index.v1+json",
    manifests: [],
  };
  if (get.ok) {
    const body = await get.json();
    if (body.mediaType !== "application/vnd.oci.image.index.v1+json" || !Array.isArray(body.manifests)) {
      throw new Error(`tag ${tag} in ${repo} exists and is not an image index`);
    }
    index = body;
  } else {
    await get.body?.cancel();
    if (get.status !== 404) throw new Error(`GET ${tag}: HTTP ${get.status}`);
  }
  if (index.manifests.some((d) => d.digest === referrer.digest)) return;
  const descriptor: LayoutDescriptor = { mediaType: referrer.mediaType, digest: referrer.digest, size: referrer.bytes.byteLength };
  const artifactType = referrer.json.artifactType ?? (INDEX_TYPES.includes(referrer.mediaType) ? undefined : referrer.json.config?.mediaType);
  if (artifactType) descriptor.artifactType = artifactType;
  if (referrer.json.annotations) descriptor.annotations = referrer.json.annotations;
  index.manifests.push(descriptor);
  await pushManifest(target, repo, tag, Buffer.from(JSON.stringify(index)), index.mediaType);
}

/** Manifests ordered so that children and subjects come before what points at them. */
function pushOrder(layout: Layout): LayoutManifest[] {
  const done = new Set<string>();
  const order: LayoutManifest[] = [];
  const visit = (digest: string, stack: Set<string>) => {
    const m = layout.manifests.get(digest);
    if (!m || done.has(digest) || stack.has(digest)) return;
    stack.add(digest);
    for (const c of m.json.manifests ?? []) visit(c.digest, stack);
    if (m.json.subject) visit(m.json.subject.digest, stack);
    stack.delete(digest);
    if (!done.has(digest)) {
      done.add(digest);
      order.push(m);
    }
  };
  for (const digest of layout.manifests.keys()) visit(digest, new Set());
  return order;
}

export async function pushLayout(target: PushTarget, repo: string, layout: Layout, opts: { maintainReferrersTags?: boolean } = {}): Promise<void> {
  for (const digest of layout.blobs.keys()) {
    await pushBlob(target, repo, digest, readFileSync(blobPath(layout.dir, digest)));
  }
  const processed = new Map<string, boolean>();
  for (const m of pushOrder(layout)) {
    const r = await pushManifest(target, repo, m.digest, m.bytes, m.mediaType);
    processed.set(m.digest, r.subjectProcessed);
  }
  for (const e of layout.entries) {
    if (e.tag) await pushManifest(target, repo, e.tag, layout.manifests.get(e.descriptor.digest)!.bytes, layout.manifests.get(e.descriptor.digest)!.mediaType);
  }
  if (opts.maintainReferrersTags !== false) {
    for (const m of layout.manifests.values()) {
      if (m.json.subject && !processed.get(m.digest)) await addToReferrersTag(target, repo, m.json.subject.digest, m);
    }
  }
}
