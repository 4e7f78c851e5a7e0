import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { PROJECT_ROOT } from "../support/app-server";

// `npm run demo` checks what would stop the server before it builds or says "ready".

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function runDemo(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(PROJECT_ROOT, "node_modules", "tsx", "dist", "cli.mjs"), join(PROJECT_ROOT, "lib", "cli", "demo.ts")], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, NEXTAUTH_SECRET: "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("npm run demo", () => {
  it("with sign-in on and no session secret, says so in one line and exits before claiming to be ready", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-demo-cli-"));
    dirs.push(dir);
    const config = join(dir, "chainsight.yaml");
    writeFileSync(config, "auth:\n  enabled: true\nregistries: []\n");
    const { code, stdout, stderr } = await runDemo({ CHAINSIGHT_DEMO_DIR: dir, CHAINSIGHT_CONFIG: config, PORT: "0" });
    expect(code).toBe(1);
    expect(stdout).not.toMatch(/ready/i);
    expect(stdout).not.toMatch(/building/);
    const lines = stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\[demo\] cannot start: sign-in is on \(auth\.enabled in .*chainsight\.yaml\) but NEXTAUTH_SECRET is not set/);
    expect(lines[0]).toContain('NEXTAUTH_SECRET="$(openssl rand -base64 32)" npm run demo');
  }, 90_000);

  it("with a broken configuration, names the key in one line and exits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-demo-cli-"));
    dirs.push(dir);
    const config = join(dir, "chainsight.yaml");
    writeFileSync(config, "registries:\n  - id: Bad Id\n    url: http://localhost:5000\n");
    const { code, stderr } = await runDemo({ CHAINSIGHT_DEMO_DIR: dir, CHAINSIGHT_CONFIG: config, PORT: "0" });
    expect(code).toBe(1);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/cannot start: the configuration cannot be used: .*registries\[0\]\.id/);
  }, 90_000);

  it("with a trust policy notation would refuse, names the file and notation's reason in one line and exits", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-demo-cli-"));
    dirs.push(dir);
    const config = join(dir, "chainsight.yaml");
    writeFileSync(join(dir, "policy.json"), JSON.stringify({ version: "1.0", trustPolicies: [{ name: "p", registryScopes: ["*", "localhost:5000/app"], signatureVerification: { level: "strict" }, trustStores: ["ca:x"], trustedIdentities: ["*"] }] }));
    writeFileSync(config, "registries: []\nverification:\n  notation:\n    trustPolicy: policy.json\n");
    const { code, stdout, stderr } = await runDemo({ CHAINSIGHT_DEMO_DIR: dir, CHAINSIGHT_CONFIG: config, PORT: "0" });
    expect(code).toBe(1);
    expect(stdout).not.toMatch(/ready/i);
    expect(stderr.trim().split("\n")).toHaveLength(1);
    expect(stderr).toMatch(/cannot start: the trust configuration cannot be used: .*verification\.notation\.trustPolicy \(.*policy\.json\): trust policy statement "p" uses wildcard registry scope/);
  }, 90_000);
});
