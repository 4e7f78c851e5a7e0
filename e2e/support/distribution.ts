/**
 * Test support: starts the real CNCF Distribution registry (Debian package
 * `docker-registry`, v2.8) on a free loopback port with a temporary config
 * and storage, in the auth mode a suite needs, and stops it afterwards.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, waitForHttp } from "./ports";

export const DISTRIBUTION_BINARY = process.env.CHAINSIGHT_REGISTRY_BIN ?? "/usr/bin/docker-registry";

export type DistributionAuth =
  | { kind: "none" }
  | { kind: "htpasswd"; htpasswdPath: string }
  | { kind: "token"; realm: string; service: string; issuer: string; rootCertBundle: string };

export interface DistributionOptions {
  auth?: DistributionAuth;
  /** Share storage with another instance (e.g. push anonymously, read with auth). */
  rootDirectory?: string;
  deleteEnabled?: boolean;
  /** Distribution's maintenance read-only mode: pulls work, every write is refused. */
  readOnly?: boolean;
  /** Send event notifications (the registry's own sender) to this URL, with "Authorization: Bearer <secret>". */
  notifications?: { url: string; secret: string };
}

export interface RunningDistribution {
  host: string;
  url: string;
  rootDirectory: string;
  stop(): Promise<void>;
}

function yamlString(s: string): string {
  return JSON.stringify(s);
}

export async function startDistribution(options: DistributionOptions = {}): Promise<RunningDistribution> {
  if (!existsSync(DISTRIBUTION_BINARY)) {
    throw new Error(`${DISTRIBUTION_BINARY} is missing: install it with "apt-get install -y docker-registry" (.ci/run does this)`);
  }
  const work = await mkdtemp(join(tmpdir(), "chainsight-registry-"));
  const ownsStorage = !options.rootDirectory;
  const rootDirectory = options.rootDirectory ?? join(work, "storage");
  const port = await freePort();
  const auth = options.auth ?? { kind: "none" };
  let authYaml = "";
  if (auth.kind === "htpasswd") {
    authYaml = `auth:\n  htpasswd:\n    realm: chainsight-test\n    path: ${yamlString(auth.htpasswdPath)}\n`;
  } else if (auth.kind === "token") {
    authYaml = `auth:\n  token:\n    realm: ${yamlString(auth.realm)}\n    service: ${yamlString(auth.service)}\n    issuer: ${yamlString(auth.issuer)}\n    rootcertbundle: ${yamlString(auth.rootCertBundle)}\n`;
  }
  const config = `version: 0.1
log:
  level: error
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: ${yamlString(rootDirectory)}
  delete:
    enabled: ${options.deleteEnabled === false ? "false" : "true"}
  maintenance:
    uploadpurging:
      enabled: false
    readonly:
      enabled: ${options.readOnly ? "true" : "false"}
http:
  addr: 127.0.0.1:${port}
  secret: chainsight-test-secret
${authYaml}${
    options.notifications
      ? `notifications:
  endpoints:
    - name: chainsight
      url: ${yamlString(options.notifications.url)}
      headers:
        Authorization: [${yamlString(`Bearer ${options.notifications.secret}`)}]
      timeout: 2s
      threshold: 10
      backoff: 1s
`
      : ""
  }`;
  const configPath = join(work, "config.yml");
  await writeFile(configPath, config);
  const child: ChildProcess = spawn(DISTRIBUTION_BINARY, ["serve", configPath], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  try {
    await Promise.race([
      waitForHttp(`${url}/v2/`),
      exited.then(() => {
        throw new Error(`docker-registry exited at start: ${stderr}`);
      }),
    ]);
  } catch (err) {
    child.kill("SIGKILL");
    throw err;
  }
  return {
    host: `127.0.0.1:${port}`,
    url,
    rootDirectory,
    async stop() {
      if (child.exitCode === null) {
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 3000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await rm(work, { recursive: true, force: true });
      if (ownsStorage) await rm(rootDirectory, { recursive: true, force: true });
    },
  };
}
