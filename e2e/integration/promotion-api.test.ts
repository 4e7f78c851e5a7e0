import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryClient } from "@/lib/oci/registry-client";
import { discover } from "@/lib/supply-chain/discover";
import type { ImportPlanResponse, ImportResponse } from "@/lib/server/api/archive";
import type { PromotionEvent, PromotionPlanResponse, PromotionResponse } from "@/lib/server/api/promote";
import { pushImage, pushReferrer } from "../support/artifacts";
import { PASSWORDS, signIn, startAuthApp } from "../support/auth-app";
import type { RunningApp } from "../support/app-server";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { pushLayout, readLayout } from "../support/layout";

// Promotion from the dashboard's API across three real Distribution registries: the build registry (source), prod
// (deletion disabled) and a registry in read-only maintenance mode. notation's e2e-valid-signature image with its
// signature and a Trivy report; the notation trust store from the same fixture. What a user sees: the copy's
// progress as it happens, the signature verified at both ends, a refusal before anything is written, and the image
// carried through an air gap as a tar file (downloaded, checked by GNU tar, uploaded into prod).

let build: RunningDistribution;
let prod: RunningDistribution;
let frozen: RunningDistribution;
let app: RunningApp;
let work: string;
const repo = "notation/e2e-valid-signature";
const layout = readLayout(join(FIXTURES, "notation", "e2e-valid-signature"));
const v1 = layout.entries.find((e) => e.tag === "v1")!.descriptor.digest;
const signature = "sha256:90ceaff260d657d797c408ac73564a9c7bb9d86055877c2a811f0e63b8c6524f"; // the fixture's index.json: the manifest whose subject is v1
const cookies: Record<string, string> = {};

beforeAll(async () => {
  [build, prod, frozen] = await Promise.all([startDistribution(), startDistribution({ deleteEnabled: false }), startDistribution({ readOnly: true })]);
  await pushLayout({ url: build.url }, repo, layout);
  await pushReferrer({ url: build.url }, repo, layout.manifests.get(v1)!, { artifactType: "application/vnd.aquasec.trivy.report+json", created: "2026-01-02T00:00:00Z", content: { mediaType: "application/json", bytes: readFileSync(join(FIXTURES, "content/trivy/alpine-310.json.golden")) } });
  work = mkdtempSync(join(tmpdir(), "chainsight-promotion-api-"));
  mkdirSync(join(work, "truststore/x509/ca/e2e"), { recursive: true });
  cpSync(join(FIXTURES, "notation/trust/e2e.crt"), join(work, "truststore/x509/ca/e2e/e2e.crt"));
  cpSync(join(FIXTURES, "notation/trust/trustpolicy.json"), join(work, "trustpolicy.json"));
  app = await startAuthApp(build.host, {}, {
    registries: [
      { id: "local", name: "Build", url: build.url, plainHttp: true },
      { id: "prod", name: "Production", url: prod.url, plainHttp: true },
      { id: "frozen", name: "Frozen", url: frozen.url, plainHttp: true },
    ],
    verification: { notation: { trustPolicy: join(work, "trustpolicy.json"), trustStore: join(work, "truststore") } },
  });
  for (const user of ["alice", "carol", "dave"] as const) cookies[user] = (await signIn(app.url, user, PASSWORDS[user]))!;
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await Promise.all([build?.stop(), prod?.stop(), frozen?.stop()]);
  if (work) rmSync(work, { recursive: true, force: true });
});

const api = (user: string, path: string, init: RequestInit = {}) => fetch(`${app.url}${path}`, { ...init, headers: { cookie: cookies[user], ...(init.headers as Record<string, string>) } });
const postJson = (user: string, path: string, body: object, accept = "application/json") => api(user, path, { method: "POST", headers: { "content-type": "application/json", accept }, body: JSON.stringify(body) });
const graph = async (d: RunningDistribution, repository: string, reference: string) =>
  new Set((await discover(new RegistryClient({ host: d.host, plainHttp: true, name: d.host }), repository, reference)).nodes.map((n) => n.digest));
const catalog = async (d: RunningDistribution) => ((await (await fetch(`${d.url}/v2/_catalog`)).json()) as { repositories: string[] }).repositories;

