import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@/lib/oci/registry-client";
import { previewMetadata, writeMetadata } from "@/lib/metadata/write";
import { runAnnotate } from "@/lib/cli/annotate";
import { discover } from "@/lib/supply-chain/discover";
import type { MetadataPreviewResponse, MetadataWriteResponse } from "@/lib/server/api/metadata";
import type { RetentionResponse } from "@/lib/server/api/retention";
import type { AuditResponse } from "@/lib/server/api/audit";
import { pushImage } from "../support/artifacts";
import { PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import type { RunningApp } from "../support/app-server";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { TestRegistry } from "../support/test-registry";

// Metadata added to existing images (annotations-only artifacts) on CNCF Distribution 2.8 (no referrers API: the
// referrers tag schema index is maintained) and on the referrers-API test registry; through the API with rights and
// audit, through `npm run annotate`, and read back by retention.

let dist: RunningDistribution;
let app: RunningApp;
const cookies: Record<string, string> = {};
const images: Record<string, { digest: string }> = {};

beforeAll(async () => {
  dist = await startDistribution();
  for (const tag of ["1", "2"]) images[tag] = await pushImage({ url: dist.url }, "teamb/app", tag, { created: "2026-11-30T00:00:00Z" });
  app = await startAuthApp(dist.host);
  for (const user of ["alice", "carol"] as const) cookies[user] = (await signIn(app.url, user, PASSWORDS[user]))!;
}, 120_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
});

const post = (user: string, route: string, body: object) => fetch(`${app.url}/api/registries/local/${route}`, { method: "POST", headers: { cookie: cookies[user], "content-type": "application/json" }, body: JSON.stringify(body) });
const client = () => new RegistryClient({ host: dist.host, plainHttp: true, name: dist.host });
const referrersTag = async (subject: string) => {
  const res = await fetch(`${dist.url}/v2/teamb/app/manifests/${subject.replace(":", "-")}`, { headers: { accept: "application/vnd.oci.image.index.v1+json" } });
  return res.ok ? ((await res.json()) as { manifests: { digest: string; artifactType?: string }[] }).manifests : [];
};

describe("Add metadata through the API", () => {
  it("writes exactly the previewed manifest, lists it in the referrers tag, and retention lists the image once its date has passed", async () => {
    const body = { repository: "teamb/app", reference: "1", kind: "deletion-date", deletionDate: "2026-11-15" };
    const seen = (await (await post("alice", "metadata-preview", body)).json()) as MetadataPreviewResponse;
    expect(seen.allowed).toBe(true);
    const res = await post("alice", "metadata", { ...body, digest: seen.preview.digest, created: seen.preview.created });
    expect(res.status).toBe(200);
    const written = (await res.json()) as MetadataWriteResponse;
    expect(written.digest).toBe(seen.preview.digest);
    // What the registry holds is byte for byte what the preview showed.
    const raw = await fetch(`${dist.url}/v2/teamb/app/manifests/${written.digest}`, { headers: { accept: "application/vnd.oci.image.manifest.v1+json" } });
    expect(await raw.text()).toBe(seen.preview.manifest);
    expect(await referrersTag(images["1"].digest)).toEqual([expect.objectContaining({ digest: written.digest, artifactType: "application/vnd.chainsight.deletion-date.v1" })]);
    // The trail says what was written.
    const trail = (await (await fetch(`${app.url}/api/audit?limit=100`, { headers: { cookie: cookies.alice } })).json()) as AuditResponse;
    expect(trail.rows.find((r) => r.action === "annotate:artifact" && r.user === "alice")?.message).toContain(`"org.cncf.oras.artifact.deletion-date":"2026-11-15"`);
    const retention = (await (await fetch(`${app.url}/api/registries/local/retention?repository=teamb/app&keep=0`, { headers: { cookie: cookies.alice } })).json()) as RetentionResponse;
    expect(retention.rows.map((r) => [r.digest, r.reasons.map((x) => x.reason)])).toEqual([[images["1"].digest, ["deletion-date-passed"]]]);
  }, 60_000);

  it("a user without annotate sees the preview but cannot write (403, audited); bad keys and dates are refused naming the field", async () => {
    const body = { repository: "teamb/app", reference: "2", kind: "review", review: { status: "approved", environment: "prod" } };
    const seen = (await (await post("carol", "metadata-preview", body)).json()) as MetadataPreviewResponse;
    expect(seen).toMatchObject({ allowed: false, deniedMessage: expect.stringContaining('"annotate" right') });
    // The reviewer is the signed-in user, not anything the request says.
    expect(seen.preview.annotations["vnd.chainsight.review.by"]).toBe("carol");
    const refused = await post("carol", "metadata", { ...body, digest: seen.preview.digest, created: seen.preview.created });
    expect(refused.status).toBe(403);
    const trail = (await (await fetch(`${app.url}/api/audit?limit=100`, { headers: { cookie: cookies.alice } })).json()) as AuditResponse;
    expect(trail.rows.some((r) => r.user === "carol" && r.action === "annotate" && r.status === 403)).toBe(true);
    expect(await referrersTag(images["2"].digest)).toEqual([]);

    const badKey = await post("alice", "metadata-preview", { repository: "teamb/app", reference: "2", kind: "annotations", annotations: { nodots: "x" } });
    expect(badKey.status).toBe(400);
    expect(((await badKey.json()) as { error: { parameter: string } }).error.parameter).toBe('annotations["nodots"]');
    const badDate = await post("alice", "metadata-preview", { repository: "teamb/app", reference: "2", kind: "deletion-date", deletionDate: "31/01/2027" });
    expect(badDate.status).toBe(400);
    expect(((await badDate.json()) as { error: { parameter: string; message: string } }).error).toMatchObject({ parameter: "deletionDate", message: expect.stringContaining("YYYY-MM-DD") });
    // A preview whose digest does not match what would be written now is refused.
    const stale = await post("alice", "metadata", { ...body, digest: `sha256:${"0".repeat(64)}`, created: new Date().toISOString() });
    expect(stale.status).toBe(409);
  }, 60_000);
});

