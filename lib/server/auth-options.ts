import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { AuditLog } from "./audit";
import { safeCallbackPath } from "./callback-url";
import type { Config } from "./config";
import { waitInWords, type SignInThrottle } from "./sign-in-throttle";
import { verifyUser } from "./users";

export interface AuthDeps {
  audit?: AuditLog;
  throttle?: SignInThrottle;
}

/** The client's address as the server sees it (Next.js fills X-Forwarded-For from the connection when a client sends none). */
export function clientAddress(headers: Headers | Record<string, unknown> | undefined, trustForwardedHeaders: boolean): string {
  const get = (name: string): string | undefined => {
    if (!headers) return undefined;
    if (headers instanceof Headers) return headers.get(name) ?? undefined;
    const v = (headers as Record<string, unknown>)[name];
    return typeof v === "string" ? v : Array.isArray(v) ? String(v[0]) : undefined;
  };
  const list = (get("x-forwarded-for") ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  // Behind a trusted proxy the first entry is the client; otherwise the last one is what the connection gave.
  return (trustForwardedHeaders ? list[0] : list[list.length - 1]) ?? "unknown";
}

/**
 * next-auth's configuration from Chainsight's: local users (bcrypt hashes in a
 * users file), GitHub, and any OpenID Connect issuer. Sessions are JWTs in an
 * encrypted cookie carrying the user name, the provider and the groups.
 */
export function authOptions(config: Config, deps: AuthDeps = {}): NextAuthOptions {
  const auth = config.auth;
  const audit = (user: string, provider: string, action: string, outcome: "success" | "failure" | "denied", status: number, message?: string) =>
    deps.audit?.record({ time: new Date().toISOString(), user, provider, action, outcome, status, durationMs: 0, message });
  const providers: NextAuthOptions["providers"] = [];
  if (auth.usersFile) {
    const usersFile = auth.usersFile;
    providers.push(
      CredentialsProvider({
        id: "local",
        name: "Chainsight account",
        credentials: { username: { label: "User name", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials, req) {
          const username = String(credentials?.username ?? "").slice(0, 200);
          const address = clientAddress(req?.headers as Record<string, unknown> | undefined, config.server.trustForwardedHeaders);
          const keys = [`user:${username.toLowerCase()}`, `address:${address}`];
          const verdict = deps.throttle?.check(keys);
          if (verdict && !verdict.allowed) {
            const who = verdict.key.startsWith("user:") ? "this user name" : "your address";
            const message = `Too many failed sign-ins for ${who}. Try again in ${waitInWords(verdict.retryAfterSeconds)}.`;
            audit(username || "(empty)", "local", "signin", "denied", 429, `throttled: ${who} must wait ${verdict.retryAfterSeconds} s (from ${address})`);
            // next-auth sends a thrown message to the sign-in page as ?error=
            throw new Error(message);
          }
          const user = await verifyUser(usersFile, username, String(credentials?.password ?? ""));
          if (!user) {
            deps.throttle?.fail(keys);
            audit(username || "(empty)", "local", "signin", "failure", 401, `wrong user name or password (from ${address})`);
            return null;
          }
          deps.throttle?.succeed(keys[0]);
          return { id: user.username, name: user.username, groups: user.groups };
        },
      }),
    );
  }
  for (const o of auth.oidc) {
    if (o.type === "github") {
      providers.push(GitHubProvider({ id: o.id, name: o.name, clientId: o.clientId, clientSecret: o.clientSecret }));
    } else {
      providers.push({
        id: o.id,
        name: o.name,
        type: "oauth",
        wellKnown: `${o.issuer!.replace(/\/+$/, "")}/.well-known/openid-configuration`,
        authorization: { params: { scope: "openid email profile" } },
        idToken: true,
        checks: ["pkce", "state"],
        clientId: o.clientId,
        clientSecret: o.clientSecret,
        profile(p: Record<string, unknown>) {
          const groups = p[o.groupsClaim];
          return {
            id: String(p.sub),
            name: String(p.preferred_username ?? p.email ?? p.sub),
            email: typeof p.email === "string" ? p.email : undefined,
            groups: Array.isArray(groups) ? groups.map(String) : [],
          };
        },
      });
    }
  }
  return {
    providers,
    secret: auth.secret,
    session: { strategy: "jwt", maxAge: Math.round(auth.sessionHours * 3600) },
    pages: { signIn: "/signin", error: "/signin" },
    events: {
      signIn({ user, account, profile }) {
        const p = (profile ?? {}) as Record<string, unknown>;
        const name = account?.provider === "local" ? String(user.id) : String(p.login ?? user.name ?? user.email ?? user.id);
        audit(name, account?.provider ?? "unknown", "signin", "success", 200);
      },
      signOut({ token }) {
        const name = typeof token?.username === "string" ? token.username : "(unknown)";
        audit(name, typeof token?.provider === "string" ? token.provider : "unknown", "signout", "success", 200);
      },
    },
    callbacks: {
      // Only back to this server: the same rule as the sign-in page, with the browser's URL parsing.
      async redirect({ url, baseUrl }) {
        const base = new URL(baseUrl);
        let path: unknown = url;
        try {
          const parsed = new URL(url, baseUrl);
          if (parsed.origin === base.origin) path = `${parsed.pathname}${parsed.search}${parsed.hash}`;
        } catch {
          path = "/";
        }
        return `${base.origin}${safeCallbackPath(path, base.origin)}`;
      },
      async jwt({ token, user, account, profile }) {
        if (user && account) {
          const p = (profile ?? {}) as Record<string, unknown>;
          token.provider = account.provider;
          token.username = account.provider === "local" ? user.id : String(p.login ?? user.name ?? user.email ?? user.id);
          const groups = (user as { groups?: unknown }).groups;
          token.groups = Array.isArray(groups) ? groups : [];
        }
        return token;
      },
      async session({ session, token }) {
        session.user = { name: typeof token.username === "string" ? token.username : undefined };
        return session;
      },
    },
  };
}
