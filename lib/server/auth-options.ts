import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import GitHubProvider from "next-auth/providers/github";
import type { Config } from "./config";
import { verifyUser } from "./users";

/**
 * next-auth's configuration from Chainsight's: local users (bcrypt hashes in a
 * users file), GitHub, and any OpenID Connect issuer. Sessions are JWTs in an
 * encrypted cookie carrying the user name, the provider and the groups.
 */
export function authOptions(config: Config): NextAuthOptions {
  const auth = config.auth;
  const providers: NextAuthOptions["providers"] = [];
  if (auth.usersFile) {
    const usersFile = auth.usersFile;
    providers.push(
      CredentialsProvider({
        id: "local",
        name: "Chainsight account",
        credentials: { username: { label: "User name", type: "text" }, password: { label: "Password", type: "password" } },
        async authorize(credentials) {
          const user = await verifyUser(usersFile, String(credentials?.username ?? ""), String(credentials?.password ?? ""));
          return user ? { id: user.username, name: user.username, groups: user.groups } : null;
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
    callbacks: {
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
