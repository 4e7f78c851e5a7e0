import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { MediaType } from "../oci/media-types";
import type { Descriptor } from "../oci/schemas";
import { MetadataArtifactType, MetadataKey } from "../metadata/keys";
import { LayoutWriter } from "./layout-writer";
import { cosignSignature, makeDemoSigners, notaryEnvelope, signDsse, writeDemoTrust, type DemoSigners, type NotaryVariant } from "./signing";
import { cosignVulnPredicate, cycloneDxSbom, demoFindings, demoPackages, grypeSarif, openVex, spdxSbom, trivySarif } from "./documents";

/**
 * The demo store: a folder of OCI image layouts holding a realistic supply
 * chain (the founding talk's net-monitor with signatures, SBOMs, scans, an
 * attestation, a signature on an SBOM and an expired annotations-only
 * artifact), older unsigned tags, team namespaces, and the third-party
 * layouts the tests use, each with its upstream license. Built once, offline.
 */

export const DEMO_VERSION = "5";
const DELETION_DATE = "vnd.example.artifact.deletion-date";

export interface DemoSources {
  /** e2e/fixtures: third-party layouts and documents, with their licenses. */
  fixtures: string;
  /** Where the trust files go (trust store, trust policy, cosign.pub): outside the store, which holds layouts only. */
  trustDir: string;
}

/** The team repositories and which signature each gets: one of each verdict the tag table can show. */
const TEAM: { repo: string; version: string; signature?: NotaryVariant; inPolicy: boolean }[] = [
  { repo: "teama/payments/api", version: "1.4.0", signature: "jws", inPolicy: true },
  { repo: "teama/payments/worker", version: "1.4.0", signature: "tampered", inPolicy: true },
  { repo: "teama/frontend", version: "3.2.1", signature: "untrusted", inPolicy: true },
  { repo: "teamb/web", version: "2.3.1", signature: "jws", inPolicy: false },
  { repo: "teamb/tools/scanner", version: "0.9.0", signature: "expired", inPolicy: true },
];

export async function buildDemoStore(root: string, sources: DemoSources): Promise<void> {
  rmSync(root, { recursive: true, force: true });
  mkdirSync(root, { recursive: true });
  const signers = await makeDemoSigners();
  netMonitor(new LayoutWriter(join(root, "monitoring", "net-monitor")), sources, signers);
  teamRepositories(root, signers);
  nightly(new LayoutWriter(join(root, "monitoring", "net-monitor-nightly")));
  const notationFixtures = thirdParty(root, sources);
  writeDemoTrust(sources.trustDir, signers, {
    e2eCertificate: join(sources.fixtures, "notation", "trust", "e2e.crt"),
    netMonitor: ["monitoring/net-monitor"],
    team: TEAM.filter((t) => t.inPolicy).map((t) => t.repo),
    notationFixtures,
  });
  cpSync(join(sources.fixtures, "documents", "sigstore", "trusted-root-public-good.json"), join(sources.trustDir, "trusted_root.json"));
  writeFileSync(join(root, "README.txt"), "Chainsight demo store: one OCI image layout per repository. Rebuilt by `npm run demo` when missing.\n");
  writeFileSync(join(root, ".chainsight-demo"), DEMO_VERSION);
}

export function demoStoreIsCurrent(root: string): boolean {
  try {
    return readFileSync(join(root, ".chainsight-demo"), "utf8").trim() === DEMO_VERSION;
  } catch {
    return false;
  }
}

// --- images -------------------------------------------------------------------------------------

function image(w: LayoutWriter, opts: { created: string; architecture: string; version: string; tag?: string }): Descriptor {
  const layer = w.blob(`net-monitor ${opts.version} for linux/${opts.architecture}\n`, MediaType.OciLayerTar);
  const config = w.json(
    {
      created: opts.created,
      architecture: opts.architecture,
      os: "linux",
      config: { Entrypoint: ["/usr/bin/net-monitor"], Labels: { "org.opencontainers.image.version": opts.version } },
      rootfs: { type: "layers", diff_ids: [layer.digest] },
    },
    MediaType.OciConfig,
  );
  return w.manifest(
    { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers: [layer], annotations: { "org.opencontainers.image.created": opts.created } },
    opts.tag,
  );
}

function multiPlatform(w: LayoutWriter, version: string, created: string, tag: string, extra: Record<string, string> = {}): Descriptor {
  const amd = image(w, { created, architecture: "amd64", version });
  const arm = image(w, { created, architecture: "arm64", version });
  return w.manifest(
    {
      schemaVersion: 2,
      mediaType: MediaType.OciIndex,
      manifests: [
        { ...amd, platform: { architecture: "amd64", os: "linux" } },
        { ...arm, platform: { architecture: "arm64", os: "linux" } },
      ],
      annotations: { "org.opencontainers.image.created": created, "org.opencontainers.image.version": version, ...extra },
    },
    tag,
  );
}

