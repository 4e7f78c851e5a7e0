import { createHash } from "node:crypto";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { VerificationResponse } from "@/lib/server/api/verification";
import type { GraphResponse, TagStatus } from "@/lib/server/api/graph";
import { runVerify } from "@/lib/cli/verify";
import { startApp, type RunningApp } from "../support/app-server";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES } from "../support/fixtures";
import { blobPath, pushLayout, readLayout } from "../support/layout";
import { pushReferrer } from "../support/artifacts";

// Verification through the API of a production build: notation's e2e layouts pushed to CNCF
// Distribution and served from a layout store, containers/image's cosign signatures and
// slsa-verifier's keyless cosign attestation served from a layout store, each with its expected
// verdict from the fixture notes (EXPECTED.md), and hostile signatures that must give a verdict, not a 500.

const V = join(FIXTURES, "verification");
const NOTATION_CASES = ["e2e-valid-signature", "e2e-expired-signature", "e2e-invalid-signature", "e2e-valid-multiple-signatures", "e2e-with-expired-cert"];
const SLSA_SAN = "https://github.com/slsa-framework/slsa-github-generator/.github/workflows/generator_container_slsa3.yml@refs/tags/v1.10.0";
const SLSA_INDEX = readFileSync(join(V, "slsa-verifier/gha_generic_container/v1.10.0/container_workflow_dispatch.digest"), "utf8").trim();

let dist: RunningDistribution;
let app: RunningApp;
let work: string;

const sha256 = (b: Uint8Array | string) => `sha256:${createHash("sha256").update(b).digest("hex")}`;

/** A layout folder: blobs by digest, index.json entries with optional tags. */
function writeLayout(dir: string, blobs: Uint8Array[], entries: { bytes: Uint8Array; mediaType: string; tag?: string }[]) {
  mkdirSync(join(dir, "blobs", "sha256"), { recursive: true });
  for (const b of [...blobs, ...entries.map((e) => e.bytes)]) writeFileSync(join(dir, "blobs", "sha256", sha256(b).slice(7)), b);
  writeFileSync(join(dir, "oci-layout"), JSON.stringify({ imageLayoutVersion: "1.0.0" }));
  writeFileSync(
    join(dir, "index.json"),
    JSON.stringify({
      schemaVersion: 2,
      manifests: entries.map((e) => ({ mediaType: e.mediaType, digest: sha256(e.bytes), size: e.bytes.length, ...(e.tag ? { annotations: { "org.opencontainers.image.ref.name": e.tag } } : {}) })),
    }),
  );
}

