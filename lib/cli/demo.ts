import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildDemoStore, demoStoreIsCurrent } from "../demo/build";
import { describeError } from "../oci/errors";
import { loadConfig } from "../server/config";
import { trustProblem } from "../server/startup";

/**
 * `npm run demo`: build the demo store on first run (a folder of OCI layouts
 * in `.demo/`, git-ignored), write a config that serves it, build the app
 * when its sources are newer than the last build, and start it. Offline.
 *
 * CHAINSIGHT_DEMO_DIR moves the folder; PORT and HOST choose where to listen;
 * CHAINSIGHT_CONFIG, when set, is used instead of the demo config.
 */

const root = process.cwd();
const demoDir = resolve(process.env.CHAINSIGHT_DEMO_DIR ?? join(root, ".demo"));
const storeDir = join(demoDir, "store");
const trustDir = join(demoDir, "trust");
const configPath = join(demoDir, "chainsight.yaml");
const airgapDir = join(demoDir, "airgap");
const port = process.env.PORT ?? "3000";
const host = process.env.HOST ?? "localhost";

const DEMO_CONFIG_HEADER = "# Chainsight demo configuration (written by npm run demo; edit freely).";

/** The demo's trust: notation's files as notation lays them out, the cosign key, the Sigstore root (README, Verification). */
function verificationSection(): string {
  return `# Whom to trust (README, Verification). The demo made a signing CA and a cosign key in ${trustDir}.
verification:
  notation:
    trustPolicy: ${JSON.stringify(join(trustDir, "trustpolicy.json"))}
    trustStore: ${JSON.stringify(join(trustDir, "truststore"))}
  cosign:
    keys:
      - name: wabbit-networks cosign key
        path: ${JSON.stringify(join(trustDir, "cosign.pub"))}
        scopes: ["local/monitoring/**"]
  sigstore:
    trustedRoot: ${JSON.stringify(join(trustDir, "trusted_root.json"))}
`;
}

/** The demo walks its store into the index, so search answers at once (README, Supply-chain index). */
function indexSection(): string {
  return `# The supply-chain index (README, Supply-chain index): walked in the background, searched at /search.
index:
  enabled: true
  database: ${JSON.stringify(join(demoDir, "index.sqlite"))}
`;
}

/** Policies the demo's images are judged by (README, Policies): a release policy and an audit-only baseline. */
function policiesSection(): string {
  return `# What an image needs to ship (README, Policies): shown per tag and per image, checked in CI with npm run policy.
policies:
  - name: release
    description: net-monitor releases ship signed by Wabbit Networks, described, scanned clean of critical findings, built on GitHub
    scope: { registries: [demo], repositories: ["monitoring/**"], tags: ["v*"] }
    require:
      signature: { trustedBy: [{ notation: wabbit-networks-images }] }
      sbom: { formats: [spdx, cyclonedx] }
      scan: { failOn: critical }
      provenance: { builder: "https://github.com/**" }
  - name: team-baseline
    description: every team image is signed and has an SBOM (audit only while teams catch up)
    mode: audit
    scope: { repositories: ["teama/**", "teamb/**"] }
    require:
      signature: {}
      sbom: {}
`;
}

function say(line: string): void {
  process.stdout.write(`[demo] ${line}\n`);
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === "node_modules" || e.name.startsWith(".")) continue;
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestSource(p) : statSync(p).mtimeMs);
  }
  return newest;
}

function buildIsCurrent(): boolean {
  const id = join(root, ".next", "BUILD_ID");
  if (!existsSync(id)) return false;
  const built = statSync(id).mtimeMs;
  const sources = Math.max(
    ...["app", "components", "lib", "public"].filter((d) => existsSync(join(root, d))).map((d) => newestSource(join(root, d))),
    ...["next.config.js", "package.json", "postcss.config.mjs"].filter((f) => existsSync(join(root, f))).map((f) => statSync(join(root, f)).mtimeMs),
  );
  return built >= sources;
}

/** Next.js would otherwise announce (and attempt) anonymous telemetry; the demo promises no network. */
const NEXT_ENV = { ...process.env, NEXT_TELEMETRY_DISABLED: "1" };

/**
 * What would stop the server right after it starts: a configuration it cannot
 * load, or sign-in without a session secret. Said in one line before anything
 * is built or announced.
 */
function configProblem(configPath: string): string | undefined {
  let config;
  try {
    config = loadConfig({ ...process.env, CHAINSIGHT_CONFIG: configPath });
  } catch (err) {
    return `the configuration cannot be used: ${describeError(err)}`;
  }
  if (config.auth.enabled && !config.auth.secret) {
    return `sign-in is on (auth.enabled in ${config.source}) but ${config.auth.secretEnv} is not set, so sessions cannot be signed. Set it and run again, for example: ${config.auth.secretEnv}="$(openssl rand -base64 32)" npm run demo`;
  }
  const trust = trustProblem(config);
  return trust && `the trust configuration cannot be used: ${trust}`;
}

