import { createHash } from "node:crypto";
import type { AuthClient } from "./auth/auth-client";
import { repositoryScope } from "./auth/challenge";
import { parseDigest } from "./digest";
import { DigestMismatchError, ProtocolError } from "./errors";
import { validateRepository } from "./reference";
import type { Transport } from "./transport";

/**
 * Blobs moved between registries without holding a layer in memory
 * (distribution-spec "Pushing Blobs"): the source is read as a stream and its
 * digest checked as it passes; the target gets it in one PUT when it is small,
 * otherwise as PATCH chunks of at most `chunkBytes` (at least the registry's
 * `OCI-Chunk-Min-Length`), each a buffer that auth can send again after a
 * challenge. Within one registry, a cross-repository mount moves no bytes at
 * all; a registry that opens an upload instead (202) gets the bytes there.
 */

/** Bytes held at once per transfer: memory stays flat whatever the layer size. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** A whole blob may take this long to stream (a chunk or manifest keeps the client's own timeout). */
const STREAM_TIMEOUT_MS = 60 * 60_000;

export interface BlobEndpoint {
  name: string;
  auth: AuthClient;
  transport: Transport;
  url(path: string): string;
}

/** Stream a blob's bytes; the digest is checked at the end (a mismatch throws there, before the upload is closed). */
export async function* readBlobStream(from: BlobEndpoint, repository: string, digest: string): AsyncGenerator<Uint8Array> {
  validateRepository(repository);
  const { algorithm } = parseDigest(digest);
  const res = await from.auth.send({ method: "GET", url: from.url(`/v2/${repository}/blobs/${digest}`), scopes: [repositoryScope(repository, "pull")], timeoutMs: STREAM_TIMEOUT_MS });
  if (!res.ok) throw await from.transport.errorFrom(res, `fetching blob ${digest} in ${repository}`);
  if (!res.body) throw new ProtocolError(from.name, `${from.name}: blob ${digest} in ${repository} came without a body`);
  const hash = createHash(algorithm);
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    yield value;
  }
  const got = `${algorithm}:${hash.digest("hex")}`;
  if (got !== digest) throw new DigestMismatchError(from.name, `${from.name}: blob ${digest} in ${repository}: content does not match its digest (got ${got}); nothing of it is committed at the target`);
}

/** Mount from another repository of the same registry: true when done (201); else the upload the registry opened (202). */
export async function mountBlob(to: BlobEndpoint, repository: string, digest: string, from: string): Promise<{ mounted: true } | { mounted: false; location?: string; minChunk?: number }> {
  validateRepository(repository);
  validateRepository(from);
  parseDigest(digest);
  const url = new URL(to.url(`/v2/${repository}/blobs/uploads/`));
  url.searchParams.set("mount", digest);
  url.searchParams.set("from", from);
  const res = await to.auth.send({ method: "POST", url: url.toString(), scopes: [repositoryScope(repository, "pull", "push"), repositoryScope(from, "pull")] });
  await res.body?.cancel().catch(() => {});
  if (res.status === 201) return { mounted: true };
  if (res.status === 202) return { mounted: false, location: res.headers.get("location") ?? undefined, minChunk: chunkMin(res) };
  throw await to.transport.errorFrom(res, `mounting blob ${digest} into ${repository} from ${from}`);
}

