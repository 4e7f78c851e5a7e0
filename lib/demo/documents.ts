/**
 * The demo's documents, written the way the tools write them: net-monitor's
 * SPDX (syft-like) and CycloneDX SBOMs of the same packages, Trivy and Grype
 * SARIF with their own ways of saying severity, Trivy's JSON inside a cosign
 * vulnerability predicate, SLSA v1 provenance from GitHub Actions, and an
 * OpenVEX statement. v2 bumps and changes packages, so scans and the diff
 * between the versions say something.
 */

export interface DemoPackage {
  name: string;
  version: string;
  ecosystem: "deb" | "golang";
  license: string;
}

// A Debian bookworm base and the Go modules a Prometheus exporter links: real names, real-looking versions.
const DEB: [string, string, string][] = [
  ["adduser", "3.134", "GPL-2.0-only"], ["apt", "2.6.1", "GPL-2.0-or-later"], ["base-files", "12.4+deb12u5", "GPL-2.0-or-later"], ["base-passwd", "3.6.1", "GPL-2.0-or-later"],
  ["bash", "5.2.15-2+b2", "GPL-3.0-or-later"], ["bsdutils", "1:2.38.1-5+deb12u1", "BSD-4-Clause"], ["ca-certificates", "20230311", "MPL-2.0"], ["coreutils", "9.1-1", "GPL-3.0-or-later"],
  ["dash", "0.5.12-2", "BSD-3-Clause"], ["debconf", "1.5.82", "BSD-2-Clause"], ["debian-archive-keyring", "2023.3+deb12u1", "GPL-2.0-or-later"], ["debianutils", "5.7-0.5~deb12u1", "GPL-2.0-or-later"],
  ["diffutils", "1:3.8-4", "GPL-3.0-or-later"], ["dpkg", "1.21.22", "GPL-2.0-or-later"], ["e2fsprogs", "1.47.0-2", "GPL-2.0-or-later"], ["findutils", "4.9.0-4", "GPL-3.0-or-later"],
  ["gcc-12-base", "12.2.0-14", "GPL-3.0-or-later"], ["gpgv", "2.2.40-1.1", "GPL-3.0-or-later"], ["grep", "3.8-5", "GPL-3.0-or-later"], ["gzip", "1.12-1", "GPL-3.0-or-later"],
  ["hostname", "3.23+nmu1", "GPL-2.0-or-later"], ["init-system-helpers", "1.65.2", "BSD-3-Clause"], ["libacl1", "2.3.1-3", "LGPL-2.1-or-later"], ["libapt-pkg6.0", "2.6.1", "GPL-2.0-or-later"],
  ["libattr1", "1:2.5.1-4", "LGPL-2.1-or-later"], ["libaudit-common", "1:3.0.9-1", "LGPL-2.1-or-later"], ["libaudit1", "1:3.0.9-1", "LGPL-2.1-or-later"], ["libblkid1", "2.38.1-5+deb12u1", "LGPL-2.1-or-later"],
  ["libbz2-1.0", "1.0.8-5+b1", "BSD-4-Clause"], ["libc-bin", "2.36-9+deb12u4", "LGPL-2.1-or-later"], ["libc6", "2.36-9+deb12u4", "LGPL-2.1-or-later"], ["libcap-ng0", "0.8.3-1+b3", "LGPL-2.1-or-later"],
  ["libcap2", "1:2.66-4", "BSD-3-Clause"], ["libcom-err2", "1.47.0-2", "MIT"], ["libcrypt1", "1:4.4.33-2", "LGPL-2.1-or-later"], ["libdb5.3", "5.3.28+dfsg2-1", "BSD-3-Clause"],
  ["libdebconfclient0", "0.270", "BSD-2-Clause"], ["libext2fs2", "1.47.0-2", "GPL-2.0-or-later"], ["libffi8", "3.4.4-1", "MIT"], ["libgcc-s1", "12.2.0-14", "GPL-3.0-or-later"],
  ["libgcrypt20", "1.10.1-3", "LGPL-2.1-or-later"], ["libgmp10", "2:6.2.1+dfsg1-1.1", "LGPL-3.0-or-later"], ["libgnutls30", "3.7.9-2+deb12u2", "LGPL-2.1-or-later"], ["libgpg-error0", "1.46-1", "LGPL-2.1-or-later"],
  ["libhogweed6", "3.8.1-2", "LGPL-3.0-or-later"], ["libidn2-0", "2.3.3-1+b1", "LGPL-3.0-or-later"], ["liblz4-1", "1.9.4-1", "BSD-2-Clause"], ["liblzma5", "5.4.1-0.2", "0BSD"],
  ["libmd0", "1.0.4-2", "BSD-3-Clause"], ["libmount1", "2.38.1-5+deb12u1", "LGPL-2.1-or-later"], ["libnettle8", "3.8.1-2", "LGPL-3.0-or-later"], ["libp11-kit0", "0.24.1-2", "BSD-3-Clause"],
  ["libpam-modules", "1.5.2-6+deb12u1", "GPL-2.0-or-later"], ["libpam-runtime", "1.5.2-6+deb12u1", "GPL-2.0-or-later"], ["libpam0g", "1.5.2-6+deb12u1", "GPL-2.0-or-later"], ["libpcre2-8-0", "10.42-1", "BSD-3-Clause"],
  ["libseccomp2", "2.5.4-1+b3", "LGPL-2.1-only"], ["libselinux1", "3.4-1+b6", "Unlicense"], ["libsemanage2", "3.4-1+b5", "LGPL-2.1-or-later"], ["libsepol2", "3.4-2.1", "LGPL-2.1-or-later"],
  ["libsmartcols1", "2.38.1-5+deb12u1", "LGPL-2.1-or-later"], ["libss2", "1.47.0-2", "MIT"], ["libssl3", "3.0.13-1~deb12u1", "Apache-2.0"], ["libstdc++6", "12.2.0-14", "GPL-3.0-or-later"],
  ["libsystemd0", "252.22-1~deb12u1", "LGPL-2.1-or-later"], ["libtasn1-6", "4.19.0-2", "LGPL-2.1-or-later"], ["libtinfo6", "6.4-4", "MIT"], ["libudev1", "252.22-1~deb12u1", "LGPL-2.1-or-later"],
  ["libunistring2", "1.0-2", "LGPL-3.0-or-later"], ["libuuid1", "2.38.1-5+deb12u1", "BSD-3-Clause"], ["libxxhash0", "0.8.1-1", "BSD-2-Clause"], ["libzstd1", "1.5.4+dfsg2-5", "BSD-3-Clause"],
  ["login", "1:4.13+dfsg1-1+b1", "BSD-3-Clause"], ["mawk", "1.3.4.20200120-3.1", "GPL-2.0-only"], ["mount", "2.38.1-5+deb12u1", "GPL-2.0-or-later"], ["ncurses-base", "6.4-4", "MIT"],
  ["ncurses-bin", "6.4-4", "MIT"], ["openssl", "3.0.13-1~deb12u1", "Apache-2.0"], ["passwd", "1:4.13+dfsg1-1+b1", "BSD-3-Clause"], ["perl-base", "5.36.0-7+deb12u1", "Artistic-1.0-Perl"],
  ["sed", "4.9-1", "GPL-3.0-or-later"], ["sysvinit-utils", "3.06-4", "GPL-2.0-or-later"], ["tar", "1.34+dfsg-1.2+deb12u1", "GPL-3.0-or-later"], ["tzdata", "2024a-0+deb12u1", "public-domain"],
  ["util-linux", "2.38.1-5+deb12u1", "GPL-2.0-or-later"], ["zlib1g", "1:1.2.13.dfsg-1", "Zlib"], ["curl", "7.88.1-10+deb12u5", "curl"], ["libcurl4", "7.88.1-10+deb12u5", "curl"],
  ["libnghttp2-14", "1.52.0-1+deb12u1", "MIT"], ["libpsl5", "0.21.2-1", "MIT"], ["librtmp1", "2.4+20151223.gitfa8646d.1-2+b2", "LGPL-2.1-or-later"], ["libssh2-1", "1.10.0-3+b1", "BSD-3-Clause"],
  ["libbrotli1", "1.0.9-2+b6", "MIT"], ["libgssapi-krb5-2", "1.20.1-2+deb12u1", "MIT"], ["libk5crypto3", "1.20.1-2+deb12u1", "MIT"], ["libkeyutils1", "1.6.3-2", "LGPL-2.0-or-later"],
  ["libkrb5-3", "1.20.1-2+deb12u1", "MIT"], ["libkrb5support0", "1.20.1-2+deb12u1", "MIT"], ["libldap-2.5-0", "2.5.13+dfsg-5", "OLDAP-2.8"], ["libsasl2-2", "2.1.28+dfsg-10", "BSD-4-Clause"],
];

