import { describe, expect, it } from "vitest";
import { authOptions } from "./auth-options";
import { buildConfig } from "./config";

describe("authOptions", () => {
  it("offers local users, GitHub and OpenID Connect providers from the config, secrets from the environment", () => {
    const config = buildConfig(
      {
        auth: {
          enabled: true,
          usersFile: "users.yaml",
          oidc: [
            { id: "github", type: "github", clientId: { env: "GH_ID" }, clientSecret: { env: "GH_SECRET" } },
            { id: "corp", name: "Corp SSO", issuer: "https://login.example.com/realms/main", clientId: "chainsight", clientSecret: { env: "CORP_SECRET" }, groupsClaim: "roles" },
          ],
        },
      },
      { env: { GH_ID: "gh-id", GH_SECRET: "gh-secret", CORP_SECRET: "corp-secret", NEXTAUTH_SECRET: "s" }, baseDir: "/etc/chainsight" },
    );
    const options = authOptions(config);
    // next-auth keeps a built-in provider's own settings under `options` and merges them when it runs.
    const id = (p: { id: string; options?: { id?: string } }) => p.options?.id ?? p.id;
    expect(options.providers.map((p) => [id(p as never), p.type])).toEqual([
      ["local", "credentials"],
      ["github", "oauth"],
      ["corp", "oauth"],
    ]);
    const corp = options.providers[2] as unknown as { wellKnown: string; clientSecret: string; profile: (p: Record<string, unknown>) => { groups: string[]; name: string } };
    expect(corp.wellKnown).toBe("https://login.example.com/realms/main/.well-known/openid-configuration");
    expect(corp.clientSecret).toBe("corp-secret");
    expect(corp.profile({ sub: "1", preferred_username: "carol", roles: ["team-a"] })).toMatchObject({ name: "carol", groups: ["team-a"] });
    expect(options.session?.strategy).toBe("jwt");
    expect(options.secret).toBe("s");
    expect(config.auth.usersFile).toBe("/etc/chainsight/users.yaml");
  });

  it("names a missing issuer or secret variable", () => {
    expect(() => buildConfig({ auth: { oidc: [{ id: "x", clientId: "a", clientSecret: { env: "NOPE" } }] } }, {})).toThrow(/auth\.oidc\[0\]\.issuer: an OpenID Connect provider needs its issuer URL/);
    expect(() => buildConfig({ auth: { oidc: [{ id: "x", issuer: "https://i.example", clientId: "a", clientSecret: { env: "NOPE" } }] } }, {})).toThrow(/auth\.oidc\[0\]\.clientSecret: environment variable NOPE is not set/);
    expect(() => buildConfig({ access: { users: { bob: ["ghost"] } } }, {})).toThrow(/access\.users\.bob: role "ghost" is not defined under access\.roles/);
  });
});