function chunkMin(res: Response): number | undefined {
  const n = Number(res.headers.get("oci-chunk-min-length") ?? NaN);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

async function startUpload(to: BlobEndpoint, repository: string): Promise<{ location: string; minChunk?: number }> {
  const res = await to.auth.send({ method: "POST", url: to.url(`/v2/${repository}/blobs/uploads/`), scopes: [repositoryScope(repository, "pull", "push")] });
  await res.body?.cancel().catch(() => {});
  if (res.status !== 202) throw await to.transport.errorFrom(res, `starting an upload to ${repository}`);
  const location = res.headers.get("location");
  if (!location) throw new ProtocolError(to.name, `${to.name}: the upload to ${repository} was opened without a Location to send it to`);
  return { location, minChunk: chunkMin(res) };
}

/**
 * May this repository be written? An upload is opened and cancelled at once:
 * a registry that refuses pushes (no push right, read-only mode) says so
 * here, before a copy has written anything. Nothing stays behind: the
 * cancelled upload holds no bytes (a registry that cannot cancel purges it
 * with its other abandoned uploads).
 */
export async function checkPush(to: BlobEndpoint, repository: string): Promise<void> {
  validateRepository(repository);
  const { location } = await startUpload(to, repository);
  const res = await to.auth.send({ method: "DELETE", url: uploadUrl(to, location), scopes: [repositoryScope(repository, "pull", "push")] });
  await res.body?.cancel().catch(() => {});
}

/** The upload URL a registry named, on this registry only, with `digest` added when closing. */
function uploadUrl(to: BlobEndpoint, location: string, digest?: string): string {
  const base = new URL(to.url("/v2/"));
  const u = new URL(location, base);
  if (u.origin !== base.origin) throw new ProtocolError(to.name, `${to.name}: the upload location points at another host (${u.host}); refusing to send the blob there`);
  if (digest) u.searchParams.set("digest", digest);
  return u.toString();
}

export interface PushBlobOptions {
  /** An upload the registry already opened (a mount answered 202). */
  location?: string;
  minChunk?: number;
  chunkBytes?: number;
  /** Called with the bytes sent so far. */
  onBytes?: (sent: number) => void;
}

/** Upload a blob of known size from a stream of chunks; returns the bytes sent. */
export async function pushBlob(to: BlobEndpoint, repository: string, digest: string, size: number, chunks: AsyncIterable<Uint8Array>, opts: PushBlobOptions = {}): Promise<number> {
  validateRepository(repository);
  parseDigest(digest);
  const opened = opts.location ? { location: opts.location, minChunk: opts.minChunk } : await startUpload(to, repository);
  let location = opened.location;
  const chunkBytes = Math.max(opts.chunkBytes ?? DEFAULT_CHUNK_BYTES, opened.minChunk ?? 0);
  const scopes = [repositoryScope(repository, "pull", "push")];
  let sent = 0;
  let buffer = new Uint8Array(Math.min(size, chunkBytes));
  let filled = 0;
  // Whole in one PUT when it fits one chunk; else PATCH each full chunk, and the remainder with the closing PUT.
  const patch = async (bytes: Uint8Array) => {
    const res = await to.auth.send({
      method: "PATCH",
      url: uploadUrl(to, location),
      scopes,
      headers: { "content-type": "application/octet-stream", "content-length": String(bytes.byteLength), "content-range": `${sent}-${sent + bytes.byteLength - 1}` },
      body: bytes,
    });
    await res.body?.cancel().catch(() => {});
    if (res.status === 416) throw new ProtocolError(to.name, `${to.name}: the upload to ${repository} refused the chunk at byte ${sent} (416: out of order, or smaller than the registry's minimum chunk)`);
    if (res.status !== 202) throw await to.transport.errorFrom(res, `uploading blob ${digest} to ${repository}`);
    location = res.headers.get("location") ?? location;
    sent += bytes.byteLength;
    opts.onBytes?.(sent);
  };
  for await (const piece of chunks) {
    let offset = 0;
    while (offset < piece.byteLength) {
      const n = Math.min(piece.byteLength - offset, buffer.byteLength - filled);
      buffer.set(piece.subarray(offset, offset + n), filled);
      filled += n;
      offset += n;
      if (filled === buffer.byteLength && sent + filled < size) {
        await patch(buffer);
        buffer = new Uint8Array(Math.min(size - sent, chunkBytes));
        filled = 0;
      }
    }
  }
  if (sent + filled !== size) throw new ProtocolError(to.name, `${to.name}: blob ${digest} is ${sent + filled} bytes, not the ${size} its descriptor says; not committed`);
  const last = buffer.subarray(0, filled);
  const res = await to.auth.send({
    method: "PUT",
    url: uploadUrl(to, location, digest),
    scopes,
    headers: { "content-type": "application/octet-stream", "content-length": String(last.byteLength) },
    body: last,
  });
  await res.body?.cancel().catch(() => {});
  if (res.status !== 201) throw await to.transport.errorFrom(res, `committing blob ${digest} in ${repository}`);
  sent += last.byteLength;
  opts.onBytes?.(sent);
  return sent;
}
