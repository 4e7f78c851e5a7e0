import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildDemoStore, demoStoreIsCurrent } from "../demo/build";

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
const configPath = join(demoDir, "chainsight.yaml");
const port = process.env.PORT ?? "3000";
const host = process.env.HOST ?? "localhost";

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

function run(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return new Promise((resolveExit) => {
    const child = spawn(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), ...args], { cwd: root, env, stdio: "inherit" });
    child.on("exit", (code) => resolveExit(code ?? 1));
  });
}

async function main(): Promise<void> {
  if (!demoStoreIsCurrent(storeDir)) {
    say(`creating the demo store in ${storeDir} ...`);
    buildDemoStore(storeDir, { fixtures: join(root, "e2e", "fixtures") });
  }
  mkdirSync(demoDir, { recursive: true });
  if (!existsSync(configPath)) {
    writeFileSync(
      configPath,
      `# Chainsight demo configuration (written by npm run demo; edit freely).
# Add a registry below, for example a local Distribution:
#   - id: local
#     url: http://localhost:5000
#     plainHttp: true
# or a folder of OCI layouts written by "oras copy --to-oci-layout" or regctl's ocidir://:
#   - id: airgap
#     kind: oci-layout
#     path: /path/to/layouts
registries:
  - id: demo
    name: Demo supply chain (OCI layouts)
    kind: oci-layout
    path: ${JSON.stringify(storeDir)}
`,
    );
  }
  if (!buildIsCurrent()) {
    say("building the dashboard (next build) ...");
    const code = await run(["build"]);
    if (code !== 0) {
      say("the build failed; see the messages above");
      process.exit(code);
    }
  }
  const config = process.env.CHAINSIGHT_CONFIG || configPath;
  say(`serving with the configuration ${config}`);
  const child = spawn(process.execPath, [join(root, "node_modules", "next", "dist", "bin", "next"), "start", "-p", port, "-H", host], {
    cwd: root,
    env: { ...process.env, CHAINSIGHT_CONFIG: config, NODE_ENV: "production" },
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
