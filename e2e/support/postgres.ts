/**
 * Test support: a real PostgreSQL (Debian's `postgresql` package) in a
 * temporary data folder on a free loopback port, stopped and removed
 * afterwards. PostgreSQL refuses to run as root, so when the tests run as
 * root it runs as the `postgres` user (`runuser -u postgres --`).
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

export interface RunningPostgres {
  /** postgres://postgres@127.0.0.1:<port>/chainsight */
  url: string;
  stop(): Promise<void>;
}

export function postgresBin(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "postgres"))).sort((a, b) => Number(b) - Number(a)) : [];
  if (versions.length === 0) throw new Error(`PostgreSQL is missing under ${root}: install it with "apt-get install -y postgresql" (.ci/run does this)`);
  return join(root, versions[0], "bin");
}

const asRoot = process.getuid?.() === 0;
const command = (bin: string, args: string[]) => (asRoot ? { cmd: "runuser", args: ["-u", "postgres", "--", bin, ...args] } : { cmd: bin, args });

export async function startPostgres(): Promise<RunningPostgres> {
  const bin = postgresBin();
  const dir = mkdtempSync(join(tmpdir(), "chainsight-pg-"));
  chmodSync(dir, 0o777); // the postgres user writes here when the tests run as root
  const data = join(dir, "data");
  const init = command(join(bin, "initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-instructions"]);
  const done = spawnSync(init.cmd, init.args, { encoding: "utf8" });
  if (done.status !== 0) throw new Error(`initdb failed: ${done.stderr || done.stdout}`);
  const port = await freePort();
  const run = command(join(bin, "postgres"), ["-D", data, "-p", String(port), "-h", "127.0.0.1", "-k", dir, "-c", "fsync=off", "-c", "full_page_writes=off"]);
  const child: ChildProcess = spawn(run.cmd, run.args, { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  child.stderr?.on("data", (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const { default: pg } = await import("pg");
  const deadline = Date.now() + 20_000;
  for (;;) {
    const client = new pg.Client({ connectionString: `postgres://postgres@127.0.0.1:${port}/postgres` });
    try {
      await client.connect();
      await client.query("create database chainsight");
      await client.end();
      break;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (child.exitCode !== null || Date.now() > deadline) {
        child.kill("SIGKILL");
        throw new Error(`PostgreSQL did not start: ${(err as Error).message}\n${stderr}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return {
    url: `postgres://postgres@127.0.0.1:${port}/chainsight`,
    async stop() {
      if (child.exitCode === null) {
        // pg_ctl, not a signal: runuser does not pass every signal on to the server it started.
        const stop = command(join(bin, "pg_ctl"), ["stop", "-D", data, "-m", "fast", "-s"]);
        spawnSync(stop.cmd, stop.args, { encoding: "utf8" });
        await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
        if (child.exitCode === null) child.kill("SIGKILL");
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
