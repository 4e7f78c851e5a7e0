import { createHash } from "node:crypto";
import { createReadStream, type Dirent } from "node:fs";
import { mkdir, open, readdir, readFile, realpath, rename, stat, unlink, writeFile } from "node:fs/promises";
import { dirname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { computeDigest, isDigest, parseDigest, verifyDigest } from "./digest";
import { BrokenLayoutError, DigestMismatchError, InvalidManifestError, MethodNotAllowedError, NotFoundError, TooLargeError } from "./errors";
import { Annotation } from "./media-types";
import { isValidRepository, validateReference, validateRepository, validateTag } from "./reference";
import { artifactTypeOf, indexSchema, ManifestParseError, parseManifest, type Descriptor, type Manifest } from "./schemas";
import type { Capability, FetchedBlob, FetchedManifest, OrasDraftResult, Page, ReferrersApiResult, Store } from "./store";

/**
 * OCI image layouts on disk, as a Store: a root folder holds one layout per
 * repository (the repository name is the path below the root, as regctl's
 * `ocidir://` and oras' `--oci-layout` use them). Tags are the
 * `org.opencontainers.image.ref.name` annotations of index.json; referrers are
 * found from the `subject` of every manifest in the layout, and offered the way
 * a registry's referrers API offers them. Read-only unless deletion is allowed.
 * Every path comes from a validated repository name or digest, and is checked
 * to stay under the root after symbolic links are resolved: a repository is a
 * real folder (a link would let one name serve another repository's content,
 * past the rights on its real name), and no file is read from outside the
 * root. Every read is checked against its digest, a truncated one too.
 * Messages name files relative to the root, never the server's own paths.
 */

export interface LayoutStoreOptions {
  /** Folder holding one layout per repository. */
  root: string;
  /** Name shown in messages (the registry id). */
  name?: string;
  allowDelete?: boolean;
  maxManifestBytes?: number;
  maxBlobBytes?: number;
}

interface LayoutIndex {
  /** mtime of index.json, for the cache. */
  mtimeMs: number;
  entries: Descriptor[];
}

interface SubjectMap {
  key: string;
  /**
   * Every blob already looked at: digest → what it is as a referrer (its
   * subject and descriptor), or null when it is none. Content is immutable by
   * digest and checked against it, so a blob is read once, ever: a change to
   * the layout reads only the blobs that are new.
   */
  seen: Map<string, { subject: string; descriptor: Descriptor } | null>;
  /** subject digest → referrer descriptors */
  referrers: Map<string, Descriptor[]>;
}

const MAX_DEPTH_FOR_REPOSITORIES = 8;

export class LayoutStore implements Store {
  readonly name: string;
  readonly root: string;
  private readonly allowDelete: boolean;
  private readonly maxManifestBytes: number;
  private readonly maxBlobBytes: number;
  private readonly indexes = new Map<string, LayoutIndex>();
  private readonly subjects = new Map<string, SubjectMap>();
  /** Large blobs already hashed in full: path → "size|mtime" when checked. */
  private readonly verifiedLarge = new Map<string, string>();
  private realRootPromise?: Promise<string>;
  /** Blobs read to find referrers, since the store was made (what a change to a layout costs). */
  readonly stats = { referrerScanReads: 0 };

  constructor(options: LayoutStoreOptions) {
    this.root = resolve(options.root);
    this.name = options.name ?? this.root;
    this.allowDelete = options.allowDelete ?? false;
    this.maxManifestBytes = options.maxManifestBytes ?? 4 * 1024 * 1024;
    this.maxBlobBytes = options.maxBlobBytes ?? 4 * 1024 * 1024;
  }

  /** The folder of a repository, never outside the root. */
  private dir(repository: string): string {
    validateRepository(repository);
    const dir = resolve(this.root, ...repository.split("/"));
    const rel = relative(this.root, dir);
    if (rel === "" || rel.startsWith("..") || isAbsolute(rel)) {
      throw new NotFoundError(this.name, `${this.name}: repository ${repository} is outside the layout root`);
    }
    return dir;
  }

  /** A path as messages show it: relative to the root, never the server's own path. */
  private shown(path: string): string {
    const rel = relative(this.root, path);
    return rel.startsWith("..") || isAbsolute(rel) ? "(outside the layout root)" : rel.split(sep).join("/");
  }

  private realRoot(): Promise<string> {
    this.realRootPromise ??= realpath(this.root).catch((err) => {
      this.realRootPromise = undefined;
      throw err;
    });
    return this.realRootPromise;
  }

  /**
   * Refuse a path that leaves the root through a symbolic link. A repository
   * folder must be real (`exact`), not only end up inside the store: a link
   * would serve another repository's content under a name with other rights.
   * A refused repository is "not found"; a refused file is a broken layout.
   * Missing paths pass (the read that follows says "not found").
   */
  private async confine(path: string, what: "repository" | "file" | "blob"): Promise<void> {
    let real: string;
    let root: string;
    try {
      root = await this.realRoot();
      real = await realpath(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT" || (err as NodeJS.ErrnoException).code === "ENOTDIR") return;
      throw new BrokenLayoutError(this.name, `${this.name}: cannot read ${this.shown(path)}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    const expected = join(root, relative(this.root, path));
    const inside = real === root || real.startsWith(root + sep);
    // Blobs may be links within the store (shared between layouts); they are digest-checked anyway.
    if (inside && (what === "blob" || real === expected)) return;
    const why = `${this.shown(path)} is a symbolic link ${inside ? "to another place in the store" : "out of the store"}; this store serves only real folders and files under its root`;
    if (what === "repository") throw new NotFoundError(this.name, `${this.name}: ${why}`, { errors: [{ code: "NAME_UNKNOWN" }] });
    throw new BrokenLayoutError(this.name, `${this.name}: ${why}`);
  }

  private blobPath(repository: string, digest: string): string {
    const { algorithm, encoded } = parseDigest(digest);
    if (!/^[a-z0-9]+$/.test(algorithm) || !/^[a-zA-Z0-9=_-]+$/.test(encoded)) throw new NotFoundError(this.name, `${this.name}: no blob ${digest}`);
    return join(this.dir(repository), "blobs", algorithm, encoded);
  }

  /** Is there a layout here at all? (Used for reachability.) */
  async check(): Promise<void> {
    try {
      const s = await stat(this.root);
      if (!s.isDirectory()) throw new Error("not a directory");
    } catch (err) {
      throw new BrokenLayoutError(this.name, `${this.name}: the folder of this layout store (its "path" in the configuration) cannot be read: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  }

  async catalogPage(opts: { n?: number; cursor?: string; last?: string } = {}): Promise<Page<string>> {
    await this.check();
    const all = (await this.findRepositories(this.root, [], 0)).sort();
    const after = opts.cursor ?? opts.last;
    const start = after !== undefined ? all.findIndex((r) => r > after) : 0;
    const from = start < 0 ? all.length : start;
    const n = opts.n ?? 1000;
    const items = all.slice(from, from + n);
    return { items, next: from + n < all.length ? items[items.length - 1] : undefined };
  }

  private async findRepositories(dir: string, parts: string[], depth: number): Promise<string[]> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return [];
    }
    const out: string[] = [];
    if (parts.length > 0 && entries.some((e) => e.isFile() && e.name === "oci-layout")) {
      const name = parts.join("/");
      if (isValidRepository(name)) out.push(name);
      return out; // a layout does not nest repositories inside itself (blobs/ is not one)
    }
    if (depth >= MAX_DEPTH_FOR_REPOSITORIES) return out;
    for (const e of entries) {
      if (!e.isDirectory() || e.name.startsWith(".")) continue;
      out.push(...(await this.findRepositories(join(dir, e.name), [...parts, e.name], depth + 1)));
    }
    return out;
  }

  /** index.json of a repository, validated, cached until it changes. */
  private async index(repository: string): Promise<LayoutIndex> {
    const dir = this.dir(repository);
    await this.confine(dir, "repository");
    const layoutFile = join(dir, "oci-layout");
    const indexFile = join(dir, "index.json");
    await this.confine(layoutFile, "file");
    await this.confine(indexFile, "file");
    let layoutText: string;
    try {
      layoutText = await readFile(layoutFile, "utf8");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") {
        throw new NotFoundError(this.name, `${this.name}: repository ${repository} not found (no OCI layout at ${this.shown(dir)}/)`, { errors: [{ code: "NAME_UNKNOWN" }] });
      }
      throw new BrokenLayoutError(this.name, `${this.name}: cannot read ${this.shown(layoutFile)}: ${(err as NodeJS.ErrnoException).code}`);
    }
    let version: unknown;
    try {
      version = (JSON.parse(layoutText) as { imageLayoutVersion?: unknown }).imageLayoutVersion;
    } catch {
      throw new BrokenLayoutError(this.name, `${this.name}: ${this.shown(layoutFile)} is not JSON`);
    }
    if (typeof version !== "string" || !/^1\.\d+\.\d+$/.test(version)) {
      throw new BrokenLayoutError(this.name, `${this.name}: ${this.shown(layoutFile)} has imageLayoutVersion ${JSON.stringify(version)}; only 1.x layouts are supported`);
    }
    let s;
    try {
      s = await stat(indexFile);
    } catch (err) {
      throw new BrokenLayoutError(this.name, `${this.name}: ${this.shown(indexFile)} is missing or unreadable (${(err as NodeJS.ErrnoException).code})`);
    }
    const cached = this.indexes.get(repository);
    if (cached && cached.mtimeMs === s.mtimeMs) return cached;
    let json: unknown;
    try {
      json = JSON.parse(await readFile(indexFile, "utf8"));
    } catch (err) {
      throw new BrokenLayoutError(this.name, `${this.name}: ${this.shown(indexFile)} is not valid JSON: ${(err as Error).message}`);
    }
    const parsed = indexSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new BrokenLayoutError(this.name, `${this.name}: ${this.shown(indexFile)} is not an image index: ${issue.path.join(".") || "(top level)"}: ${issue.message}`);
    }
    const index = { mtimeMs: s.mtimeMs, entries: parsed.data.manifests };
    this.indexes.set(repository, index);
    return index;
  }

  /** The tag of an index.json entry: ref.name when it is a tag, or the tag part of a full reference. */
  private static tagOf(d: Descriptor): string | undefined {
    const ref = d.annotations?.[Annotation.RefName];
    if (!ref) return undefined;
    try {
      validateTag(ref);
      return ref;
    } catch {
      const m = /:([a-zA-Z0-9_][a-zA-Z0-9._-]{0,127})$/.exec(ref.split("@")[0]);
      return m && m[1] && !m[1].includes("/") ? m[1] : undefined;
    }
  }

  async listTags(repository: string): Promise<string[]> {
    const index = await this.index(repository);
    return [...new Set(index.entries.map((d) => LayoutStore.tagOf(d)).filter((t): t is string => !!t))];
  }

  async tagsPage(repository: string, opts: { n?: number; cursor?: string } = {}): Promise<Page<string>> {
    const all = (await this.listTags(repository)).sort();
    const from = opts.cursor ? all.filter((t) => t <= opts.cursor!).length : 0;
    const n = opts.n ?? 1000;
    const items = all.slice(from, from + n);
    return { items, next: from + n < all.length ? items[items.length - 1] : undefined };
  }

  /**
   * Read a file under the root, at most `max` bytes, checked against `digest`.
   * A file over the cap is still hashed in full (once per size and mtime), so
   * a truncated read is only ever the start of content whose digest held.
   */
  private async readVerified(path: string, digest: string, max: number, what: string): Promise<{ bytes: Uint8Array; truncated: boolean; size: number }> {
    await this.confine(path, "blob");
    let size: number;
    let mtimeMs: number;
    try {
      const st = await stat(path);
      if (!st.isFile()) throw Object.assign(new Error("not a file"), { code: "EISDIR" });
      size = st.size;
      mtimeMs = st.mtimeMs;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new NotFoundError(this.name, `${this.name}: ${what} not found: the layout has no file ${this.shown(path)}`, { errors: [{ code: "BLOB_UNKNOWN" }] });
      throw new BrokenLayoutError(this.name, `${this.name}: cannot read ${this.shown(path)}: ${(err as NodeJS.ErrnoException).code}`);
    }
    const mismatch = (got: string) =>
      new DigestMismatchError(this.name, `${this.name}: ${what}: the file ${this.shown(path)} does not match its digest (it hashes to ${got}); the layout is corrupt`);
    if (size <= max) {
      const bytes = new Uint8Array(await readFile(path));
      if (verifyDigest(bytes, digest) === false) throw mismatch(computeDigest(bytes));
      return { bytes, truncated: false, size };
    }
    const { algorithm } = parseDigest(digest);
    const stamp = `${size}|${mtimeMs}`;
    const hash = this.verifiedLarge.get(path) === stamp ? undefined : createHash(algorithm);
    const chunks: Buffer[] = [];
    let kept = 0;
    for await (const chunk of createReadStream(path, hash ? {} : { start: 0, end: max - 1 })) {
      const c = chunk as Buffer;
      hash?.update(c);
      if (kept < max) {
        const part = c.subarray(0, max - kept);
        chunks.push(part);
        kept += part.length;
      }
    }
    if (hash) {
      const got = `${algorithm}:${hash.digest("hex")}`;
      if (got !== digest) throw mismatch(got);
      this.verifiedLarge.set(path, stamp);
    }
    return { bytes: new Uint8Array(Buffer.concat(chunks, kept)), truncated: true, size };
  }

  private async resolve(repository: string, reference: string): Promise<Descriptor | undefined> {
    const index = await this.index(repository);
    if (isDigest(reference)) return index.entries.find((d) => d.digest === reference);
    const matches = index.entries.filter((d) => LayoutStore.tagOf(d) === reference);
    return matches[matches.length - 1];
  }

  async getManifest(repository: string, reference: string): Promise<FetchedManifest> {
    const what = `manifest ${repository}${isDigest(reference) ? "@" : ":"}${reference}`;
    validateReference(reference);
    const entry = await this.resolve(repository, reference);
    if (!entry && !isDigest(reference)) {
      throw new NotFoundError(this.name, `${this.name}: ${what}: not found (no index.json entry has this tag); check the tag`, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
    }
    const digest = entry?.digest ?? reference;
    const path = this.blobPath(repository, digest);
    let read;
    try {
      read = await this.readVerified(path, digest, this.maxManifestBytes, what);
    } catch (err) {
      if (err instanceof NotFoundError && !entry) {
        throw new NotFoundError(this.name, `${this.name}: ${what}: not found; check the digest`, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
      }
      if (err instanceof NotFoundError) throw new BrokenLayoutError(this.name, `${this.name}: ${what}: index.json lists it but the blob ${this.shown(path)} is missing`);
      throw err;
    }
    if (read.truncated) throw new TooLargeError(this.name, `${this.name}: ${what} is ${read.size} bytes, over the ${this.maxManifestBytes}-byte limit`);
    let manifest: Manifest;
    try {
      manifest = parseManifest(read.bytes, entry?.mediaType);
    } catch (err) {
      if (err instanceof ManifestParseError) throw new InvalidManifestError(this.name, `${this.name}: ${what} (${this.shown(path)}) is malformed: ${err.message}`);
      throw err;
    }
    return { descriptor: { mediaType: manifest.mediaType, digest, size: read.bytes.byteLength }, bytes: read.bytes, manifest };
  }

  async headManifest(repository: string, reference: string): Promise<Descriptor> {
    return (await this.getManifest(repository, reference)).descriptor;
  }

  async hasBlob(repository: string, digest: string): Promise<boolean> {
    parseDigest(digest);
    try {
      await this.index(repository);
    } catch (err) {
      // No layout there yet: nothing in it.
      if (err instanceof NotFoundError) return false;
      throw err;
    }
    try {
      return (await stat(this.blobPath(repository, digest))).isFile();
    } catch {
      return false;
    }
  }

  async getBlob(repository: string, digest: string, opts: { maxBytes?: number } = {}): Promise<FetchedBlob> {
    await this.index(repository); // the repository must be a layout
    const path = this.blobPath(repository, digest);
    const read = await this.readVerified(path, digest, opts.maxBytes ?? this.maxBlobBytes, `blob ${digest} in ${repository}`);
    return { digest, bytes: read.bytes, truncated: read.truncated, size: read.size };
  }

  async deleteManifest(repository: string, digest: string): Promise<void> {
    parseDigest(digest);
    if (!this.allowDelete) {
      throw new MethodNotAllowedError(this.name, `${this.name}: deleting manifests is disabled for this OCI layout store; set allowDelete: true in its config entry to allow it`, { status: 405 });
    }
    const dir = this.dir(repository);
    const index = await this.index(repository);
    const path = this.blobPath(repository, digest);
    const listed = index.entries.some((d) => d.digest === digest);
    let exists = true;
    try {
      await stat(path);
    } catch {
      exists = false;
    }
    if (!listed && !exists) throw new NotFoundError(this.name, `${this.name}: manifest ${repository}@${digest} not found`, { errors: [{ code: "MANIFEST_UNKNOWN" }] });
    if (listed) {
      const indexFile = join(dir, "index.json");
      const doc = JSON.parse(await readFile(indexFile, "utf8")) as { manifests: Descriptor[] };
      doc.manifests = doc.manifests.filter((d) => d.digest !== digest);
      const tmp = `${indexFile}.${process.pid}.tmp`;
      await writeFile(tmp, JSON.stringify(doc));
      await rename(tmp, indexFile);
      this.indexes.delete(repository);
    }
    if (exists) await unlink(path);
    this.subjects.delete(repository);
  }

  private refuseChanges(): void {
    if (!this.allowDelete) {
      throw new MethodNotAllowedError(this.name, `${this.name}: this OCI layout store is read-only; set allowDelete: true in its config entry to allow changes`, { status: 405 });
    }
  }

  /** A new repository is a new layout (oci-layout, an empty index.json, blobs/): what a copy into the store creates. */
  private async ensureLayout(repository: string): Promise<void> {
    const dir = this.dir(repository);
    try {
      await stat(join(dir, "index.json"));
      return;
    } catch {
      // not there yet
    }
    await mkdir(join(dir, "blobs", "sha256"), { recursive: true });
    await writeFile(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
    await writeFile(join(dir, "index.json"), JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: [] }));
    this.indexes.delete(repository);
  }

  /** Refused when this store is read-only (what a copy into it would meet at its first write). */
  async checkPush(repository: string): Promise<void> {
    validateRepository(repository);
    this.refuseChanges();
  }

  /** A blob as a stream of chunks, its digest checked at the end. */
  async *readBlob(repository: string, digest: string): AsyncGenerator<Uint8Array> {
    await this.index(repository);
    const { algorithm } = parseDigest(digest);
    const hash = createHash(algorithm);
    for await (const chunk of createReadStream(this.blobPath(repository, digest), { highWaterMark: 1024 * 1024 })) {
      const bytes = chunk as Buffer;
      hash.update(bytes);
      yield new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    }
    const got = `${algorithm}:${hash.digest("hex")}`;
    if (got !== digest) throw new DigestMismatchError(this.name, `${this.name}: blob ${digest} in ${repository} does not match its digest (got ${got}); the layout is damaged`);
  }

  /** Write a blob from a stream into a temporary file, checked against its digest and size before it takes its name. */
  async pushBlob(repository: string, digest: string, size: number, chunks: AsyncIterable<Uint8Array>): Promise<number> {
    this.refuseChanges();
    await this.ensureLayout(repository);
    const path = this.blobPath(repository, digest);
    await mkdir(dirname(path), { recursive: true });
    const tmp = `${path}.${process.pid}.${Date.now()}.partial`;
    const { algorithm } = parseDigest(digest);
    const hash = createHash(algorithm);
    let written = 0;
    const out = await open(tmp, "w");
    try {
      for await (const chunk of chunks) {
        hash.update(chunk);
        await out.write(chunk);
        written += chunk.byteLength;
      }
    } finally {
      await out.close();
    }
    const got = `${algorithm}:${hash.digest("hex")}`;
    if (got !== digest || written !== size) {
      await unlink(tmp).catch(() => undefined);
      throw new DigestMismatchError(this.name, `${this.name}: blob ${digest} arrived as ${written} bytes with digest ${got}; not written`);
    }
    await rename(tmp, path);
    return written;
  }

  async putManifest(repository: string, reference: string, bytes: Uint8Array, mediaType: string): Promise<string> {
    this.refuseChanges();
    await this.ensureLayout(repository);
    const dir = this.dir(repository);
    await this.index(repository); // the repository must be a valid layout
    const digest = computeDigest(bytes);
    const path = this.blobPath(repository, digest);
    await writeFile(path, bytes);
    const indexFile = join(dir, "index.json");
    const doc = JSON.parse(await readFile(indexFile, "utf8")) as { manifests: Descriptor[] };
    const tag = isDigest(reference) ? undefined : (validateTag(reference), reference);
    // A tag moves: drop the entry that had it.
    doc.manifests = doc.manifests.filter((d) => !(tag && LayoutStore.tagOf(d) === tag));
    doc.manifests.push({ mediaType, digest, size: bytes.byteLength, ...(tag ? { annotations: { [Annotation.RefName]: tag } } : {}) });
    const tmp = `${indexFile}.${process.pid}.tmp`;
    await writeFile(tmp, JSON.stringify(doc));
    await rename(tmp, indexFile);
    this.indexes.delete(repository);
    this.subjects.delete(repository);
    return digest;
  }

  referrersCapability(): Capability {
    return "supported";
  }

  async referrers(repository: string, digest: string, opts: { artifactType?: string } = {}): Promise<ReferrersApiResult> {
    parseDigest(digest);
    const map = await this.subjectMap(repository);
    let descriptors = map.referrers.get(digest) ?? [];
    if (opts.artifactType !== undefined) descriptors = descriptors.filter((d) => d.artifactType === opts.artifactType);
    return { supported: true, descriptors, filtersApplied: opts.artifactType !== undefined ? ["artifactType"] : [] };
  }

  async orasDraftReferrers(): Promise<OrasDraftResult> {
    return { supported: false };
  }

  /**
   * Every manifest in the layout (every blob that parses as one, so untagged
   * referrers count too), by the subject it names. Brought up to date when
   * index.json or the blob folder changes, reading only the blobs not seen
   * before (a layout of 5,000 manifests is read once, not on every change).
   */
  private async subjectMap(repository: string): Promise<SubjectMap> {
    const index = await this.index(repository);
    const blobsDir = join(this.dir(repository), "blobs");
    let algorithms: string[] = [];
    try {
      algorithms = (await readdir(blobsDir, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => e.name);
    } catch {
      algorithms = [];
    }
    const mtimes = await Promise.all(algorithms.map(async (a) => (await stat(join(blobsDir, a))).mtimeMs));
    const key = `${index.mtimeMs}|${algorithms.join(",")}|${mtimes.join(",")}`;
    const cached = this.subjects.get(repository);
    if (cached && cached.key === key) return cached;

    const seen = new Map(cached?.seen ?? []);
    const present = new Set<string>();
    // Every blob small enough to be a manifest, that parses as one; only those not looked at before are read.
    const fresh: { digest: string; path: string }[] = [];
    for (const algorithm of algorithms) {
      const dir = join(blobsDir, algorithm);
      for (const name of await readdir(dir)) {
        const digest = `${algorithm}:${name}`;
        if (!isDigest(digest)) continue;
        present.add(digest);
        if (seen.has(digest)) continue;
        const path = join(dir, name);
        if (path.startsWith(blobsDir + sep)) fresh.push({ digest, path });
      }
    }
    // New blobs are read several at a time: the first look at a large layout is thousands of small files.
    let next = 0;
    const readOne = async ({ digest, path }: { digest: string; path: string }) => {
      let size: number;
      try {
        // A link (of the blob or of a folder above it) is followed only when it stays in the store.
        await this.confine(path, "blob");
        size = (await stat(path)).size;
      } catch {
        return; // not remembered: looked at again next time
      }
      if (size > this.maxManifestBytes || size < 2) {
        seen.set(digest, null);
        return;
      }
      const bytes = await readFile(path);
      this.stats.referrerScanReads++;
      if (bytes[0] !== 0x7b /* { */) {
        seen.set(digest, null);
        return;
      }
      if (verifyDigest(bytes, digest) !== true) return; // corrupt or substituted: not a referrer (looked at again next time)
      seen.set(digest, referrerOf(digest, bytes, size));
    };
    await Promise.all(
      Array.from({ length: Math.min(16, fresh.length) }, async () => {
        while (next < fresh.length) await readOne(fresh[next++]);
      }),
    );
    for (const digest of seen.keys()) if (!present.has(digest)) seen.delete(digest); // removed from the layout
    const referrers = new Map<string, Descriptor[]>();
    for (const entry of seen.values()) {
      if (!entry) continue;
      const list = referrers.get(entry.subject);
      if (list) list.push(entry.descriptor);
      else referrers.set(entry.subject, [entry.descriptor]);
    }
    for (const list of referrers.values()) list.sort((a, b) => (a.digest < b.digest ? -1 : 1));
    const map = { key, seen, referrers };
    this.subjects.set(repository, map);
    return map;
  }
}

/** A manifest blob with a subject, as a referrer of that subject; null for anything else (a config, an SBOM, a manifest without a subject). */
function referrerOf(digest: string, bytes: Uint8Array, size: number): { subject: string; descriptor: Descriptor } | null {
  try {
    const m = parseManifest(bytes);
    if (m.kind === "unknown" || m.kind === "schema1" || !m.subject) return null;
    return { subject: m.subject.digest, descriptor: { mediaType: m.mediaType, digest, size, artifactType: artifactTypeOf(m), annotations: m.annotations } };
  } catch {
    return null;
  }
}
