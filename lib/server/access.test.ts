import { describe, expect, it } from "vitest";
import { AccessPolicy, patternMatches, type Principal } from "./access";

const policy = new AccessPolicy(
  {
    roles: {
      viewer: [{ registry: "*", repositories: "**", rights: ["list", "read"] }],
      "teama-dev": [{ registry: "prod", repositories: "prod/TeamA/**", rights: ["list", "read", "pull", "delete"] }],
      "one-level": [{ registry: "local", repositories: "teamb/*", rights: ["pull"] }],
      admin: [{ registry: "*", repositories: "*", rights: ["list", "read", "pull", "delete", "promote", "admin"] }],
    },
    users: { alice: ["admin"], bob: ["teama-dev"] },
    groups: { "org:readers": ["viewer"], "org:b": ["one-level"] },
  },
  true,
);
const user = (id: string, groups: string[] = []): Principal => ({ id, name: id, provider: "local", groups });

describe("patternMatches", () => {
  it.each([
    ["**", "a/b/c", true],
    ["*", "a/b", true],
    ["teama/**", "teama/app", true],
    ["teama/**", "teama/sub/app", true],
    ["teama/**", "teamab/app", false],
    ["teama/*", "teama/app", true],
    ["teama/*", "teama/sub/app", false],
    ["prod/TeamA/**", "prod/TeamA/api", true],
    ["a.b/*", "axb/c", false],
  ])("%s ~ %s = %s", (pattern, repo, result) => {
    expect(patternMatches(pattern, repo)).toBe(result);
  });
});

describe("AccessPolicy", () => {
  it("denies by default", () => {
    expect(policy.can(user("nobody"), "list", "local", "a/b")).toBe(false);
    expect(policy.rolesOf(user("nobody"))).toEqual([]);
  });

  it("grants through user and group assignments, per registry and pattern", () => {
    const bob = user("bob");
    expect(policy.can(bob, "delete", "prod", "prod/TeamA/api")).toBe(true);
    expect(policy.can(bob, "delete", "prod", "prod/TeamB/api")).toBe(false);
    expect(policy.can(bob, "delete", "local", "prod/TeamA/api")).toBe(false);
    expect(policy.can(bob, "list", "prod")).toBe(true);
    const reader = user("carol", ["org:readers", "org:b"]);
    expect(policy.rightsOn(reader, "local", "teamb/web")).toEqual(["list", "read", "pull"]);
    expect(policy.rightsOn(reader, "local", "teamb/x/y")).toEqual(["list", "read"]);
  });

  it("admin needs the admin right on every registry", () => {
    expect(policy.isAdmin(user("alice"))).toBe(true);
    expect(policy.isAdmin(user("bob"))).toBe(false);
  });

  it("explains a refusal", () => {
    expect(policy.explain(user("bob"), "pull", "local", "x/y")).toBe('bob lacks the "pull" right on local/x/y; ask an administrator for a role that grants it');
  });

  it("allows everything when sign-in is off", () => {
    expect(new AccessPolicy({ roles: {}, users: {}, groups: {} }, false).can(user("x"), "delete", "r", "a")).toBe(true);
  });
});
