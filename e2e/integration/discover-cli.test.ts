import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startDistribution, type RunningDistribution } from "../support/distribution";
import { FIXTURES, fixtureLayouts } from "../support/fixtures";
import { pushLayout, readLayout } from "../support/layout";
import { pushImage, pushReferrer } from "../support/artifacts";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort } from "../support/ports";

// `npm run discover` as a user runs it, against the real registry.

const run = promisify(execFile);
let registry: RunningDistribution;

async function discoverCli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "--silent", "discover", "--", ...args], { cwd: process.cwd(), timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

beforeAll(async () => {
  registry = await startDistribution();
  await pushLayout({ url: registry.url }, "oras/artifacts", readLayout(fixtureLayouts()["oras/artifacts"]));
  const image = await pushImage({ url: registry.url }, "apps/alpine", "3.10", {});
  await pushReferrer({ url: registry.url }, "apps/alpine", image, { artifactType: "application/sarif+json", content: { mediaType: "application/sarif+json", bytes: readFileSync(join(FIXTURES, "content/trivy/alpine-310.sarif.golden")) } });
});
afterAll(async () => {
  await registry?.stop();
});

describe("npm run discover", () => {
  it("--summary says under each scan, SBOM and attestation what it says", async () => {
    const sarif = JSON.parse(readFileSync(join(FIXTURES, "content/trivy/alpine-310.sarif.golden"), "utf8"));
    const r = await discoverCli(`${registry.host}/apps/alpine:3.10`, "--plain-http", "--summary");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`» Trivy scan · ${sarif.runs[0].results.length} medium · ${sarif.runs[0].results.length} fixable`);
    const json = JSON.parse((await discoverCli(`${registry.host}/apps/alpine:3.10`, "--plain-http", "--summary", "--output", "json")).stdout);
    expect(json.manifests[0].summary).toMatch(/^Trivy scan/);
  });

  it("prints the tree like oras discover", async () => {
    const r = await discoverCli(`${registry.host}/oras/artifacts:foobar`, "--plain-http");
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toBe(`${registry.host}/oras/artifacts:foobar`);
    expect(lines[1]).toBe("└── test/sbom.file");
    expect(lines[2]).toMatch(/^ {4}└── sha256:e2c6633a7998[0-9a-f]+ {2}\[SBOM; created 2023-01-18T08:37:42.000Z; via tag-schema\]$/);
    expect(lines[3]).toBe("        └── test/signature.file");
    expect(lines[4]).toMatch(/^ {12}└── sha256:0cb8c4da7e9f[0-9a-f]+ {2}\[signature;/);
  });

  it("prints JSON with discoveredBy on every referrer", async () => {
    const r = await discoverCli(`${registry.host}/oras/artifacts:foobar`, "--plain-http", "--output", "json");
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({
      reference: `${registry.host}/oras/artifacts:foobar`,
      mediaType: "application/vnd.oci.image.manifest.v1+json",
      digest: expect.stringMatching(/^sha256:fd6ed2f36b54/),
      manifests: [
        {
          artifactType: "test/sbom.file",
          discoveredBy: "tag-schema",
          reference: expect.stringMatching(new RegExp(`^${registry.host}/oras/artifacts@sha256:e2c6633a7998`)),
          manifests: [{ artifactType: "test/signature.file", discoveredBy: "tag-schema", manifests: [] }],
        },
      ],
    });
  });

  it("honours --artifact-type and --depth", async () => {
    const none = await discoverCli(`${registry.host}/oras/artifacts:foobar`, "--plain-http", "--artifact-type", "application/vnd.cncf.notary.signature", "-o", "json");
    expect(JSON.parse(none.stdout).manifests).toEqual([]);
    const shallow = await discoverCli(`${registry.host}/oras/artifacts:foobar`, "--plain-http", "--depth", "1");
    expect(shallow.stdout).not.toContain("test/signature.file");
    expect(shallow.stdout).toContain("raise --depth");
  });

  it("ends bad input with a one-line error and exit code 2", async () => {
    const r = await discoverCli(`${registry.host}/oras/artifacts:foobar`, "--depth", "zero");
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --depth must be a whole number of at least 1, not "zero"');
    const bad = await discoverCli("localhost:5000/UPPER:tag");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/invalid repository "UPPER"/);
  });

  it("ends registry failures with a one-line error and exit code 1", async () => {
    const port = await freePort();
    const down = await discoverCli(`127.0.0.1:${port}/app:v1`, "--plain-http");
    expect(down.code).toBe(1);
    expect(down.stderr.trim()).toMatch(new RegExp(`^error: 127\\.0\\.0\\.1:${port}: cannot reach 127\\.0\\.0\\.1:${port}: connection refused`));
    const missing = await discoverCli(`${registry.host}/oras/artifacts:nope`, "--plain-http");
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim().split("\n")).toHaveLength(1);
    expect(missing.stderr).toMatch(/manifest oras\/artifacts:nope: not found/);
  });
});
