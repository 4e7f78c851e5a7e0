import { afterEach, describe, expect, it } from "vitest";
import { RegistryClient } from "@/lib/oci/registry-client";
import { discover } from "@/lib/supply-chain/discover";
import { expectedReferrers, fixtureLayouts } from "../support/fixtures";
import { addToReferrersTag, pushLayout, readLayout } from "../support/layout";
import { TestRegistry, type TestRegistryOptions } from "../support/test-registry";
import { pushImage, pushReferrer } from "../support/artifacts";

// The referrers API and the ORAS draft endpoint, against the spec-faithful test registry.

const running: TestRegistry[] = [];
async function registryWith(options: TestRegistryOptions, repos: string[] = ["oras/artifacts"], maintainReferrersTags = true) {
  const r = await new TestRegistry(options).start();
  running.push(r);
  for (const repo of repos) await pushLayout({ url: r.url }, repo, readLayout(fixtureLayouts()[repo]), { maintainReferrersTags });
  const requests: string[] = [];
  const client = new RegistryClient({ host: r.host, plainHttp: true, onRequest: (rec) => requests.push(`${rec.method} ${new URL(rec.url).pathname}${new URL(rec.url).search}`) });
  return { registry: r, client, requests };
}
afterEach(async () => {
  while (running.length) await running.pop()!.stop();
});

const layout = () => readLayout(fixtureLayouts()["oras/artifacts"]);
const tagDigest = (tag: string) => layout().entries.find((e) => e.tag === tag)!.descriptor.digest;
const referrers = (g: Awaited<ReturnType<typeof discover>>) => g.nodes.filter((n) => n.role === "referrer");

describe("referrers API", () => {
  it("finds the declared referrers through the API alone and remembers support", async () => {
    const { client, requests } = await registryWith({});
    for (const tag of ["foobar", "multi"]) {
      const g = await discover(client, "oras/artifacts", tag);
      expect(new Set(referrers(g).map((n) => n.digest))).toEqual(expectedReferrers(layout(), tagDigest(tag)));
      expect(g.edges.filter((e) => e.relation === "referrer").every((e) => e.methods.join() === "referrers-api")).toBe(true);
      expect(g.capabilities.referrersApi).toBe("supported");
    }
    // No referrers tags were written (the registry answered OCI-Subject) and no tag fetches were needed.
    expect(requests.filter((r) => r.includes("/manifests/sha256-"))).toEqual([]);
  });

  it("uses the server-side filter when OCI-Filters-Applied says so", async () => {
    const { client, requests } = await registryWith({});
    const g = await discover(client, "oras/artifacts", "foobar", { artifactType: "test/sbom.file" });
    expect(referrers(g).map((n) => n.artifactType)).toEqual(["test/sbom.file", "test/signature.file"]);
    expect(requests).toContainEqual(expect.stringMatching(/referrers\/sha256:[0-9a-f]+\?artifactType=test%2Fsbom\.file$/));
  });

  it("filters on the client when the registry ignores the filter", async () => {
    const { client } = await registryWith({ applyFilters: false });
    const g = await discover(client, "oras/artifacts", "multi", { artifactType: "referrer/index" });
    expect(referrers(g).filter((n) => n.depth === 1).map((n) => n.artifactType)).toEqual(["referrer/index"]);
    const raw = await client.referrers("oras/artifacts", tagDigest("multi"), { artifactType: "referrer/index" });
    expect(raw.supported && raw.filtersApplied).toEqual([]);
    expect(raw.supported && raw.descriptors.length).toBeGreaterThan(1);
  });

  it("follows Link pagination", async () => {
    const { client, requests } = await registryWith({ referrersPageSize: 1 });
    const subject = tagDigest("multi");
    const r = await client.referrers("oras/artifacts", subject);
    expect(r.supported && r.descriptors.map((d) => d.digest).sort()).toEqual(running[0].referrerDescriptors("oras/artifacts", subject).map((d) => d.digest));
    expect(r.supported && r.descriptors.length).toBe(2);
    expect(requests.filter((x) => x.includes(`/referrers/${subject}`)).length).toBe(2);
  });

  it("falls back to the tag schema when the registry has no referrers API", async () => {
    const { client, requests } = await registryWith({ referrersApi: false });
    const g = await discover(client, "oras/artifacts", "foobar");
    expect(referrers(g)).toHaveLength(2);
    expect(g.edges.filter((e) => e.relation === "referrer").every((e) => e.methods.join() === "tag-schema")).toBe(true);
    expect(g.capabilities.referrersApi).toBe("unsupported");
    // Support is probed once per repository, not once per node.
    expect(requests.filter((r) => r.includes("/referrers/")).length).toBe(1);
  });

  it("probes a repository once even when many lookups start together", async () => {
    const { client, requests } = await registryWith({ referrersApi: false, orasDraft: false });
    const digests = [...layout().manifests.keys()];
    const results = await Promise.all(digests.map((d) => client.referrers("oras/artifacts", d)));
    await Promise.all(digests.map((d) => client.orasDraftReferrers("oras/artifacts", d)));
    expect(results.every((r) => !r.supported)).toBe(true);
    expect(requests.filter((r) => r.includes("/referrers/"))).toHaveLength(1);
    expect(requests.filter((r) => r.includes("/_oras/"))).toHaveLength(1);
  });

  it("merges an edge found by several methods into one, naming each method", async () => {
    // Referrers pushed where the API exists, and referrers tags written as well (a registry that enabled the API later).
    const { registry, client } = await registryWith({ orasDraft: true });
    // The registry answers OCI-Subject, so the push wrote no referrers tags: write them as an older client would have.
    for (const m of layout().manifests.values()) if (m.json.subject) await addToReferrersTag({ url: registry.url }, "oras/artifacts", m.json.subject.digest, m);
    const g = await discover(client, "oras/artifacts", "foobar");
    const edges = g.edges.filter((e) => e.relation === "referrer");
    expect(edges).toHaveLength(2);
    for (const e of edges) expect(e.methods).toEqual(["referrers-api", "tag-schema", "oras-draft"]);
    expect(referrers(g)).toHaveLength(2);
  });
});

