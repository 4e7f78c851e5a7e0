import { createHash } from "node:crypto";
import { mkdir, open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { extract as tarExtract } from "tar-stream";
import { parseDigest } from "../oci/digest";
import { visibleText } from "../oci/display";
import { TAG_PATTERN } from "../oci/reference";
import { Annotation, MediaType } from "../oci/media-types";
import { indexSchema, type Descriptor } from "../oci/schemas";
import type { LayoutStore } from "../oci/layout-store";
import type { BlobReader } from "./copy";
import { plannedBytes, type CopyPlan } from "./plan";
import type { Store } from "../oci/store";

/**
 * One image with its supply chain as an OCI image layout in a tar (what
 * `oras cp -r --to-oci-layout` makes, then `tar`; `skopeo` calls it
 * oci-archive): written as a stream straight from the source, its size known
 * before the first byte (a plan lists every blob's size), the same bytes
 * every time (fixed times and order). And the way back: a tar read as a
 * stream into a folder, accepting only what a layout holds, each blob checked
 * against the digest its name claims.
 */

const BLOCK = 512;
const encoder = new TextEncoder();

/** The path of a blob in a layout: blobs/<algorithm>/<encoded>. */
export function blobPath(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `blobs/${algorithm}/${encoded}`;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, "0")}\0`;
}

/** A ustar header; a size over 8 GiB in GNU base-256 (what tar and tar-stream read). */
function header(name: string, size: number, type: "0" | "5" | "x"): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const put = (offset: number, text: string) => h.set(encoder.encode(text), offset);
  put(0, name);
  put(100, octal(type === "5" ? 0o755 : 0o644, 8));
  put(108, octal(0, 8));
  put(116, octal(0, 8));
  if (size < 8 ** 11) put(124, octal(size, 12));
  else {
    h[124] = 0x80;
    let v = BigInt(size);
    for (let i = 135; i > 124; i--, v >>= 8n) h[i] = Number(v & 0xffn);
  }
  put(136, octal(0, 12));
  put(148, "        ");
  put(156, type);
  put(257, "ustar\u000000");
  put(265, "root");
  put(297, "root");
  let sum = 0;
  for (const b of h) sum += b;
  put(148, `${sum.toString(8).padStart(6, "0")}\0 `);
  return h;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

/** A pax record `"<len> path=<name>\n"`, its length counting itself. */
function paxPath(name: string): Uint8Array {
  const body = ` path=${name}\n`;
  let len = body.length + 1;
  while (`${len}${body}`.length !== len) len = `${len}${body}`.length;
  return encoder.encode(`${len}${body}`);
}

/** The headers of an entry: a pax header first when the name does not fit ustar's 100 bytes (a sha512 blob). */
function entryHeaders(name: string, size: number, type: "0" | "5" = "0"): Uint8Array[] {
  if (encoder.encode(name).byteLength <= 100) return [header(name, size, type)];
  const pax = paxPath(name);
  return [header("PaxHeader", pax.byteLength, "x"), concat(pax, new Uint8Array(padding(pax.byteLength))), header(name.slice(-100), size, type)];
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

interface Entry {
  name: string;
  size: number;
  directory?: boolean;
  /** Small entries (oci-layout, index.json, manifests) are bytes; blobs are read when their turn comes. */
  bytes?: () => Promise<Uint8Array>;
  stream?: () => AsyncIterable<Uint8Array>;
}

export interface LayoutArchive {
  /** Bytes of the whole tar, known before it is written. */
  size: number;
  /** Manifests and blobs in it. */
  manifests: number;
  blobs: number;
  chunks: AsyncIterable<Uint8Array>;
}

/**
 * The index.json of the archive: the subject (with its tag), each referrer
 * (cosign's tags as tagged entries); a layout finds referrers by their
 * subject field, so no referrers-tag index is needed. Platform manifests are
 * reached through their index.
 */
export function archiveIndex(plan: CopyPlan): Uint8Array {
  const manifests: Descriptor[] = [];
  for (const m of plan.manifests) {
    if (m.role === "platform-manifest" || m.role === "index-child") continue;
    const desc = { mediaType: m.mediaType, digest: m.digest, size: m.size, ...(m.role === "referrer" && m.artifactType ? { artifactType: m.artifactType } : {}) };
    if (m.tags.length === 0) manifests.push(desc);
    for (const tag of m.tags) manifests.push({ ...desc, annotations: { [Annotation.RefName]: tag } });
  }
  return encoder.encode(JSON.stringify({ schemaVersion: 2, mediaType: MediaType.OciIndex, manifests }));
}

/** The archive of a plan (made with no target: everything is written), streamed from the source. */
export function layoutArchive(plan: CopyPlan, source: { store: Store; blobs: BlobReader; repository: string }): LayoutArchive {
  const index = archiveIndex(plan);
  const layoutFile = encoder.encode(JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  const entries: Entry[] = [
    { name: "oci-layout", size: layoutFile.byteLength, bytes: async () => layoutFile },
    { name: "index.json", size: index.byteLength, bytes: async () => index },
  ];
  const algorithms = new Set([...plan.blobs, ...plan.manifests].map((d) => parseDigest(d.digest).algorithm));
  entries.push({ name: "blobs/", size: 0, directory: true });
  for (const a of [...algorithms].sort()) entries.push({ name: `blobs/${a}/`, size: 0, directory: true });
  const seen = new Set<string>();
  for (const b of plan.blobs) {
    if (seen.has(b.digest)) continue;
    seen.add(b.digest);
    entries.push({ name: blobPath(b.digest), size: b.size, stream: () => exactly(source.blobs.readBlob(source.repository, b.digest), b.size, b.digest) });
  }
  for (const m of plan.manifests) {
    if (seen.has(m.digest)) continue;
    seen.add(m.digest);
    entries.push({ name: blobPath(m.digest), size: m.size, bytes: async () => plannedBytes(plan, m.digest) ?? (await source.store.getManifest(source.repository, m.digest)).bytes });
  }
  const size = entries.reduce((n, e) => n + entryHeaders(e.name, e.size, e.directory ? "5" : "0").reduce((k, h) => k + h.byteLength, 0) + e.size + padding(e.size), 0) + 2 * BLOCK;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (const e of entries) {
      for (const h of entryHeaders(e.name, e.size, e.directory ? "5" : "0")) yield h;
      if (e.directory) continue;
      if (e.bytes) {
        const bytes = await e.bytes();
        if (bytes.byteLength !== e.size) throw new Error(`${e.name} is ${bytes.byteLength} bytes, not the ${e.size} the plan says`);
        yield bytes;
      } else if (e.stream) yield* e.stream();
      const pad = padding(e.size);
      if (pad) yield new Uint8Array(pad);
    }
    yield new Uint8Array(2 * BLOCK);
  }
  return { size, manifests: plan.manifests.length, blobs: plan.blobs.length, chunks: chunks() };
}

/** A blob's stream, refused when it is not the size its descriptor says (the tar's headers were written for that size). */
async function* exactly(chunks: AsyncIterable<Uint8Array>, size: number, digest: string): AsyncGenerator<Uint8Array> {
  let n = 0;
  for await (const c of chunks) {
    n += c.byteLength;
    if (n > size) throw new Error(`blob ${digest} is longer than the ${size} bytes its descriptor says`);
    yield c;
  }
  if (n !== size) throw new Error(`blob ${digest} is ${n} bytes, not the ${size} its descriptor says`);
}

/** An archive that is not an OCI layout tar, or breaks one's rules: the message says what and what to do. */
export class ArchiveError extends Error {
  readonly code = "BAD_ARCHIVE";
}

export interface ExtractLimits {
  /** Largest archive read, all entries together. */
  maxBytes: number;
  /** Most entries read. */
  maxEntries?: number;
}

const BLOB_NAME = /^blobs\/([a-z0-9]+(?:[+._-][a-z0-9]+)*)\/([a-zA-Z0-9=_-]+)$/;
const MAX_INDEX_BYTES = 4 * 1024 * 1024;

/**
 * Read an OCI layout tar into `dir` (which becomes the layout): only
 * `oci-layout`, `index.json` and `blobs/<algorithm>/<encoded>` are taken;
 * other files are skipped (a `docker save` archive's manifest.json), links
 * and devices refused, and each blob is hashed as it is written and refused
 * when it is not what its name says. Nothing outside `dir` is ever written:
 * names are matched, never joined as given.
 */
export async function extractLayoutTar(input: AsyncIterable<Uint8Array>, dir: string, limits: ExtractLimits): Promise<{ blobs: number; bytes: number; skipped: string[] }> {
  let bytes = 0;
  let entries = 0;
  let blobs = 0;
  let sawLayout = false;
  let sawIndex = false;
  const skipped: string[] = [];
  await mkdir(join(dir, "blobs"), { recursive: true });
  // Piped only now, with the reader about to ask: tar-stream hands an entry to whoever listens when it is parsed.
  const extract = tarExtract();
  const source = Readable.from(input, { objectMode: false });
  source.on("error", (err) => extract.destroy(err));
  source.pipe(extract);
  try {
    for await (const entry of extract) {
      entries++;
      if (entries > (limits.maxEntries ?? 100_000)) throw new ArchiveError(`the archive has more than ${limits.maxEntries ?? 100_000} entries`);
      const name = entry.header.name.replace(/^(\.\/)+/, "");
      const type = entry.header.type ?? "file";
      const size = entry.header.size ?? 0;
      bytes += size;
      if (bytes > limits.maxBytes) throw new ArchiveError(`the archive is over the ${Math.round(limits.maxBytes / 1024 / 1024)} MiB limit (limits.maxImportMiB); raise it or import a smaller archive`);
      if (type === "directory" || name === "" || name === ".") {
        await drain(entry);
        continue;
      }
      if (type !== "file" && type !== "contiguous-file") throw new ArchiveError(`the archive holds a ${type} (${printable(name)}); an OCI layout holds only files`);
      if (name === "oci-layout" || name === "index.json") {
        if (size > MAX_INDEX_BYTES) throw new ArchiveError(`${name} is ${size} bytes, over the ${MAX_INDEX_BYTES}-byte limit`);
        const chunks: Uint8Array[] = [];
        for await (const c of entry) chunks.push(c as Uint8Array);
        const text = Buffer.concat(chunks).toString("utf8");
        if (name === "oci-layout") {
          sawLayout = true;
          checkLayoutFile(text);
        } else sawIndex = true;
        await writeNew(join(dir, name), [Buffer.from(text)]);
        continue;
      }
      const m = BLOB_NAME.exec(name);
      if (!m) {
        skipped.push(printable(name));
        await drain(entry);
        continue;
      }
      const digest = `${m[1]}:${m[2]}`;
      let algorithm: string;
      try {
        algorithm = parseDigest(digest).algorithm;
      } catch {
        throw new ArchiveError(`${printable(name)} is not named by a digest this server can check (sha256 or sha512)`);
      }
      await mkdir(join(dir, "blobs", m[1]), { recursive: true });
      const hash = createHash(algorithm);
      let n = 0;
      const out = await open(join(dir, "blobs", m[1], m[2]), "w");
      try {
        for await (const c of entry) {
          hash.update(c as Uint8Array);
          n += (c as Uint8Array).byteLength;
          await out.write(c as Uint8Array);
        }
      } finally {
        await out.close();
      }
      const got = `${algorithm}:${hash.digest("hex")}`;
      if (got !== digest || n !== size) throw new ArchiveError(`${printable(name)} does not match its name (its bytes hash to ${got}); the archive is damaged`);
      blobs++;
    }
  } catch (err) {
    if (err instanceof ArchiveError) throw err;
    throw new ArchiveError(`the upload is not a readable tar archive (${(err as Error).message}); send an OCI layout as a tar (oras cp --to-oci-layout, then tar -cf)`);
  } finally {
    source.destroy();
  }
  if (!sawIndex) throw new ArchiveError(`the archive has no index.json: it is not an OCI image layout${sawLayout ? "" : " (no oci-layout file either)"}; make one with \`oras cp -r <image> --to-oci-layout <dir>\` or the dashboard's download, then tar it`);
  return { blobs, bytes, skipped };
}