const GO: [string, string, string][] = [
  ["github.com/prometheus/client_golang", "v1.19.0", "Apache-2.0"], ["github.com/prometheus/client_model", "v0.6.0", "Apache-2.0"], ["github.com/prometheus/common", "v0.48.0", "Apache-2.0"],
  ["github.com/prometheus/procfs", "v0.12.0", "Apache-2.0"], ["github.com/beorn7/perks", "v1.0.1", "MIT"], ["github.com/cespare/xxhash/v2", "v2.2.0", "MIT"], ["golang.org/x/sys", "v0.17.0", "BSD-3-Clause"],
  ["golang.org/x/net", "v0.17.0", "BSD-3-Clause"], ["golang.org/x/text", "v0.14.0", "BSD-3-Clause"], ["golang.org/x/crypto", "v0.19.0", "BSD-3-Clause"], ["golang.org/x/sync", "v0.6.0", "BSD-3-Clause"],
  ["google.golang.org/protobuf", "v1.32.0", "BSD-3-Clause"], ["github.com/spf13/cobra", "v1.8.0", "Apache-2.0"], ["github.com/spf13/pflag", "v1.0.5", "BSD-3-Clause"], ["github.com/sirupsen/logrus", "v1.9.3", "MIT"],
  ["go.uber.org/zap", "v1.27.0", "MIT"], ["go.uber.org/multierr", "v1.11.0", "MIT"], ["github.com/gorilla/mux", "v1.8.1", "BSD-3-Clause"], ["github.com/google/uuid", "v1.6.0", "BSD-3-Clause"],
  ["github.com/miekg/dns", "v1.1.58", "BSD-3-Clause"], ["github.com/vishvananda/netlink", "v1.1.0", "Apache-2.0"], ["github.com/vishvananda/netns", "v0.0.4", "Apache-2.0"], ["github.com/mdlayher/netlink", "v1.7.2", "MIT"],
  ["github.com/mdlayher/socket", "v0.5.0", "MIT"], ["github.com/josharian/native", "v1.1.0", "MIT"], ["gopkg.in/yaml.v3", "v3.0.1", "MIT"], ["github.com/alecthomas/kingpin/v2", "v2.4.0", "MIT"],
  ["github.com/xhit/go-str2duration/v2", "v2.1.0", "BSD-3-Clause"], ["github.com/go-kit/log", "v0.2.1", "MIT"], ["github.com/go-logfmt/logfmt", "v0.6.0", "MIT"], ["github.com/jpillora/backoff", "v1.0.0", "MIT"],
  ["github.com/mwitkow/go-conntrack", "v0.0.0-20190716064945-2f068394615f", "Apache-2.0"], ["github.com/munnerz/goautoneg", "v0.0.0-20191010083416-a7dc8b61c822", "BSD-3-Clause"], ["golang.org/x/oauth2", "v0.16.0", "BSD-3-Clause"],
  ["github.com/golang/protobuf", "v1.5.3", "BSD-3-Clause"], ["github.com/stretchr/testify", "v1.9.0", "MIT"], ["github.com/davecgh/go-spew", "v1.1.1", "ISC"], ["github.com/pmezard/go-difflib", "v1.0.0", "BSD-3-Clause"],
  ["stdlib", "go1.21.6", "BSD-3-Clause"],
];

