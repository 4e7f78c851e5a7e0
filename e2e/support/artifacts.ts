/**
 * Test support: build and push small, valid OCI content (images, indexes,
 * referrers with artifact types and created dates) to a registry, keeping
 * the referrers tag schema up to date when the registry lacks the API.
 */
import { addToReferrersTag, pushBlob, pushManifest, sha256, type LayoutManifest, type PushTarget } from "./layout";

const OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const EMPTY = { mediaType: "application/vnd.oci.empty.v1+json", digest: "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", size: 2 };

function manifestOf(json: LayoutManifest["json"] & { schemaVersion: 2 }): LayoutManifest {
  const bytes = Buffer.from(JSON.stringify(json));
  return { digest: sha256(bytes), mediaType: json.mediaType!, bytes, json };
}

async function blob(target: PushTarget, repo: string, mediaType: string, bytes: Buffer) {
  const digest = sha256(bytes);
  await pushBlob(target, repo, digest, bytes);
  return { mediaType, digest, size: bytes.byteLength };
}

export interface ImageOptions {
  created?: string;
  architecture?: string;
  os?: string;
  /** Makes the image unique. */
  content?: string;
  annotations?: Record<string, string>;
}

/** A single-platform image: an OCI config with `created` and one layer. */
export async function pushImage(target: PushTarget, repo: string, tag: string | undefined, opts: ImageOptions = {}): Promise<LayoutManifest> {
  const config = await blob(
    target,
    repo,
    "application/vnd.oci.image.config.v1+json",
    Buffer.from(JSON.stringify({ created: opts.created, architecture: opts.architecture ?? "amd64", os: opts.os ?? "linux", rootfs: { type: "layers", diff_ids: [] } })),
  );
  const layer = await blob(target, repo, "application/vnd.oci.image.layer.v1.tar", Buffer.from(opts.content ?? `${repo}:${tag}:${opts.created}`));
  const m = manifestOf({ schemaVersion: 2, mediaType: OCI_MANIFEST, config, layers: [layer], annotations: opts.annotations });
  await pushManifest(target, repo, tag ?? m.digest, m.bytes, m.mediaType);
  return m;
}

/** A multi-platform index over the given images. */
export async function pushIndex(target: PushTarget, repo: string, tag: string | undefined, images: { manifest: LayoutManifest; architecture: string; os?: string }[], annotations?: Record<string, string>): Promise<LayoutManifest> {
  const m = manifestOf({
    schemaVersion: 2,
    mediaType: OCI_INDEX,
    manifests: images.map((i) => ({ mediaType: i.manifest.mediaType, digest: i.manifest.digest, size: i.manifest.bytes.byteLength, platform: { architecture: i.architecture, os: i.os ?? "linux" } })),
    annotations,
  });
  await pushManifest(target, repo, tag ?? m.digest, m.bytes, m.mediaType);
  return m;
}

export interface ReferrerOptions {
  artifactType: string;
  created?: string;
  annotations?: Record<string, string>;
  /** The artifact's one layer; omitted: an annotations-only artifact (empty layer). */
  content?: { mediaType: string; bytes: Buffer };
  /** Add it to the subject's referrers tag (registries without the referrers API). Default true. */
  referrersTag?: boolean;
  /** Also tag it. */
  tag?: string;
}

/** An OCI 1.1 artifact whose subject is `subject`. */
export async function pushReferrer(target: PushTarget, repo: string, subject: LayoutManifest, opts: ReferrerOptions): Promise<LayoutManifest> {
  await pushBlob(target, repo, EMPTY.digest, Buffer.from("{}"));
  const layers = opts.content ? [await blob(target, repo, opts.content.mediaType, opts.content.bytes)] : [EMPTY];
  const annotations = { ...(opts.created ? { "org.opencontainers.image.created": opts.created } : {}), ...opts.annotations };
  const m = manifestOf({
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    artifactType: opts.artifactType,
    config: EMPTY,
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.bytes.byteLength },
    annotations: Object.keys(annotations).length ? annotations : undefined,
  });
  const { subjectProcessed } = await pushManifest(target, repo, opts.tag ?? m.digest, m.bytes, m.mediaType);
  if (opts.referrersTag !== false && !subjectProcessed) await addToReferrersTag(target, repo, subject.digest, m);
  return m;
}