/** An OCI 1.1 artifact attached to `subject`. */
function referrer(w: LayoutWriter, subject: Descriptor, artifactType: string, created: string, layer?: { content: string | Uint8Array; mediaType: string }, annotations: Record<string, string> = {}): Descriptor {
  const empty = w.empty();
  const layers = layer ? [w.blob(layer.content, layer.mediaType)] : [empty];
  return w.manifest({
    schemaVersion: 2,
    mediaType: MediaType.OciManifest,
    artifactType,
    config: empty,
    layers,
    subject: { mediaType: subject.mediaType, digest: subject.digest, size: subject.size },
    annotations: { "org.opencontainers.image.created": created, ...annotations },
  });
}

// --- documents ----------------------------------------------------------------------------------

/** A Notary signature referrer (JWS or COSE) made with the demo's keys. */
function notarySignature(w: LayoutWriter, s: DemoSigners, subject: Descriptor, created: string, variant: NotaryVariant): Descriptor {
  const envelope = notaryEnvelope(s, subject, created, variant);
  return referrer(w, subject, "application/vnd.cncf.notary.signature", created, { content: envelope.bytes, mediaType: envelope.mediaType });
}

function spdx(name: string, version: string, created: string): string {
  const pkgs = [
    ["net-monitor", version, `pkg:oci/net-monitor@${version}`],
    ["openssl", "3.0.13", "pkg:deb/debian/openssl@3.0.13"],
    ["libcurl4", "7.88.1", "pkg:deb/debian/curl@7.88.1"],
    ["zlib1g", "1.2.13", "pkg:deb/debian/zlib@1.2.13"],
    ["github.com/prometheus/client_golang", "1.19.0", "pkg:golang/github.com/prometheus/client_golang@v1.19.0"],
  ];
  return JSON.stringify(
    {
      spdxVersion: "SPDX-2.3",
      dataLicense: "CC0-1.0",
      SPDXID: "SPDXRef-DOCUMENT",
      name: `${name}-${version}`,
      documentNamespace: `https://wabbit-networks.io/spdx/${name}-${version}`,
      creationInfo: { created, creators: ["Tool: chainsight-demo"] },
      packages: pkgs.map(([n, v, purl], i) => ({
        name: n,
        SPDXID: `SPDXRef-Package-${i}`,
        versionInfo: v,
        downloadLocation: "NOASSERTION",
        externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: purl }],
      })),
    },
    null,
    2,
  );
}

function provenance(subject: Descriptor, created: string, version: string): string {
  return JSON.stringify(
    {
      _type: "https://in-toto.io/Statement/v1",
      subject: [{ name: "wabbit-networks.io/monitoring/net-monitor", digest: { sha256: subject.digest.slice(7) } }],
      predicateType: "https://slsa.dev/provenance/v1",
      predicate: {
        buildDefinition: {
          buildType: "https://actions.github.io/buildtypes/workflow/v1",
          externalParameters: { workflow: { ref: `refs/tags/${version}`, repository: "https://github.com/wabbit-networks/net-monitor", path: ".github/workflows/release.yml" } },
          internalParameters: { github: { event_name: "push", repository_id: "647382910", repository_owner_id: "91827364" } },
          resolvedDependencies: [
            { uri: `git+https://github.com/wabbit-networks/net-monitor@refs/tags/${version}`, digest: { gitCommit: version === "v1" ? "3f2c1e9a7b5d4c8e0f1a2b3c4d5e6f708192a3b4" : "9c8b7a6d5e4f3021a0b1c2d3e4f5a6b7c8d9e0f1" } },
            { uri: "pkg:docker/golang@1.22?platform=linux%2Famd64", digest: { sha256: "2f8c1d6e0b4a7c3e5d9f1b0a8c6e4d2f0b8a6c4e2d0f8b6a4c2e0d8f6b4a2c0e" } },
          ],
        },
        runDetails: { builder: { id: "https://github.com/actions/runner/github-hosted" }, metadata: { invocationId: `https://github.com/wabbit-networks/net-monitor/actions/runs/${version === "v1" ? "7482910" : "8391027"}/attempts/1`, startedOn: created, finishedOn: created } },
      },
    },
    null,
    2,
  );
}