/** containers/image "dir:" signatures as the cosign `.sig` manifest they came from, next to the signed manifest. */
function cosignLayout(dir: string, caseDir: string, signatures: string[]) {
  const manifest = new Uint8Array(readFileSync(join(V, "containers-image", caseDir, "manifest.json")));
  const layers = signatures.map((file) => {
    const raw = readFileSync(join(V, "containers-image", file));
    const json = JSON.parse(raw.subarray(raw.indexOf(0x0a) + 1).toString("utf8"));
    const payload = new Uint8Array(Buffer.from(json.payload, "base64"));
    return { payload, descriptor: { mediaType: json.mimeType, digest: sha256(payload), size: payload.length, annotations: json.annotations } };
  });
  const config = new TextEncoder().encode("{}");
  const sig = new TextEncoder().encode(
    JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.image.config.v1+json", digest: sha256(config), size: config.length }, layers: layers.map((l) => l.descriptor) }),
  );
  writeLayout(dir, [config, ...layers.map((l) => l.payload)], [
    { bytes: manifest, mediaType: JSON.parse(Buffer.from(manifest).toString()).mediaType, tag: "v1" },
    { bytes: sig, mediaType: "application/vnd.oci.image.manifest.v1+json", tag: `${sha256(manifest).replace(":", "-")}.sig` },
  ]);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "chainsight-verify-"));
  // Trust: notation's store ca:e2e (e2e.crt) under a strict "*" policy; containers/image's cosign.pub for the
  // cosign repositories; the SLSA generator's identity; the Sigstore public-good trusted root.
  mkdirSync(join(work, "truststore/x509/ca/e2e"), { recursive: true });
  cpSync(join(FIXTURES, "notation/trust/e2e.crt"), join(work, "truststore/x509/ca/e2e/e2e.crt"));
  cpSync(join(FIXTURES, "notation/trust/trustpolicy.json"), join(work, "trustpolicy.json"));
  const layouts = join(work, "layouts");
  for (const c of NOTATION_CASES) cpSync(join(FIXTURES, "notation", c), join(layouts, "notation", c), { recursive: true });
  cosignLayout(join(layouts, "cosign/valid"), "dir-img-cosign-valid", ["dir-img-cosign-valid/signature-1"]);
  cosignLayout(join(layouts, "cosign/mixed"), "dir-img-cosign-mixed", ["dir-img-cosign-mixed/signature-1", "dir-img-cosign-mixed/signature-2"]);
  cosignLayout(join(layouts, "cosign/modified"), "dir-img-cosign-modified-manifest", ["dir-img-cosign-modified-manifest/signature-1"]);
  // slsa-verifier's `cosign save` layout, with the tags a registry would have: the index and its .att.
  const slsa = join(layouts, "slsa/container");
  cpSync(join(V, "slsa-verifier/gha_generic_container/v1.10.0/container_workflow_dispatch"), slsa, { recursive: true });
  const index = JSON.parse(readFileSync(join(slsa, "index.json"), "utf8"));
  for (const m of index.manifests) m.annotations = { "org.opencontainers.image.ref.name": m.digest === SLSA_INDEX ? "v1.10.0" : `${SLSA_INDEX.replace(":", "-")}.att` };
  writeFileSync(join(slsa, "index.json"), JSON.stringify(index));
  // Hostile: a Notary signature whose layer is 10 MB, and one whose COSE bytes are garbage.
  const subject = new TextEncoder().encode(JSON.stringify({ schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json", config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256("{}"), size: 2 }, layers: [] }));
  const big = new Uint8Array(10 * 1024 * 1024).fill(0x41);
  const garbage = new TextEncoder().encode("\u00d2\u0084garbage");
  const sigOf = (layer: Uint8Array, mediaType: string) =>
    new TextEncoder().encode(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: "application/vnd.oci.image.manifest.v1+json",
        artifactType: "application/vnd.cncf.notary.signature",
        config: { mediaType: "application/vnd.oci.empty.v1+json", digest: sha256("{}"), size: 2 },
        layers: [{ mediaType, digest: sha256(layer), size: layer.length }],
        subject: { mediaType: "application/vnd.oci.image.manifest.v1+json", digest: sha256(subject), size: subject.length },
      }),
    );
  writeLayout(join(layouts, "hostile/signatures"), [new TextEncoder().encode("{}"), big, garbage], [
    { bytes: subject, mediaType: "application/vnd.oci.image.manifest.v1+json", tag: "v1" },
    { bytes: sigOf(big, "application/jose+json"), mediaType: "application/vnd.oci.image.manifest.v1+json" },
    { bytes: sigOf(garbage, "application/cose"), mediaType: "application/vnd.oci.image.manifest.v1+json" },
  ]);

  dist = await startDistribution();
  for (const c of NOTATION_CASES) await pushLayout({ url: dist.url }, `notation/${c}`, readLayout(join(FIXTURES, "notation", c)));
  app = await startApp({
    registries: [
      { id: "local", url: `http://${dist.host}`, plainHttp: true },
      { id: "layouts", kind: "oci-layout", path: layouts },
    ],
    verification: {
      notation: { trustPolicy: join(work, "trustpolicy.json"), trustStore: join(work, "truststore") },
      sigstore: { trustedRoot: join(V, "sigstore-js/trusted_root.public-good.json") },
      cosign: {
        keys: [{ name: "containers-image cosign.pub", path: join(V, "containers-image/cosign.pub"), scopes: ["local/cosign/*"] }],
        identities: [{ name: "slsa-github-generator", subject: SLSA_SAN, issuer: "https://token.actions.githubusercontent.com", scopes: ["local/slsa/**"] }],
      },
    },
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await dist?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

async function verification(registry: string, repository: string, reference: string): Promise<VerificationResponse> {
  const res = await fetch(`${app.url}/api/registries/${registry}/verification?repository=${encodeURIComponent(repository)}&reference=${encodeURIComponent(reference)}`);
  expect(res.status).toBe(200);
  return (await res.json()) as VerificationResponse;
}

describe.each(["local", "layouts"])("notation's e2e layouts with trust store ca:e2e (%s)", (registry) => {
  it("e2e-valid-signature: verified, signed by CN=e2e, every check passed", async () => {
    const v = await verification(registry, "notation/e2e-valid-signature", "v1");
    expect(v.verdict?.verdict).toBe("verified");
    expect(v.verdict?.signer?.subject).toBe("CN=e2e, O=Notary, L=Seattle, ST=WA, C=US");
    expect(v.signatures).toHaveLength(1);
    expect(v.signatures[0].checks.filter((c) => c.result === "failed")).toEqual([]);
  });

  it("e2e-expired-signature: expired", async () => {
    const v = await verification(registry, "notation/e2e-expired-signature", "v1");
    expect(v.verdict?.verdict).toBe("expired");
    expect(v.signatures[0].checks.find((c) => c.result === "failed")?.name).toBe("expiry");
  });

  it("e2e-invalid-signature: invalid", async () => {
    expect((await verification(registry, "notation/e2e-invalid-signature", "v1")).verdict?.verdict).toBe("invalid");
  });

  it("e2e-valid-multiple-signatures: verified by one of its two signatures", async () => {
    const v = await verification(registry, "notation/e2e-valid-multiple-signatures", "v1");
    expect(v.verdict).toMatchObject({ verdict: "verified", signatures: 2, verified: 1 });
  });

  it("e2e-with-expired-cert: untrusted (its signer is not e2e)", async () => {
    expect((await verification(registry, "notation/e2e-with-expired-cert", "v1")).verdict?.verdict).toBe("untrusted");
  });
});

describe("verdicts in the status and graph calls", () => {
  it("status: one verdict per tag, in the fixed slot's data", async () => {
    const tags = ["v1"];
    const out: Record<string, string | undefined> = {};
    for (const c of NOTATION_CASES) {
      const res = await fetch(`${app.url}/api/registries/local/status?repository=notation/${c}&tags=${tags.join(",")}`);
      const body = (await res.json()) as { statuses: TagStatus[] };
      out[c] = body.statuses[0].verification?.verdict;
    }
    expect(out).toEqual({ "e2e-valid-signature": "verified", "e2e-expired-signature": "expired", "e2e-invalid-signature": "invalid", "e2e-valid-multiple-signatures": "verified", "e2e-with-expired-cert": "untrusted" });
  });

  it("a warm status call sends no request to the registry and verifies nothing again", async () => {
    const call = () => fetch(`${app.url}/api/registries/local/status?repository=notation/e2e-valid-signature&tags=v1`).then((r) => r.json());
    await call();
    const metrics = async () => {
      const text = await (await fetch(`${app.url}/api/metrics`)).text();
      return text.split("\n").filter((l) => l.startsWith("chainsight_signature_verifications_total")).reduce((n, l) => n + Number(l.split(" ").pop()), 0);
    };
    const [requests, verifications] = [await app.upstreamRequests("local"), await metrics()];
    const body = (await call()) as { statuses: TagStatus[] };
    expect(body.statuses[0].verification?.verdict).toBe("verified");
    expect(await app.upstreamRequests("local")).toBe(requests);
    expect(await metrics()).toBe(verifications);
  });

  it("graph with checks=subject: full check lists for the image's own signatures, the failed checks only for a signature of an attached artifact", async () => {
    // An SBOM on the e2e image, "signed" with the e2e signature's envelope, which names the image and not the SBOM.
    const layout = readLayout(join(FIXTURES, "notation", "e2e-valid-multiple-signatures"));
    const image = [...layout.manifests.values()].find((m) => m.digest === layout.entries.find((e) => e.tag === "v1")!.descriptor.digest)!;
    const signature = [...layout.manifests.values()].find((m) => m.json.layers?.[0]?.mediaType === "application/jose+json")!;
    const envelope = signature.json.layers![0];
    const repo = "checks/app";
    await pushLayout({ url: dist.url }, repo, layout);
    const sbom = await pushReferrer({ url: dist.url }, repo, image, { artifactType: "application/spdx+json", content: { mediaType: "application/spdx+json", bytes: Buffer.from('{"spdxVersion":"SPDX-2.3"}') } });
    await pushReferrer({ url: dist.url }, repo, sbom, {
      artifactType: "application/vnd.cncf.notary.signature",
      content: { mediaType: envelope.mediaType, bytes: readFileSync(blobPath(layout.dir, envelope.digest)) },
    });
    const graph = async (checks: string) => (await (await fetch(`${app.url}/api/registries/local/graph?repository=${repo}&reference=v1&checks=${checks}`)).json()) as GraphResponse;
    const all = await graph("all");
    const compact = await graph("subject");
    const onSbom = (g: GraphResponse) => g.verification.signatures.find((s) => s.subject === sbom.digest)!;
    expect(onSbom(all).verdict).toBe("invalid");
    expect(onSbom(all).checks.length).toBeGreaterThan(3);
    expect(onSbom(compact).checksOmitted).toBe(true);
    expect(onSbom(compact).checks.map((c) => c.name)).toEqual(onSbom(all).checks.filter((c) => c.result === "failed").map((c) => c.name));
    expect(onSbom(compact).checks.length).toBeGreaterThan(0);
    // The image's own signatures keep everything.
    const own = (g: GraphResponse) => g.verification.signatures.filter((s) => s.subject === image.digest);
    expect(own(compact)).toEqual(own(all));
    expect(own(compact).every((s) => !s.checksOmitted)).toBe(true);
    // The full list of the shortened one: the verification call of its subject.
    const full = (await (await fetch(`${app.url}/api/registries/local/verification?repository=${repo}&reference=${sbom.digest}`)).json()) as VerificationResponse;
    expect(full.signatures.find((s) => s.digest === onSbom(all).digest)?.checks).toEqual(onSbom(all).checks);
  });

  it("graph: the signature node's result carries its checks", async () => {
    const res = await fetch(`${app.url}/api/registries/local/graph?repository=notation/e2e-valid-multiple-signatures&reference=v1`);
    const g = (await res.json()) as GraphResponse;
    expect(g.verdict?.verdict).toBe("verified");
    expect(g.verification.signatures.map((s) => s.verdict).sort()).toEqual(["untrusted", "verified"]);
    expect(g.verification.signatures.find((s) => s.verdict === "untrusted")?.checks.find((c) => c.name === "trustStore")?.reason).toMatch(/testcert11/);
  });
});

describe("cosign signatures from containers/image in a layout store (key cosign.pub for local/cosign/*)", () => {
  it("dir-img-cosign-valid: verified with the configured key", async () => {
    const v = await verification("layouts", "cosign/valid", "v1");
    expect(v.verdict).toMatchObject({ verdict: "verified", signer: { kind: "key", keyName: "containers-image cosign.pub" } });
  });

  it("dir-img-cosign-mixed: verified by one of two signatures in one .sig manifest; the other is untrusted", async () => {
    const v = await verification("layouts", "cosign/mixed", "v1");
    expect(v.verdict).toMatchObject({ verdict: "verified", signatures: 2, verified: 1 });
    expect(v.signatures.map((s) => [s.layer, s.verdict])).toEqual([[0, "untrusted"], [1, "verified"]]);
  });

  it("dir-img-cosign-modified-manifest: invalid, the payload names another digest", async () => {
    const v = await verification("layouts", "cosign/modified", "v1");
    expect(v.verdict?.verdict).toBe("invalid");
    expect(v.signatures[0].summary).toContain("sha256:634a8f35");
  });
});

describe("slsa-verifier's keyless cosign attestation (.att, DSSE, Rekor bundle annotation)", () => {
  it("the attestation verifies for the SLSA generator's identity; it does not make the image signed", async () => {
    const v = await verification("layouts", "slsa/container", "v1.10.0");
    expect(v.digest).toBe(SLSA_INDEX);
    const att = v.signatures.find((s) => s.kind === "attestation");
    expect(att?.verdict, att?.summary).toBe("verified");
    expect(att?.signer).toEqual({ kind: "keyless", san: SLSA_SAN, oidcIssuer: "https://token.actions.githubusercontent.com" });
    expect(att?.timestamp?.time).toBe("2024-03-21T10:34:04.000Z");
    expect(v.verdict).toBeUndefined();
  });
});

describe("hostile signatures give verdicts, not errors", () => {
  it("a 10 MB envelope and garbage COSE bytes: both invalid, with the reason", async () => {
    const v = await verification("layouts", "hostile/signatures", "v1");
    expect(v.signatures.map((s) => s.verdict)).toEqual(["invalid", "invalid"]);
    expect(v.signatures.map((s) => s.summary).join(" | ")).toMatch(/10485760 bytes/);
    expect(v.signatures.map((s) => s.summary).join(" | ")).toMatch(/malformed COSE envelope/);
  });
});

describe("npm run verify (the CLI), against Distribution", () => {
  const trustArgs = () => ["--trust-policy", join(work, "trustpolicy.json"), "--trust-store", join(work, "truststore"), "--plain-http"];

  it("exits 0 and prints the checks when a signature verifies", async () => {
    const r = await runVerify([`${dist.host}/notation/e2e-valid-signature:v1`, ...trustArgs()]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("✓ verified: 1 of 1 signature verified");
    expect(r.stdout).toMatch(/passed\s+Trust store: CN=e2e, O=Notary, L=Seattle, ST=WA, C=US is in trust store ca:e2e/);
  });

  it("exits 1 for an expired signature, with the failing check in JSON", async () => {
    const r = await runVerify([`${dist.host}/notation/e2e-expired-signature:v1`, ...trustArgs(), "--output", "json"]);
    expect(r.code).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out.verdict.verdict).toBe("expired");
    expect(out.signatures[0].checks.find((c: { result: string }) => c.result === "failed").name).toBe("expiry");
  });

  it("exits 1 without trust (no policy applies), and 2 for a trust file that does not exist", async () => {
    const none = await runVerify([`${dist.host}/notation/e2e-valid-signature:v1`, "--plain-http"]);
    expect(none.code).toBe(1);
    expect(none.stdout).toMatch(/no Notary Project trust policy is configured/);
    const missing = await runVerify([`${dist.host}/notation/e2e-valid-signature:v1`, "--trust-policy", join(work, "nope.json")]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: --trust-policy: cannot read .*nope\.json: ENOENT/);
  });

  it("a layout folder with --oci-layout, and cosign keys with --key", async () => {
    const r = await runVerify(["--oci-layout", `${join(work, "layouts/cosign/mixed")}:v1`, "--key", join(V, "containers-image/cosign.pub")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 of 2 signatures verified");
  });
});