describe("the referrers tag under concurrent writers", () => {
  it("two writers at once on one subject, five times over: every artifact ends up listed", async () => {
    const subject = images["2"].digest;
    const written: string[] = [];
    for (let round = 0; round < 5; round++) {
      const one = (n: number) =>
        previewMetadata(client(), "teamb/app", subject, { kind: "annotations", annotations: { "com.example.round": `${round}-${n}` } }, { reviewer: "x", now: new Date() }).then(async (p) => {
          // Each writer with its own client, as two servers would be.
          const c = client();
          await writeMetadata(c, c, "teamb/app", p);
          return p.digest;
        });
      written.push(...(await Promise.all([one(1), one(2)])));
    }
    const listed = new Set((await referrersTag(subject)).map((e) => e.digest));
    for (const d of written) expect(listed.has(d), d).toBe(true);
  }, 60_000);
});

describe("a registry with the referrers API", () => {
  it("gets the artifact and no referrers tag; the API lists it", async () => {
    const registry = await new TestRegistry({}).start();
    try {
      const image = await pushImage({ url: `http://${registry.host}` }, "prod/app", "1");
      const c = new RegistryClient({ host: registry.host, plainHttp: true, name: "test" });
      const p = await previewMetadata(c, "prod/app", "1", { kind: "deletion-date", deletionDate: "2027-01-31" }, { reviewer: "x", now: new Date() });
      const w = await writeMetadata(c, c, "prod/app", p);
      expect(w.referrersTag).toBeUndefined();
      expect(await c.listTags("prod/app")).toEqual(["1"]);
      const referrers = await c.referrers("prod/app", image.digest);
      expect(referrers.supported && referrers.descriptors.map((d) => d.digest)).toEqual([p.digest]);
    } finally {
      await registry.stop();
    }
  }, 60_000);
});

describe("npm run annotate", () => {
  it("previews with --dry-run, writes, and refuses a bad key naming it", async () => {
    const ref = `${dist.host}/teamb/app:2`;
    const dry = await runAnnotate([ref, "--new-version", "1", "--plain-http", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain(`"org.cncf.oras.artifact.new-version": "teamb/app:1@${images["1"].digest}"`);
    const before = new Set((await referrersTag(images["2"].digest)).map((e) => e.digest));
    const run = await runAnnotate([ref, "--review", "approved", "--environment", "prod", "--reviewer", "ci-bot", "--plain-http", "--output", "json"]);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as MetadataWriteResponse;
    expect(before.has(out.digest)).toBe(false);
    const graph = await discover(client(), "teamb/app", "2");
    expect(graph.nodes.find((n) => n.digest === out.digest)?.annotations).toMatchObject({ "vnd.chainsight.review.status": "approved", "vnd.chainsight.review.by": "ci-bot" });
    const bad = await runAnnotate([ref, "--annotation", "nodots=x", "--plain-http"]);
    expect(bad).toMatchObject({ code: 1, stderr: expect.stringContaining('annotations["nodots"]: a key is reverse-domain notation') });
    expect((await runAnnotate([ref, "--deletion-date", "2027-01-01", "--review", "approved"])).code).toBe(2);
  }, 60_000);
});