/** A cosign `.att` tag: one DSSE layer holding an in-toto statement about the subject, signed with the demo key. */
function cosignAttestation(w: LayoutWriter, signers: DemoSigners, subject: Descriptor, predicate: Record<string, unknown>): void {
  const predicateType = "https://cosign.sigstore.dev/attestation/vuln/v1";
  const statement = { _type: "https://in-toto.io/Statement/v0.1", predicateType, subject: [{ name: "wabbit-networks.io/monitoring/net-monitor", digest: { sha256: subject.digest.slice(7) } }], predicate };
  const envelope = signDsse(signers, "application/vnd.in-toto+json", JSON.stringify(statement));
  const layer = w.blob(envelope, "application/vnd.dsse.envelope.v1+json");
  const config = w.json({ architecture: "", os: "", rootfs: { type: "layers", diff_ids: [layer.digest] } }, MediaType.OciConfig);
  w.manifest(
    { schemaVersion: 2, mediaType: MediaType.OciManifest, config, layers: [{ ...layer, annotations: { "dev.cosignproject.cosign/signature": "", predicateType } }] },
    `${subject.digest.replace(":", "-")}.att`,
  );
}

function cosignTag(w: LayoutWriter, signers: DemoSigners, subject: Descriptor, created: string): void {
  const signed = cosignSignature(signers, subject, "wabbit-networks.io/monitoring/net-monitor", created);
  const payload = w.blob(signed.payload, "application/vnd.dev.cosign.simplesigning.v1+json");
  const config = w.json({ architecture: "", os: "", rootfs: { type: "layers", diff_ids: [payload.digest] } }, MediaType.OciConfig);
  w.manifest(
    {
      schemaVersion: 2,
      mediaType: MediaType.OciManifest,
      config,
      layers: [{ ...payload, annotations: { "dev.cosignproject.cosign/signature": signed.signature } }],
    },
    `${subject.digest.replace(":", "-")}.sig`,
  );
}

// --- repositories -------------------------------------------------------------------------------

function netMonitor(w: LayoutWriter, sources: DemoSources, signers: DemoSigners): void {
  // Older releases: no signatures, no scans (for lifecycle views).
  image(w, { created: "2025-03-02T09:00:00Z", architecture: "amd64", version: "v0.8", tag: "v0.8" });
  image(w, { created: "2025-05-14T09:00:00Z", architecture: "amd64", version: "v0.9", tag: "v0.9" });

  const bundle = readFileSync(join(sources.fixtures, "documents", "sigstore", "bundle-provenance.json"), "utf8");

  for (const [version, created, month] of [
    ["v1", "2026-01-10T12:00:00Z", "01"],
    ["v2", "2026-03-05T12:00:00Z", "03"],
  ] as const) {
    const subject = multiPlatform(w, version, created, version, version === "v1" ? { "org.cncf.oras.artifact.new-version": "net-monitor:v2" } : {});
    const at = (day: string, hour = "12") => `2026-${month}-${day}T${hour}:00:00Z`;
    // v1: signed with Notary JWS and cosign, both verifiable. v2: a COSE signature that verifies, next to a
    // tampered one, one by a signer nobody trusts and one that has expired, so every verdict can be seen.
    notarySignature(w, signers, subject, at("11"), version === "v1" ? "jws" : "cose");
    if (version === "v2") for (const variant of ["tampered", "untrusted", "expired"] as const) notarySignature(w, signers, subject, at("11", variant === "tampered" ? "09" : variant === "untrusted" ? "10" : "11"), variant);
    cosignTag(w, signers, subject, at("11", "13"));
    const packages = demoPackages(version);
    const spdxDoc = referrer(w, subject, "application/spdx+json", at("12"), { content: spdxSbom(packages, "wabbit-networks.io/monitoring/net-monitor", version, at("12")), mediaType: "application/spdx+json" });
    notarySignature(w, signers, spdxDoc, at("12", "14"), "cose");
    referrer(w, subject, "application/vnd.cyclonedx+json", at("12", "15"), { content: cycloneDxSbom(packages, "wabbit-networks.io/monitoring/net-monitor", version, at("12", "15")), mediaType: "application/vnd.cyclonedx+json" });
    // Trivy, then Grype a week later, then Trivy again: the newest scan is the last Trivy one.
    const scans: [string, "trivy" | "grype"][] = [["13", "trivy"], ["20", "grype"], ["27", "trivy"]];
    for (const [day, scanner] of scans) {
      const findings = demoFindings(version, scanner);
      const content = scanner === "trivy" ? trivySarif(findings, packages) : grypeSarif(findings, packages);
      referrer(w, subject, "application/sarif+json", at(day), { content, mediaType: "application/sarif+json" }, { "org.opencontainers.image.title": `${scanner} scan ${at(day).slice(0, 10)}` });
    }
    // The vulnerability attestation cosign attaches (`cosign attest --type vuln`), signed with the demo key.
    cosignAttestation(w, signers, subject, cosignVulnPredicate(demoFindings(version, "trivy"), packages, at("27", "10")));
    // A VEX statement: the glibc iconv finding does not affect net-monitor.
    referrer(w, subject, "application/vnd.openvex+json", at("28"), { content: openVex(subject.digest, at("28")), mediaType: "application/json" });
    referrer(w, subject, "application/vnd.in-toto+json", at("10", "13"), { content: provenance(subject, at("10", "13"), version), mediaType: "application/vnd.in-toto+json" }, {
      "in-toto.io/predicate-type": "https://slsa.dev/provenance/v1",
    });
    if (version === "v2") {
      referrer(w, subject, "application/vnd.dev.sigstore.bundle.v0.3+json", at("06"), { content: bundle, mediaType: "application/vnd.dev.sigstore.bundle.v0.3+json" }, {
        "dev.sigstore.bundle.content": "dsse-envelope",
        "dev.sigstore.bundle.predicateType": "https://slsa.dev/provenance/v1",
      });
    }
    // Annotations only: a lifecycle marker whose deletion date has passed.
    referrer(w, subject, "application/vnd.example.lifecycle.v1+json", at("10", "14"), undefined, { [DELETION_DATE]: version === "v1" ? "2026-06-30T00:00:00Z" : "2027-03-05T00:00:00Z" });
    // Metadata added after the fact (lib/metadata, "Add metadata…"): v2 approved for prod by the release team.
    if (version === "v2") {
      referrer(w, subject, MetadataArtifactType.review, at("29"), undefined, {
        [MetadataKey.ReviewStatus]: "approved",
        [MetadataKey.ReviewEnvironment]: "prod",
        [MetadataKey.ReviewBy]: "release-team",
        [MetadataKey.ReviewAt]: at("29"),
      });
    }
  }
  w.save();
}