describe("promotion from the dashboard", () => {
  it("streams progress while it copies, then says the graph and the signature agree at the target", async () => {
    const body = { repository: repo, reference: "v1", targetRegistry: "prod", targetRepository: "prod/app", targetTag: "1.0" };
    const plan = (await (await postJson("alice", "/api/registries/local/promotion-plan", body)).json()) as PromotionPlanResponse;
    expect(plan.allowed).toBe(true);
    const res = await postJson("alice", "/api/registries/local/promote", body, "application/x-ndjson");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const lines = (await res.text()).trim().split("\n").map((l) => JSON.parse(l) as PromotionEvent | { type: "result"; result: PromotionResponse });
    const last = lines.at(-1) as { type: "result"; result: PromotionResponse };
    expect(last.type).toBe("result");
    const items = lines.filter((l): l is Extract<PromotionEvent, { type: "item" }> => l.type === "item");
    const progress = lines.filter((l): l is Extract<PromotionEvent, { type: "progress" }> => l.type === "progress");
    // Every blob and manifest the plan said to write was reported as it was written.
    expect(items.filter((i) => i.item.kind === "blob" && i.item.outcome === "uploaded").length).toBe(plan.plan.totals.blobsToMove);
    expect(items.filter((i) => i.item.kind === "manifest" && i.item.outcome === "written").length).toBe(plan.plan.totals.manifestsToWrite);
    expect(new Set(progress.map((p) => p.progress.phase))).toEqual(new Set(["blobs", "manifests", "tags", "checking", "verifying"]));
    const bytes = progress.map((p) => p.progress.bytesDone);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    expect(progress.at(-1)!.progress.bytesDone).toBe(plan.plan.totals.bytesToMove);
    const result = last.result;
    expect(result).toMatchObject({ complete: true, graphComplete: true, verification: { agree: true } });
    expect(result.verification!.signatures).toEqual([expect.objectContaining({ digest: signature, source: "verified", target: "verified" })]);
    expect(await graph(prod, "prod/app", "1.0")).toEqual(await graph(build, repo, "v1"));
  }, 60_000);

  it("a registry that refuses writes is found out before anything is written", async () => {
    const body = { repository: repo, reference: "v1", targetRegistry: "frozen", targetRepository: "prod/app" };
    const plan = (await (await postJson("alice", "/api/registries/local/promotion-plan", body)).json()) as PromotionPlanResponse;
    expect(plan.allowed).toBe(false);
    expect(plan.deniedMessage).toMatch(/^frozen refuses writes to prod\/app: .*405/);
    const run = await postJson("alice", "/api/registries/local/promote", body);
    expect(run.status).toBe(405);
    expect(((await run.json()) as { error: { message: string } }).error.message).toContain("405");
    expect(await catalog(frozen)).toEqual([]);
  }, 60_000);
});

describe("through an air gap as a file", () => {
  it("downloads the image with its supply chain as an OCI layout tar, and uploads it into another registry", async () => {
    expect((await api("dave", `/api/registries/local/archive?repository=${repo}&reference=v1`)).status).toBe(403);
    const res = await api("alice", `/api/registries/local/archive?repository=${repo}&reference=v1`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toBe('attachment; filename="notation_e2e-valid-signature_v1.tar"');
    const tar = new Uint8Array(await res.arrayBuffer());
    expect(tar.byteLength).toBe(Number(res.headers.get("x-chainsight-size")));
    const file = join(work, "v1.tar");
    writeFileSync(file, tar);
    // GNU tar reads it: every manifest of the source graph is a file of it.
    const names = execFileSync("tar", ["-tf", file], { encoding: "utf8" }).trim().split("\n");
    for (const d of await graph(build, repo, "v1")) expect(names).toContain(`blobs/sha256/${d.slice(7)}`);

    // carol may not promote: she cannot upload.
    const upload = (user: string, bytes: Uint8Array<ArrayBuffer>, repository = "airgap/app") => api(user, `/api/registries/prod/imports?repository=${repository}`, { method: "POST", headers: { "content-type": "application/x-tar" }, body: bytes });
    expect((await upload("carol", tar)).status).toBe(403);
    const bad = await upload("alice", new TextEncoder().encode("not a tar ".repeat(200)));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({ code: "bad_archive", message: expect.stringMatching(/tar|index\.json/) });

    const staged = await upload("alice", tar);
    expect(staged.status).toBe(200);
    const plan = (await staged.json()) as ImportPlanResponse;
    expect(plan.images.map((i) => [i.reference, i.digest])).toEqual([["v1", v1]]);
    expect(plan.allowed).toBe(true);
    // Staged, not written.
    expect(await catalog(prod)).not.toContain("airgap/app");
    const ran = await postJson("alice", `/api/registries/prod/imports/${plan.id}`, { repository: "airgap/app" });
    expect(ran.status).toBe(200);
    const result = (await ran.json()) as ImportResponse;
    expect(result.images[0].result).toMatchObject({ complete: true, verification: { agree: true } });
    expect(await graph(prod, "airgap/app", "v1")).toEqual(await graph(build, repo, "v1"));
    // Used up: the staged files are gone.
    expect((await postJson("alice", `/api/registries/prod/imports/${plan.id}`, { repository: "airgap/app" })).status).toBe(409);
  }, 90_000);

  it("an archive of 24 MB goes through the dashboard both ways whole (no body limit cuts it)", async () => {
    const big = await pushImage({ url: build.url }, "big/app", "1", { content: randomBytes(18 * 1024 * 1024).toString("base64") });
    const res = await api("alice", "/api/registries/local/archive?repository=big/app&reference=1");
    const tar = new Uint8Array(await res.arrayBuffer());
    expect(tar.byteLength).toBeGreaterThan(24 * 1024 * 1024);
    expect(tar.byteLength).toBe(Number(res.headers.get("x-chainsight-size")));
    const staged = await api("alice", "/api/registries/prod/imports?repository=big/copy", { method: "POST", headers: { "content-type": "application/x-tar" }, body: tar });
    expect(staged.status).toBe(200);
    const plan = (await staged.json()) as ImportPlanResponse;
    expect(plan.images.map((i) => i.digest)).toEqual([big.digest]);
    const ran = (await (await postJson("alice", `/api/registries/prod/imports/${plan.id}`, { repository: "big/copy" })).json()) as ImportResponse;
    expect(ran.images[0].result.complete).toBe(true);
    expect(ran.images[0].result.bytesMoved).toBeGreaterThan(24 * 1024 * 1024);
    expect(await graph(prod, "big/copy", "1")).toEqual(await graph(build, "big/app", "1"));
  }, 90_000);
});