/** Read past an entry that is not kept (the next entry comes only after it). */
async function drain(entry: AsyncIterable<unknown>): Promise<void> {
  for await (const _ of entry) void _;
}

function checkLayoutFile(text: string): void {
  let version: unknown;
  try {
    version = (JSON.parse(text) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
  } catch {
    throw new ArchiveError("the oci-layout file is not JSON");
  }
  if (version !== "1.0.0") throw new ArchiveError(`the oci-layout file says imageLayoutVersion ${JSON.stringify(version)}; only 1.0.0 is known`);
}

async function writeNew(path: string, parts: Uint8Array[]): Promise<void> {
  const out = await open(path, "w");
  try {
    for (const p of parts) await out.write(p);
  } finally {
    await out.close();
  }
}

/** A name from an archive as messages show it (invisible characters escaped, cut when long). */
const printable = (name: string) => visibleText(name, 120);

/** An image of a layout to import: by its tag, or by digest when untagged. */
export interface LayoutRoot {
  reference: string;
  digest: string;
  tag?: string;
}

const SUPPLY_CHAIN_TAG = /^sha256-[0-9a-f]{64}(\.(sig|att|sbom))?$/;

/**
 * The images an extracted layout holds: every tagged entry of index.json
 * (once per tag; cosign's and the referrers schema's tags travel with their
 * subject), and the untagged entries that are not referrers of something in
 * it (they travel with their subject) nor listed by another entry's index
 * (platform manifests travel with their index).
 */
export async function layoutRoots(layout: LayoutStore, dir: string, repository: string): Promise<LayoutRoot[]> {
  const parsed = indexSchema.safeParse(JSON.parse(await readFile(join(dir, "index.json"), "utf8").catch(() => "null")));
  if (!parsed.success) throw new ArchiveError("index.json is not an OCI image index");
  const entries = parsed.data.manifests;
  const children = new Set<string>();
  const referrers = new Set<string>();
  const lists = new Map<string, Descriptor[]>();
  for (const e of entries) {
    const fetched = await layout.getManifest(repository, e.digest);
    const m = fetched.manifest as { subject?: Descriptor; manifests?: Descriptor[] };
    // A referrer travels with its subject; one whose subject is not in the archive was exported on its own.
    if (m.subject && (await layout.hasBlob(repository, m.subject.digest))) referrers.add(e.digest);
    lists.set(e.digest, m.manifests ?? []);
  }
  // Platform manifests travel with their index (an index that is itself a referrer may list its subject: not a parent).
  for (const [digest, list] of lists) if (!referrers.has(digest)) for (const c of list) children.add(c.digest);
  const roots: LayoutRoot[] = [];
  const seen = new Set<string>();
  // A ref.name that is not a tag (a full reference some tools write) is left: the entry counts as untagged.
  const tagOf = (e: Descriptor) => {
    const name = e.annotations?.[Annotation.RefName];
    return name && TAG_PATTERN.test(name) ? name : undefined;
  };
  for (const e of entries) {
    // A tag names an image to import, whatever else it is (an artifact tagged on its own, an index that refers to its child).
    const tag = tagOf(e);
    if (tag && !SUPPLY_CHAIN_TAG.test(tag)) {
      seen.add(e.digest);
      roots.push({ reference: tag, digest: e.digest, tag });
    }
  }
  for (const e of entries) {
    const tag = tagOf(e);
    if (tag || referrers.has(e.digest) || children.has(e.digest) || seen.has(e.digest)) continue;
    seen.add(e.digest);
    roots.push({ reference: e.digest, digest: e.digest });
  }
  return roots;
}
