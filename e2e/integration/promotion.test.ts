import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@/lib/oci/registry-client";
import { CopyInterruptedError, executeCopy } from "@/lib/promotion/copy";
import { runCopy } from "@/lib/cli/copy";
import { planCopy } from "@/lib/promotion/plan";
import { discover } from "@/lib/supply-chain/discover";
import { loadTrust } from "@/lib/verification/trust-config";
import { verifyGraph } from "@/lib/verification/verify-graph";
import { pushImage, pushReferrer } from "../support/artifacts";
import { PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import type { PromotionPlanResponse, PromotionResponse } from "@/lib/server/api/promote";
import type { AuditResponse } from "@/lib/server/api/audit";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { pushLayout, readLayout } from "../support/layout";
import { TestRegistry } from "../support/test-registry";

// Promotion between two CNCF Distribution registries (neither has the referrers API): notation's
// e2e-valid-signature image with its signature, plus a Trivy report and a CycloneDX SBOM attached. The source graph
// and the target graph must hold the same digests, and the signature must verify at the target.

let build: RunningDistribution;
let prod: RunningDistribution;
let work: string;
const repo = "notation/e2e-valid-signature";
const client = (d: RunningDistribution, onRequest?: (r: { method: string; url: string }) => void) => new RegistryClient({ host: d.host, plainHttp: true, name: d.host, onRequest });

beforeAll(async () => {
  [build, prod] = await Promise.all([startDistribution(), startDistribution()]);
  const layout = readLayout(join(FIXTURES, "notation", "e2e-valid-signature"));
  await pushLayout({ url: build.url }, repo, layout);
  const subject = layout.manifests.get(layout.entries.find((e) => e.tag === "v1")!.descriptor.digest)!;
  await pushReferrer({ url: build.url }, repo, subject, { artifactType: "application/vnd.aquasec.trivy.report+json", created: "2026-01-02T00:00:00Z", content: { mediaType: "application/json", bytes: readFileSync(join(FIXTURES, "content/trivy/alpine-310.json.golden")) } });
  await pushReferrer({ url: build.url }, repo, subject, { artifactType: "application/vnd.cyclonedx+json", created: "2026-01-03T00:00:00Z", content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json")) } });
  work = mkdtempSync(join(tmpdir(), "chainsight-promotion-"));
  mkdirSync(join(work, "truststore/x509/ca/e2e"), { recursive: true });
  cpSync(join(FIXTURES, "notation/trust/e2e.crt"), join(work, "truststore/x509/ca/e2e/e2e.crt"));
  cpSync(join(FIXTURES, "notation/trust/trustpolicy.json"), join(work, "trustpolicy.json"));
}, 120_000);

afterAll(async () => {
  await build?.stop();
  await prod?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const digests = async (c: RegistryClient, repository: string, reference: string) => new Set((await discover(c, repository, reference)).nodes.map((n) => n.digest));

describe("promotion between two registries", () => {
  it("copies the image with its supply chain digest for digest; the signature verifies at the target; a second run writes nothing", async () => {
    const source = client(build);
    const target = client(prod);
    const plan = await planCopy({ source: { store: source, repository: repo, reference: "v1" }, target: { store: target, repository: "prod/app", tag: "1.0" } });
    expect(plan.warnings).toEqual([]);
    expect(plan.totals.blobsToMove).toBe(plan.totals.blobs);
    const result = await executeCopy(plan, { source: { store: source, blobs: source, repository: repo }, target: { store: target, blobs: target, repository: "prod/app" }, sameRegistry: false });
    expect(result).toMatchObject({ complete: true, missing: [] });
    const blobBytes = plan.blobs.reduce((n, b) => n + b.size, 0);
    expect(result.bytesMoved).toBe(blobBytes);

    // The same graph at both ends, found by the target's own discovery (referrers by tag schema there too).
    expect(await digests(target, "prod/app", "1.0")).toEqual(await digests(source, repo, "v1"));
    // The signature still verifies (the trust policy's scope is "*").
    const trust = loadTrust({ notation: { trustPolicy: join(work, "trustpolicy.json"), trustStore: join(work, "truststore"), crls: {} }, sigstore: {}, cosign: { keys: [], identities: [] } });
    const graph = await discover(target, "prod/app", "1.0");
    const verification = await verifyGraph(target, graph, trust, { scope: `${prod.host}/prod/app` });
    expect(verification.signatures.filter((s) => s.subject === graph.root).map((s) => s.verdict)).toEqual(["verified"]);

    // Again: everything is there, nothing is written.
    const again = await planCopy({ source: { store: source, repository: repo, reference: "v1" }, target: { store: target, repository: "prod/app", tag: "1.0" } });
    expect(again.totals).toMatchObject({ manifestsToWrite: 0, blobsToMove: 0, bytesToMove: 0 });
    const second = await executeCopy(again, { source: { store: source, blobs: source, repository: repo }, target: { store: target, blobs: target, repository: "prod/app" }, sameRegistry: false });
    expect(second.items.filter((i) => i.outcome !== "skipped")).toEqual([]);
    expect(second.bytesMoved).toBe(0);
  }, 60_000);

  it("within one registry mounts every blob: no blob bytes move", async () => {
    const sent: string[] = [];
    const c = client(build, (r) => sent.push(`${r.method} ${new URL(r.url).pathname}`));
    const plan = await planCopy({ source: { store: c, repository: repo, reference: "v1" }, target: { store: c, repository: "staging/app", tag: "v1" } });
    sent.length = 0;
    const result = await executeCopy(plan, { source: { store: c, blobs: c, repository: repo }, target: { store: c, blobs: c, repository: "staging/app" }, sameRegistry: true });
    expect(result.complete).toBe(true);
    expect(result.bytesMoved).toBe(0);
    expect(result.items.filter((i) => i.kind === "blob").map((i) => i.outcome)).toEqual(plan.blobs.map(() => "mounted"));
    // No blob was read from the source or sent to the target.
    expect(sent.filter((s) => /^GET .*\/blobs\/sha256:/.test(s) || /^(PATCH|PUT) .*\/blobs\/uploads\//.test(s))).toEqual([]);
  }, 60_000);

  it("a registry that opens an upload instead of mounting (202, as the spec allows) still gets the blobs", async () => {
    const registry = await new TestRegistry({}).start();
    try {
      const c = new RegistryClient({ host: registry.host, plainHttp: true, name: "test" });
      const image = await pushImage({ url: registry.url }, "a/app", "1.0", { created: "2026-01-01T00:00:00Z" });
      await pushReferrer({ url: registry.url }, "a/app", image, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json")) } });
      const plan = await planCopy({ source: { store: c, repository: "a/app", reference: "1.0" }, target: { store: c, repository: "b/app" } });
      const result = await executeCopy(plan, { source: { store: c, blobs: c, repository: "a/app" }, target: { store: c, blobs: c, repository: "b/app" }, sameRegistry: true });
      expect(result.complete).toBe(true);
      expect(result.items.filter((i) => i.kind === "blob").map((i) => i.outcome)).toEqual(plan.blobs.map(() => "uploaded"));
      expect(result.bytesMoved).toBe(plan.blobs.reduce((n, b) => n + b.size, 0));
      expect(await digests(c, "b/app", "1.0")).toEqual(await digests(c, "a/app", "1.0"));
    } finally {
      await registry.stop();
    }
  }, 60_000);

  it("streams a blob larger than one chunk in chunks, and refuses one whose bytes do not match its digest", async () => {
    const target = client(prod);
    const big = new Uint8Array(5 * 1024 * 1024 + 123).map((_, i) => (i * 31) % 251);
    const { createHash } = await import("node:crypto");
    const digest = `sha256:${createHash("sha256").update(big).digest("hex")}`;
    await target.pushBlob("chunks/app", digest, big.length, (async function* () {
      for (let i = 0; i < big.length; i += 700_000) yield big.subarray(i, i + 700_000);
    })(), { chunkBytes: 1024 * 1024 });
    expect(await target.hasBlob("chunks/app", digest)).toBe(true);
    const back = await target.getBlob("chunks/app", digest, { maxBytes: big.length });
    expect(Buffer.from(back.bytes).equals(Buffer.from(big))).toBe(true);
    // A source whose bytes are not what the digest says: the upload is never committed.
    const wrong = `sha256:${"0".repeat(64)}`;
    await expect(target.pushBlob("chunks/app", wrong, 3, (async function* () { yield new Uint8Array([1, 2, 3]); })())).rejects.toThrow();
    expect(await target.hasBlob("chunks/app", wrong)).toBe(false);
  }, 60_000);

  it("a copy interrupted part-way says what it wrote, and running it again finishes it (a target with the referrers API)", async () => {
    let puts = 0;
    let failing = true;
    // The spec-faithful test registry (it has the referrers API); its second manifest write fails once.
    const registry = await new TestRegistry({
      intercept: (req) => (failing && req.method === "PUT" && req.url?.includes("/manifests/") && ++puts === 2 ? { status: 500, body: "disk full" } : undefined),
    }).start();
    try {
      const source = client(build);
      const target = new RegistryClient({ host: registry.host, plainHttp: true, name: "test" });
      const ends = { source: { store: source, blobs: source, repository: repo }, target: { store: target, blobs: target, repository: "prod/app" }, sameRegistry: false };
      const plan = await planCopy({ source: { store: source, repository: repo, reference: "v1" }, target: { store: target, repository: "prod/app" } });
      const err = await executeCopy(plan, ends).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(CopyInterruptedError);
      const written = (err as CopyInterruptedError).written;
      expect(written.filter((i) => i.kind === "blob" && i.outcome === "uploaded")).toHaveLength(plan.blobs.length);
      expect(written.filter((i) => i.kind === "manifest" && i.outcome === "written")).toHaveLength(1);
      expect((err as Error).message).toMatch(/run it again/);
      failing = false;
      const resumed = await planCopy({ source: { store: source, repository: repo, reference: "v1" }, target: { store: target, repository: "prod/app" } });
      expect(resumed.totals).toMatchObject({ blobsToMove: 0, manifestsToWrite: plan.manifests.length - 1 });
      const result = await executeCopy(resumed, ends);
      expect(result.complete).toBe(true);
      expect(result.bytesMoved).toBe(0);
      // The registry lists the referrers itself: no referrers-tag index was written.
      expect(result.items.some((i) => i.kind === "referrers-index")).toBe(false);
      expect(await digests(target, "prod/app", plan.source.digest)).toEqual(await digests(source, repo, "v1"));
    } finally {
      await registry.stop();
    }
  }, 60_000);

  it("npm run copy: plans, copies with -r, says what it wrote, and through a layout folder into a registry (air gap)", async () => {
    const from = `${build.host}/${repo}:v1`;
    const dry = await runCopy([from, `${prod.host}/cli/app:1.0`, "-r", "--plain-http", "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/manifest\(s\), \d+ to write/);
    const target = client(prod);
    expect(await digests(target, "cli/app", "1.0").catch(() => "absent")).toBe("absent");
    const copied = await runCopy([from, `${prod.host}/cli/app:1.0`, "-r", "--plain-http"]);
    expect(copied.stderr).toBe("");
    expect(copied.code).toBe(0);
    expect(copied.stdout).toContain("complete: the target's graph holds every manifest of the plan");
    expect(await digests(target, "cli/app", "1.0")).toEqual(await digests(client(build), repo, "v1"));
    const again = await runCopy([from, `${prod.host}/cli/app:1.0`, "-r", "--plain-http"]);
    expect(again.stdout).toMatch(/0 manifest\(s\) and 0 blob\(s\) written \(0 bytes\)/);
    // Out to a layout folder, then from it into the other registry.
    const folder = join(work, "airgap", "app");
    expect((await runCopy([from, `${folder}:v1`, "-r", "--plain-http", "--to-oci-layout"])).code).toBe(0);
    const imported = await runCopy([`${folder}:v1`, `${prod.host}/imported/app:v1`, "-r", "--plain-http", "--from-oci-layout"]);
    expect(imported.code).toBe(0);
    expect(await digests(target, "imported/app", "v1")).toEqual(await digests(client(build), repo, "v1"));
    const bad = await runCopy([from]);
    expect(bad.code).toBe(2);
  }, 60_000);

  it("from the dashboard's API: the plan, the promote right checked on the server, each item audited", async () => {
    const image = await pushImage({ url: build.url }, "teamb/app", "2.0", { created: "2026-04-01T00:00:00Z" });
    await pushReferrer({ url: build.url }, "teamb/app", image, { artifactType: "application/vnd.cyclonedx+json", content: { mediaType: "application/vnd.cyclonedx+json", bytes: readFileSync(join(FIXTURES, "documents/cyclonedx/SBOM_laravel-7.12.0_bom.1.4.json")) } });
    const app = await startAuthApp(build.host);
    try {
      const post = async (user: "alice" | "carol", route: string, body: object) =>
        fetch(`${app.url}/api/registries/local/${route}`, { method: "POST", headers: { cookie: (await signIn(app.url, user, PASSWORDS[user]))!, "content-type": "application/json" }, body: JSON.stringify(body) });
      const body = { repository: "teamb/app", reference: "2.0", targetRegistry: "local", targetRepository: "teamb/promoted", targetTag: "2.0" };
      // carol may pull teamb/*, not promote: she sees the plan, with the reason she cannot run it.
      const seen = await post("carol", "promotion-plan", body);
      expect(seen.status).toBe(200);
      const plan = (await seen.json()) as PromotionPlanResponse;
      expect(plan).toMatchObject({ allowed: false, deniedMessage: expect.stringContaining('"promote" right') });
      expect(plan.plan.totals.manifestsToWrite).toBe(2);
      const refused = await post("carol", "promote", body);
      expect(refused.status).toBe(403);
      const ran = await post("alice", "promote", body);
      expect(ran.status).toBe(200);
      const result = (await ran.json()) as PromotionResponse;
      expect(result.complete).toBe(true);
      // Within one registry the blobs are mounted.
      expect(result.bytesMoved).toBe(0);
      expect(await digests(client(build), "teamb/promoted", "2.0")).toEqual(await digests(client(build), "teamb/app", "2.0"));
      const trail = (await (await fetch(`${app.url}/api/audit?limit=200`, { headers: { cookie: (await signIn(app.url, "alice", PASSWORDS.alice))! } })).json()) as AuditResponse;
      const promo = trail.rows.filter((r) => r.action.startsWith("promote:"));
      expect(promo.filter((r) => r.outcome === "denied").map((r) => r.user)).toEqual(["carol"]);
      expect(new Set(promo.filter((r) => r.outcome === "success").map((r) => r.action))).toEqual(new Set(["promote:blob", "promote:manifest", "promote:tag"]));
      expect(promo.filter((r) => r.action === "promote:manifest").length).toBe(2);
    } finally {
      await app.stop();
    }
  }, 90_000);
});