describe("ORAS artifacts draft endpoint", () => {
  it("finds referrers through /_oras/artifacts/referrers when it is the only way", async () => {
    const { client, requests } = await registryWith({ referrersApi: false, orasDraft: true }, ["oras/artifacts"], false);
    const g = await discover(client, "oras/artifacts", "foobar");
    expect(new Set(referrers(g).map((n) => n.digest))).toEqual(expectedReferrers(layout(), tagDigest("foobar")));
    expect(g.edges.filter((e) => e.relation === "referrer").every((e) => e.methods.join() === "oras-draft")).toBe(true);
    expect(requests).toContainEqual(expect.stringMatching(/\/v2\/oras\/artifacts\/_oras\/artifacts\/referrers\?digest=sha256%3A/));
  });

  it("pages with nextToken links", async () => {
    const { client } = await registryWith({ referrersApi: false, orasDraft: true }, ["oras/artifacts"], false);
    const r = await client.orasDraftReferrers("oras/artifacts", tagDigest("multi"));
    expect(r.supported && r.descriptors.length).toBe(2);
  });
});

describe("tag list paging", () => {
  it("follows Link pages when the registry honours n", async () => {
    const { registry } = await registryWith({ maxPageSize: 5 }, ["regclient/testrepo"]);
    const c = new RegistryClient({ host: registry.host, plainHttp: true, pageSize: 5 });
    const first = await c.tagsPage("regclient/testrepo", { n: 5 });
    expect(first.items).toHaveLength(5);
    expect(first.next).toMatch(/last=/);
    const all = await c.listTags("regclient/testrepo");
    expect(all.length).toBeGreaterThan(20);
    expect(new Set(all).size).toBe(all.length);
    expect([...all].sort()).toEqual([...registry.repos.get("regclient/testrepo")!.tags.keys()].sort());
  });
});

describe("newest N per artifact type", () => {
  it("keeps the newest scan and never walks below the ones it drops", async () => {
    const { registry, client, requests } = await registryWith({}, []);
    const target = { url: registry.url };
    const image = await pushImage(target, "app", "v1", { created: "2026-01-01T00:00:00Z" });
    const scans = [];
    for (const day of ["03", "05", "04"]) {
      const scan = await pushReferrer(target, "app", image, { artifactType: "application/sarif+json", created: `2026-01-${day}T00:00:00Z` });
      await pushReferrer(target, "app", scan, { artifactType: "application/vnd.cncf.notary.signature" });
      scans.push(scan);
    }
    requests.length = 0;
    const g = await discover(client, "app", "v1", { newest: { top: 1, order: "desc" } });
    expect(referrers(g).filter((n) => n.depth === 1).map((n) => n.digest)).toEqual([scans[1].digest]);
    expect(referrers(g).filter((n) => n.depth === 2)).toHaveLength(1);
    const walked = requests.filter((r) => r.includes("/referrers/")).map((r) => r.split("/referrers/")[1]);
    expect(walked).toContain(scans[1].digest);
    expect(walked).not.toContain(scans[0].digest);
    expect(walked).not.toContain(scans[2].digest);
  });
});