/** v2: openssl and x/net bumped, the Go toolchain bumped, curl gone, a DNS-over-HTTPS library added. */
export function demoPackages(version: "v1" | "v2"): DemoPackage[] {
  const deb = DEB.filter(([n]) => version === "v1" || !["curl"].includes(n)).map(([name, v, license]) => ({
    name,
    version: version === "v2" && (name === "openssl" || name === "libssl3") ? "3.0.14-1~deb12u2" : version === "v2" && name === "zlib1g" ? "1:1.2.13.dfsg-1+deb12u1" : v,
    ecosystem: "deb" as const,
    license,
  }));
  const go = GO.map(([name, v, license]) => ({
    name,
    version: version === "v2" && name === "golang.org/x/net" ? "v0.33.0" : version === "v2" && name === "stdlib" ? "go1.22.5" : v,
    ecosystem: "golang" as const,
    license,
  }));
  if (version === "v2") go.push({ name: "github.com/ncruces/go-dns", version: "v1.2.5", ecosystem: "golang", license: "MIT" });
  return [...deb, ...go];
}

export function purlOf(p: DemoPackage): string {
  return p.ecosystem === "deb" ? `pkg:deb/debian/${p.name}@${encodeURIComponent(p.version)}?arch=amd64&distro=debian-12` : `pkg:golang/${p.name}@${p.version}`;
}