function run(args: string[], env: NodeJS.ProcessEnv = NEXT_ENV): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), ...args], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (code) => resolveExit(code ?? 1));
  });
}

/** The demo's second store: an empty folder of layouts that promotions and archive imports may write into. */
function airgapEntry(): string {
  return `  - id: airgap
    name: Air-gap export (OCI layouts, writable)
    kind: oci-layout
    path: ${JSON.stringify(airgapDir)}
    allowDelete: true
`;
}

async function main(): Promise<void> {
  if (!demoStoreIsCurrent(storeDir)) {
    say(`creating the demo store in ${storeDir} ...`);
    await buildDemoStore(storeDir, { fixtures: join(root, "e2e", "fixtures"), trustDir });
  }
  mkdirSync(demoDir, { recursive: true });
  if (existsSync(configPath) && readFileSync(configPath, "utf8").startsWith(DEMO_CONFIG_HEADER) && !/^verification:/m.test(readFileSync(configPath, "utf8"))) {
    // A demo config from before verification existed: give it the demo's trust, keep the rest as edited.
    appendFileSync(configPath, `\n${verificationSection()}`);
    say(`added the demo's trust configuration (verification:) to ${configPath}`);
  }
  if (existsSync(configPath) && readFileSync(configPath, "utf8").startsWith(DEMO_CONFIG_HEADER) && !/^index:/m.test(readFileSync(configPath, "utf8"))) {
    appendFileSync(configPath, `\n${indexSection()}`);
    say(`added the supply-chain index (index:) to ${configPath}`);
  }
  if (existsSync(configPath) && readFileSync(configPath, "utf8").startsWith(DEMO_CONFIG_HEADER) && !/^policies:/m.test(readFileSync(configPath, "utf8"))) {
    appendFileSync(configPath, `\n${policiesSection()}`);
    say(`added the demo's policies (policies:) to ${configPath}`);
  }
  // A writable layout store to promote into and import archives into (the demo store itself is read-only).
  mkdirSync(airgapDir, { recursive: true });
  if (existsSync(configPath) && readFileSync(configPath, "utf8").startsWith(DEMO_CONFIG_HEADER) && !/^ {2}- id: airgap$/m.test(readFileSync(configPath, "utf8"))) {
    writeFileSync(configPath, readFileSync(configPath, "utf8").replace(/^registries:\n/m, `registries:\n${airgapEntry()}`));
    say(`added a writable layout store to promote into (airgap) to ${configPath}`);
  }
  if (!existsSync(configPath)) {
    writeFileSync(
      configPath,
      `${DEMO_CONFIG_HEADER}
# Add a registry below, for example a local Distribution:
#   - id: local
#     url: http://localhost:5000
#     plainHttp: true
# or a folder of OCI layouts written by "oras copy --to-oci-layout" or regctl's ocidir://:
#   - id: exports
#     kind: oci-layout
#     path: /path/to/layouts
registries:
  - id: demo
    name: Demo supply chain (OCI layouts)
    kind: oci-layout
    path: ${JSON.stringify(storeDir)}
${airgapEntry()}
${verificationSection()}
${indexSection()}
${policiesSection()}`,
    );
  }
  const config = process.env.CHAINSIGHT_CONFIG || configPath;
  const problem = configProblem(config);
  if (problem) {
    process.stderr.write(`[demo] cannot start: ${problem}\n`);
    process.exit(1);
  }
  if (!buildIsCurrent()) {
    say("building the dashboard (next build) ...");
    const code = await run(["build"]);
    if (code !== 0) {
      say("the build failed; see the messages above");
      process.exit(code);
    }
  }
  say(`serving with the configuration ${config}`);
  const child = spawn(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", port, "-H", host], {
    cwd: root,
    env: { ...NEXT_ENV, CHAINSIGHT_CONFIG: config, NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let announced = false;
  child.stdout!.on("data", (chunk: Buffer) => {
    const text = chunk.toString("utf8");
    // The server's JSON log lines stay in the output for those who want them.
    process.stdout.write(text);
    if (!announced && /Ready|started server|Local:/i.test(text)) {
      announced = true;
      say(`Chainsight is ready: open http://${host}:${port}/`);
    }
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
  child.on("exit", (code) => process.exit(code ?? 0));
}

main().catch((err) => {
  process.stderr.write(`[demo] ${(err as Error).message}\n`);
  process.exit(1);
});
