/**
 * Test support: starts the production build of Chainsight (`next start`) on a
 * free loopback port with a config file written for the suite, collects its
 * JSON log lines, and stops it afterwards. Needs `npm run build` first.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { freePort, waitForHttp } from "./ports";

export const PROJECT_ROOT = join(__dirname, "..", "..");

export interface RunningApp {
  url: string;
  /** The server process (`next start`). */
  pid: number;
  /** Parsed JSON log lines printed so far. */
  logs: Record<string, unknown>[];
  /** GET a path; returns status, JSON body (when JSON) and headers. */
  get(path: string): Promise<{ status: number; body: any; headers: Headers; text: string }>;
  /** Upstream requests counted by /api/metrics so far. */
  upstreamRequests(registry?: string): Promise<number>;
  /** CPU time the server process (and any it waited for) has used so far, in ms (Linux). */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startApp(config: unknown, env: Record<string, string> = {}, options: { port?: number; nodeArgs?: string[]; /** The first request (it makes the server's runtime): default /api/metrics. */ readyPath?: string } = {}): Promise<RunningApp> {
  if (!existsSync(join(PROJECT_ROOT, ".next", "BUILD_ID"))) {
    throw new Error("no production build found: run `npm run build` before the integration tests (npm test does)");
  }
  const work = await mkdtemp(join(tmpdir(), "chainsight-app-"));
  const configPath = join(work, "chainsight.yaml");
  await writeFile(configPath, typeof config === "string" ? config : stringify(config));
  const port = options.port ?? (await freePort());
  const child: ChildProcess = spawn(process.execPath, [...(options.nodeArgs ?? []), join(PROJECT_ROOT, "node_modules", "next", "dist", "bin", "next"), "start", "-H", "127.0.0.1", "-p", String(port)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, NODE_ENV: "production", CHAINSIGHT_CONFIG: configPath, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const logs: Record<string, unknown>[] = [];
  const output: string[] = [];
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      output.push(line);
      if (line.startsWith("{")) {
        try {
          logs.push(JSON.parse(line));
        } catch {
          // not a log line
        }
      }
    }
  };
  child.stdout!.on("data", collect);
  child.stderr!.on("data", collect);
  const url = `http://127.0.0.1:${port}`;
  const exited = new Promise<never>((_, reject) => child.once("exit", (code) => reject(new Error(`the server exited with code ${code} before answering`))));
  exited.catch(() => {});
  try {
    await Promise.race([waitForHttp(`${url}${options.readyPath ?? "/api/metrics"}`, 30_000), exited]);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`${(err as Error).message}\n${output.slice(-20).join("\n")}`);
  }
  const app: RunningApp = {
    url,
    pid: child.pid!,
    logs,
    async get(path) {
      const res = await fetch(url + path);
      const text = await res.text();
      let body: unknown;
      try {
        body = JSON.parse(text);
      } catch {
        body = undefined;
      }
      return { status: res.status, body, headers: res.headers, text };
    },
    cpuMs() {
      // /proc/<pid>/stat: utime, stime, cutime, cstime are fields 14-17, in clock ticks (100 per second).
      const fields = readFileSync(`/proc/${child.pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
      return [11, 12, 13, 14].reduce((n, i) => n + Number(fields[i]), 0) * 10;
    },
    async upstreamRequests(registry) {
      const text = await (await fetch(`${url}/api/metrics`)).text();
      let total = 0;
      for (const line of text.split("\n")) {
        const m = /^chainsight_upstream_requests_total\{(.*)\} (\d+)$/.exec(line);
        if (m && (!registry || m[1].includes(`registry="${registry}"`))) total += Number(m[2]);
      }
      return total;
    },
    async stop() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      await rm(work, { recursive: true, force: true });
    },
  };
  return app;
}