export function spdxSbom(packages: DemoPackage[], name: string, version: string, created: string): string {
  const root = { name, SPDXID: "SPDXRef-DocumentRoot-Image", versionInfo: version, downloadLocation: "NOASSERTION", primaryPackagePurpose: "CONTAINER" };
  const pkgs = packages.map((p, i) => ({
    name: p.name,
    SPDXID: `SPDXRef-Package-${p.ecosystem}-${i}`,
    versionInfo: p.version,
    supplier: p.ecosystem === "deb" ? "Organization: Debian" : "NOASSERTION",
    downloadLocation: "NOASSERTION",
    licenseConcluded: "NOASSERTION",
    licenseDeclared: p.license,
    externalRefs: [{ referenceCategory: "PACKAGE-MANAGER", referenceType: "purl", referenceLocator: purlOf(p) }],
  }));
  return JSON.stringify(
    {
      spdxVersion: "SPDX-2.3",
      dataLicense: "CC0-1.0",
      SPDXID: "SPDXRef-DOCUMENT",
      name: `${name}:${version}`,
      documentNamespace: `https://wabbit-networks.io/spdx/${name.replace(/[:/]/g, "-")}-${version}`,
      creationInfo: { created, creators: ["Organization: Wabbit Networks", "Tool: syft-1.4.1"], licenseListVersion: "3.23" },
      documentDescribes: [root.SPDXID],
      packages: [root, ...pkgs],
      relationships: pkgs.map((p) => ({ spdxElementId: root.SPDXID, relatedSpdxElement: p.SPDXID, relationshipType: "CONTAINS" })),
    },
    null,
    2,
  );
}

export function cycloneDxSbom(packages: DemoPackage[], name: string, version: string, created: string): string {
  const components = packages.map((p) => ({ "bom-ref": purlOf(p), type: "library", name: p.name, version: p.version, purl: purlOf(p), licenses: [{ license: { id: p.license } }] }));
  const goRoot = components.find((c) => c.name === "github.com/prometheus/client_golang")!;
  return JSON.stringify(
    {
      bomFormat: "CycloneDX",
      specVersion: "1.5",
      serialNumber: `urn:uuid:${"0".repeat(8)}-0000-4000-8000-${name.length.toString(16).padStart(12, "0")}`,
      version: 1,
      metadata: { timestamp: created, tools: { components: [{ type: "application", author: "anchore", name: "syft", version: "1.4.1" }] }, component: { "bom-ref": "net-monitor", type: "container", name, version } },
      components,
      dependencies: [
        { ref: "net-monitor", dependsOn: components.filter((c) => c.purl.startsWith("pkg:deb/") || c === goRoot).map((c) => c["bom-ref"]) },
        { ref: goRoot["bom-ref"], dependsOn: components.filter((c) => /client_model|prometheus\/common|procfs|beorn7|xxhash|golang\.org\/x\/sys|protobuf/.test(c.name)).map((c) => c["bom-ref"]) },
      ],
    },
    null,
    2,
  );
}

interface DemoVuln {
  id: string;
  pkg: string;
  severity: "CRITICAL" | "HIGH" | "MEDIUM" | "LOW";
  score: number;
  title: string;
  fixed?: string;
}

