/**
 * Test support: a production build with sign-in on, in front of a real
 * registry: local users with bcrypt hashes, roles scoped by registry and
 * namespace, a session secret; plus helpers to sign in through next-auth's
 * own endpoints and to forge or expire session cookies.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { encode } from "next-auth/jwt";
import { addUser } from "@/lib/server/users";
import { startApp, type RunningApp } from "./app-server";
import { freePort } from "./ports";

export const SECRET = "chainsight-test-secret-0123456789abcdef";
export const PASSWORDS: Record<string, string> = { alice: "alice-password", bob: "bob-password", carol: "carol-password", dave: "dave-password" };

/** alice: admin everywhere; bob: list+read on teama/**; carol (group pullers): list+read+pull on teamb/*; dave: nothing. */
export function accessConfig(registryHost: string, usersFile: string) {
  return {
    registries: [{ id: "local", name: "Local Distribution", url: `http://${registryHost}`, plainHttp: true }],
    auth: { enabled: true, usersFile },
    access: {
      roles: {
        admin: [{ registry: "*", repositories: "**", rights: ["list", "read", "pull", "annotate", "delete", "promote", "admin"] }],
        "teama-reader": [{ registry: "local", repositories: "teama/**", rights: ["list", "read"] }],
        "teamb-puller": [{ registry: "local", repositories: "teamb/*", rights: ["list", "read", "pull"] }],
      },
      users: { alice: ["admin"], bob: ["teama-reader"] },
      groups: { pullers: ["teamb-puller"] },
    },
  };
}

export async function startAuthApp(registryHost: string, extraEnv: Record<string, string> = {}, extraConfig: Record<string, unknown> = {}): Promise<RunningApp & { usersFile: string }> {
  const dir = mkdtempSync(join(tmpdir(), "chainsight-auth-"));
  const usersFile = join(dir, "users.yaml");
  addUser(usersFile, "alice", PASSWORDS.alice, []);
  addUser(usersFile, "bob", PASSWORDS.bob, []);
  addUser(usersFile, "carol", PASSWORDS.carol, ["pullers"]);
  addUser(usersFile, "dave", PASSWORDS.dave, []);
  const port = await freePort();
  const app = await startApp({ ...accessConfig(registryHost, usersFile), ...extraConfig }, { NEXTAUTH_SECRET: SECRET, NEXTAUTH_URL: `http://127.0.0.1:${port}`, ...extraEnv }, { port });
  return Object.assign(app, { usersFile });
}

/** Sign in through next-auth (CSRF token, then the credentials callback); returns the Cookie header to send. */
export async function signIn(appUrl: string, username: string, password: string): Promise<string | undefined> {
  const csrf = await fetch(`${appUrl}/api/auth/csrf`);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const i = pair.indexOf("=");
      jar.set(pair.slice(0, i), pair.slice(i + 1));
    }
  };
  keep(csrf);
  const cookie = () => [...jar.entries()].map(([k, v]) => `${k}=${v}`).join("; ");
  const res = await fetch(`${appUrl}/api/auth/callback/local`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie: cookie() },
    body: new URLSearchParams({ csrfToken, username, password, json: "true", callbackUrl: appUrl }),
  });
  keep(res);
  return jar.has("next-auth.session-token") ? cookie() : undefined;
}

/** A session cookie next-auth would accept, but expired (or signed with another secret). */
export async function craftedCookie(opts: { username: string; expired?: boolean; secret?: string }): Promise<string> {
  const token = await encode({ token: { sub: opts.username, username: opts.username, provider: "local", groups: [] }, secret: opts.secret ?? SECRET, maxAge: opts.expired ? -60 : 3600 });
  return `next-auth.session-token=${token}`;
}
