/**
 * The bench writes its 20,000-repository and 20,000-tag data sets straight
 * into Distribution's storage (pushing them takes minutes). This checks once
 * that doing so leaves the same files as pushing through the registry's API,
 * and that the registry then serves the written image like a pushed one.
 */
import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StorageWriter } from "../bench/storage-writer";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { sha256 } from "../support/layout";

let dist: RunningDistribution;
beforeAll(async () => {
  dist = await startDistribution();
});
afterAll(async () => {
  await dist?.stop();
});

async function filesUnder(dir: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  async function walk(d: string) {
    for (const e of await readdir(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) await walk(p);
      else out.set(relative(dir, p), (await readFile(p)).toString("base64"));
    }
  }
  await walk(dir);
  return out;
}

describe("writing the bench data straight into Distribution's storage", () => {
  it("leaves the files a push leaves, and the registry serves the image alike", async () => {
    const config = Buffer.from(JSON.stringify({ created: "2026-01-01T00:00:00Z", architecture: "amd64", os: "linux", rootfs: { type: "layers", diff_ids: [] } }));
    const layer = Buffer.from("bench-storage layer");
    const manifest = Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length },
        layers: [{ mediaType: "application/vnd.oci.image.layer.v1.tar", digest: sha256(layer), size: layer.length }],
      }),
    );
    // Pushed through the API, as any client does.
    for (const blob of [config, layer]) {
      const start = await fetch(`${dist.url}/v2/pushed/app/blobs/uploads/`, { method: "POST" });
      expect(start.status).toBe(202);
      const location = new URL(start.headers.get("location")!, dist.url);
      location.searchParams.set("digest", sha256(blob));
      const put = await fetch(location, { method: "PUT", body: blob, headers: { "content-type": "application/octet-stream" } });
      expect(put.status).toBe(201);
    }
    const put = await fetch(`${dist.url}/v2/pushed/app/manifests/v1`, { method: "PUT", body: manifest, headers: { "content-type": "application/vnd.oci.image.manifest.v1+json" } });
    expect(put.status).toBe(201);

    // Written straight into storage.
    const writer = new StorageWriter(dist.rootDirectory);
    const digests = [await writer.blob(config), await writer.blob(layer)];
    await writer.linkBlobs("written/app", digests);
    await writer.manifest("written/app", manifest, "v1");

    const repositories = join(dist.rootDirectory, "docker", "registry", "v2", "repositories");
    const pushed = await filesUnder(join(repositories, "pushed", "app"));
    const written = await filesUnder(join(repositories, "written", "app"));
    // Upload sessions leave their own (empty) folder; the rest must match file for file.
    expect(new Map([...pushed].filter(([p]) => !p.startsWith("_uploads")))).toEqual(written);
    expect(written.size).toBe(5);

    const catalog = await (await fetch(`${dist.url}/v2/_catalog`)).json();
    expect(catalog.repositories).toEqual(["pushed/app", "written/app"]);
    const served = await fetch(`${dist.url}/v2/written/app/manifests/v1`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
    expect(served.headers.get("docker-content-digest")).toBe(sha256(manifest));
    expect(Buffer.from(await served.arrayBuffer()).equals(manifest)).toBe(true);
    const blob = await fetch(`${dist.url}/v2/written/app/blobs/${sha256(layer)}`);
    expect(Buffer.from(await blob.arrayBuffer()).equals(layer)).toBe(true);
    expect((await (await fetch(`${dist.url}/v2/written/app/tags/list`)).json()).tags).toEqual(["v1"]);
  });
});
