/**
 * Bench support: writes images straight into CNCF Distribution's filesystem
 * storage, the files a push would leave, because pushing 20,000 repositories
 * or tags over HTTP takes minutes. The layout (Distribution 2.8,
 * registry/storage/paths.go):
 *
 *   docker/registry/v2/blobs/sha256/<hh>/<hex>/data                      blob and manifest bytes
 *   docker/registry/v2/repositories/<name>/_layers/sha256/<hex>/link     "sha256:<hex>" per blob linked into a repository
 *   .../<name>/_manifests/revisions/sha256/<hex>/link                    per manifest
 *   .../<name>/_manifests/tags/<tag>/current/link                        the tag's manifest
 *   .../<name>/_manifests/tags/<tag>/index/sha256/<hex>/link             every manifest the tag has pointed at
 *
 * e2e/integration/bench-storage.test.ts checks once that this gives the same
 * files as pushing the same image through the registry's API.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256 } from "../support/layout";

export class StorageWriter {
  private readonly written = new Set<string>();

  constructor(private readonly rootDirectory: string) {}

  private get v2(): string {
    return join(this.rootDirectory, "docker", "registry", "v2");
  }

  /** Stores content once (by digest) and returns its digest. */
  async blob(bytes: Buffer): Promise<string> {
    const digest = sha256(bytes);
    if (this.written.has(digest)) return digest;
    const hex = digest.slice("sha256:".length);
    const dir = join(this.v2, "blobs", "sha256", hex.slice(0, 2), hex);
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "data"), bytes);
    this.written.add(digest);
    return digest;
  }

  private async link(path: string, digest: string): Promise<void> {
    await mkdir(path, { recursive: true });
    await writeFile(join(path, "link"), digest);
  }

  /** Links blobs (config and layers) into a repository, as their uploads would. */
  async linkBlobs(repository: string, digests: string[]): Promise<void> {
    for (const d of digests) await this.link(join(this.v2, "repositories", repository, "_layers", "sha256", d.slice(7)), d);
  }

  /** A manifest in a repository, under a tag when given. Its blobs must be linked first. */
  async manifest(repository: string, bytes: Buffer, tag?: string): Promise<string> {
    const digest = await this.blob(bytes);
    const base = join(this.v2, "repositories", repository, "_manifests");
    await this.link(join(base, "revisions", "sha256", digest.slice(7)), digest);
    if (tag) {
      await this.link(join(base, "tags", tag, "current"), digest);
      await this.link(join(base, "tags", tag, "index", "sha256", digest.slice(7)), digest);
    }
    return digest;
  }
}