/** Findings as the scanners of each day would report them for this version's packages. */
export function demoFindings(version: "v1" | "v2", scanner: "trivy" | "grype"): DemoVuln[] {
  const v1: DemoVuln[] = [
    { id: "CVE-2023-45853", pkg: "zlib1g", severity: "CRITICAL", score: 9.8, title: "zlib: integer overflow and resultant heap-based buffer overflow in zipOpenNewFileInZip4_6", fixed: "1:1.2.13.dfsg-1+deb12u1" },
    { id: "CVE-2024-5535", pkg: "libssl3", severity: "HIGH", score: 9.1, title: "openssl: SSL_select_next_proto buffer overread", fixed: "3.0.14-1~deb12u2" },
    { id: "CVE-2024-6119", pkg: "openssl", severity: "HIGH", score: 7.5, title: "openssl: Possible denial of service in X.509 name checks", fixed: "3.0.14-1~deb12u2" },
    { id: "CVE-2024-2961", pkg: "libc6", severity: "HIGH", score: 8.8, title: "glibc: Out of bounds write in iconv may lead to remote code execution" },
    { id: "CVE-2023-39325", pkg: "golang.org/x/net", severity: "HIGH", score: 7.5, title: "golang: net/http, x/net/http2: rapid stream resets can cause excessive work (CVE-2023-44487)", fixed: "v0.17.0" },
    { id: "CVE-2024-45338", pkg: "golang.org/x/net", severity: "MEDIUM", score: 5.3, title: "golang.org/x/net/html: Non-linear parsing of case-insensitive content", fixed: "v0.33.0" },
    { id: "CVE-2023-50495", pkg: "ncurses-base", severity: "MEDIUM", score: 6.5, title: "ncurses: segmentation fault via _nc_wrap_entry()" },
    { id: "CVE-2024-2511", pkg: "openssl", severity: "LOW", score: 5.9, title: "openssl: Unbounded memory growth with session handling in TLSv1.3", fixed: "3.0.14-1~deb12u1" },
    { id: "CVE-2024-24791", pkg: "stdlib", severity: "MEDIUM", score: 7.5, title: "net/http: Denial of service due to improper 100-continue handling", fixed: "go1.22.5" },
  ];
  // x/net v0.17.0 has the fix for CVE-2023-39325: Grype knows, Trivy's older database does not.
  const base = v1.filter((f) => !(scanner === "grype" && f.id === "CVE-2023-39325"));
  if (version === "v1") return base;
  return [
    ...base.filter((f) => !["libssl3", "openssl", "zlib1g", "golang.org/x/net", "stdlib"].includes(f.pkg)),
    { id: "CVE-2025-0395", pkg: "libc6", severity: "MEDIUM", score: 6.5, title: "glibc: buffer overflow in the assert() function" },
  ];
}

export function trivySarif(findings: DemoVuln[], packages: DemoPackage[]): string {
  const version = (pkg: string) => packages.find((p) => p.name === pkg)?.version ?? "?";
  const rules = findings.map((f) => ({
    id: f.id,
    name: f.pkg.includes("/") || f.pkg === "stdlib" ? "LanguageSpecificPackageVulnerability" : "OsPackageVulnerability",
    shortDescription: { text: f.title },
    helpUri: `https://avd.aquasec.com/nvd/${f.id.toLowerCase()}`,
    help: { text: `Vulnerability ${f.id}\nSeverity: ${f.severity}\nPackage: ${f.pkg}\nFixed Version: ${f.fixed ?? ""}\nLink: [${f.id}](https://avd.aquasec.com/nvd/${f.id.toLowerCase()})\n${f.title}` },
    properties: { precision: "very-high", "security-severity": f.score.toFixed(1), tags: ["vulnerability", "security", f.severity] },
  }));
  const results = findings.map((f, i) => ({
    ruleId: f.id,
    ruleIndex: i,
    level: f.severity === "CRITICAL" || f.severity === "HIGH" ? "error" : f.severity === "MEDIUM" ? "warning" : "note",
    message: { text: `Package: ${f.pkg}\nInstalled Version: ${version(f.pkg)}\nVulnerability ${f.id}\nSeverity: ${f.severity}\nFixed Version: ${f.fixed ?? ""}\nLink: [${f.id}](https://avd.aquasec.com/nvd/${f.id.toLowerCase()})` },
    locations: [{ physicalLocation: { artifactLocation: { uri: "wabbit-networks.io/monitoring/net-monitor", uriBaseId: "ROOTPATH" }, region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 } } }],
  }));
  return JSON.stringify({ version: "2.1.0", $schema: "https://raw.githubusercontent.com/oasis-tcs/sarif-spec/main/sarif-2.1/schema/sarif-schema-2.1.0.json", runs: [{ tool: { driver: { fullName: "Trivy Vulnerability Scanner", informationUri: "https://github.com/aquasecurity/trivy", name: "Trivy", rules, version: "0.52.2" } }, results, columnKind: "utf16CodeUnits" }] }, null, 2);
}