/** NIGHTLY_SCANS nightly rescans of one image (Trivy, Grype on Sundays): the graph draws them as one group to open. */
export const NIGHTLY_SCANS = 90;

function nightly(w: LayoutWriter): void {
  const img = image(w, { created: "2026-03-01T02:00:00Z", architecture: "amd64", version: "nightly", tag: "nightly" });
  const packages = demoPackages("v2");
  for (let day = 0; day < NIGHTLY_SCANS; day++) {
    const at = new Date(Date.UTC(2026, 2, 1, 3) + day * 86_400_000).toISOString().replace(".000Z", "Z");
    const scanner = new Date(at).getUTCDay() === 0 ? "grype" : "trivy";
    const findings = demoFindings("v2", scanner);
    const content = scanner === "trivy" ? trivySarif(findings, packages) : grypeSarif(findings, packages);
    referrer(w, img, "application/sarif+json", at, { content, mediaType: "application/sarif+json" }, { "org.opencontainers.image.title": `${scanner} nightly scan ${at.slice(0, 10)}` });
  }
  w.save();
}

function teamRepositories(root: string, signers: DemoSigners): void {
  for (const { repo, version, signature } of TEAM) {
    const w = new LayoutWriter(join(root, ...repo.split("/")));
    const created = "2026-02-01T08:00:00Z";
    const img = image(w, { created, architecture: "amd64", version, tag: version });
    image(w, { created: "2025-11-01T08:00:00Z", architecture: "amd64", version: "old", tag: "0.1.0" });
    if (signature) {
      notarySignature(w, signers, img, created, signature);
      referrer(w, img, "application/spdx+json", created, { content: spdx(repo.split("/").pop()!, version, created), mediaType: "application/spdx+json" });
    }
    w.save();
  }
}

/** The third-party layouts, copied with the license of the project that wrote them. Returns the notation repositories. */
function thirdParty(root: string, sources: DemoSources): string[] {
  const copies: [string, string, string][] = [
    ["regclient/testrepo", join("regclient", "testrepo"), join("regclient", "LICENSE")],
    ["regclient/external", join("regclient", "external"), join("regclient", "LICENSE")],
    ["oras/artifacts", join("oras", "command", "artifacts"), join("oras", "LICENSE")],
    ["oras/images", join("oras", "command", "images"), join("oras", "LICENSE")],
  ];
  for (const name of readdirSync(join(sources.fixtures, "notation"))) {
    if (name.startsWith("e2e")) copies.push([`notation/${name}`, join("notation", name), join("notation", "LICENSE")]);
  }
  for (const [repo, src, license] of copies) {
    const dest = join(root, ...repo.split("/"));
    mkdirSync(dirname(dest), { recursive: true });
    cpSync(join(sources.fixtures, src), dest, { recursive: true });
    if (existsSync(join(sources.fixtures, license))) cpSync(join(sources.fixtures, license), join(dest, "LICENSE"));
  }
  return copies.map(([repo]) => repo).filter((r) => r.startsWith("notation/"));
}