export function grypeSarif(findings: DemoVuln[], packages: DemoPackage[]): string {
  const version = (pkg: string) => packages.find((p) => p.name === pkg)?.version ?? "?";
  const rules = findings.map((f) => ({
    id: `${f.id}-${f.pkg}`,
    name: f.pkg.includes("/") ? "GoModuleMatcherExactDirectMatch" : "DpkgMatcherExactDirectMatch",
    shortDescription: { text: `${f.id} ${f.severity.toLowerCase()} vulnerability for ${f.pkg} package` },
    fullDescription: { text: f.fixed ? `Version ${version(f.pkg)} is affected with an available fix in versions ${f.fixed}` : `Version ${version(f.pkg)} is affected with no fixes reported yet.` },
    helpUri: "https://github.com/anchore/grype",
    help: { text: `Vulnerability ${f.id}\nSeverity: ${f.severity.toLowerCase()}\nPackage: ${f.pkg}\nVersion: ${version(f.pkg)}\nFix Version: ${f.fixed ?? ""}\nLink: ${f.id}` },
    properties: { "security-severity": f.score.toFixed(1) },
  }));
  const results = findings.map((f) => ({
    ruleId: `${f.id}-${f.pkg}`,
    level: f.severity === "CRITICAL" || f.severity === "HIGH" ? "error" : f.severity === "MEDIUM" ? "warning" : "note",
    message: { text: `A ${f.severity.toLowerCase()} vulnerability in package: ${f.pkg}, version ${version(f.pkg)} was found in image wabbit-networks.io/monitoring/net-monitor` },
  }));
  return JSON.stringify({ version: "2.1.0", $schema: "https://json.schemastore.org/sarif-2.1.0-rtm.5.json", runs: [{ tool: { driver: { name: "Grype", version: "0.79.0", informationUri: "https://github.com/anchore/grype", rules } }, results }] }, null, 2);
}

/** `trivy image --format cosign-vuln`: the predicate with Trivy's own report inside. */
export function cosignVulnPredicate(findings: DemoVuln[], packages: DemoPackage[], scanned: string): Record<string, unknown> {
  const version = (pkg: string) => packages.find((p) => p.name === pkg)?.version ?? "?";
  return {
    invocation: { parameters: null, uri: "", event_id: "", "builder.id": "" },
    scanner: {
      uri: "pkg:github/aquasecurity/trivy@0.52.2",
      version: "0.52.2",
      db: { uri: "", version: "" },
      result: {
        SchemaVersion: 2,
        CreatedAt: scanned,
        ArtifactName: "wabbit-networks.io/monitoring/net-monitor",
        ArtifactType: "container_image",
        Results: [
          {
            Target: "wabbit-networks.io/monitoring/net-monitor (debian 12.5)",
            Class: "os-pkgs",
            Type: "debian",
            Vulnerabilities: findings.map((f) => ({
              VulnerabilityID: f.id,
              PkgName: f.pkg,
              InstalledVersion: version(f.pkg),
              FixedVersion: f.fixed,
              Severity: f.severity,
              Title: f.title,
              PrimaryURL: `https://avd.aquasec.com/nvd/${f.id.toLowerCase()}`,
              CVSS: { nvd: { V3Score: f.score } },
            })),
          },
        ],
      },
    },
    metadata: { scanStartedOn: scanned, scanFinishedOn: scanned },
  };
}

export function openVex(imageDigest: string, timestamp: string): string {
  return JSON.stringify(
    {
      "@context": "https://openvex.dev/ns/v0.2.0",
      "@id": "https://wabbit-networks.io/vex/net-monitor-2026-001",
      author: "Wabbit Networks security team",
      timestamp,
      version: 1,
      statements: [
        {
          vulnerability: { name: "CVE-2024-2961" },
          products: [{ "@id": `pkg:oci/net-monitor@${encodeURIComponent(imageDigest)}`, subcomponents: [{ "@id": "pkg:deb/debian/libc6" }] }],
          status: "not_affected",
          justification: "vulnerable_code_not_in_execute_path",
          impact_statement: "net-monitor never calls iconv() with ISO-2022-CN-EXT",
        },
      ],
    },
    null,
    2,
  );
}
