import { describe, expect, it } from "vitest";
import { ForbiddenTargetError } from "../oci/errors";
import { createTargetGuard, hostAllowed, specialAddress } from "./target-guard";

describe("specialAddress", () => {
  it.each([
    ["127.0.0.1", "loopback"],
    ["10.1.2.3", "private"],
    ["172.20.0.1", "private"],
    ["192.168.1.1", "private"],
    ["169.254.169.254", "link-local"],
    ["100.100.0.1", "shared (carrier-grade NAT)"],
    ["0.0.0.0", "unspecified"],
    ["224.0.0.1", "multicast"],
    ["::1", "loopback"],
    ["::", "unspecified"],
    ["fd00::1", "private (unique local)"],
    ["fe80::1", "link-local"],
    ["::ffff:127.0.0.1", "loopback"],
    ["::ffff:a9fe:a9fe", "link-local"],
  ])("%s is %s", (address, kind) => {
    expect(specialAddress(address)).toBe(kind);
  });

  it.each(["8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "100.128.0.1"])("%s is public", (address) => {
    expect(specialAddress(address)).toBeUndefined();
  });
});

describe("hostAllowed", () => {
  const u = (s: string) => new URL(s);
  it("matches host, host:port and *.domain", () => {
    expect(hostAllowed(u("https://auth.docker.io/token"), ["auth.docker.io"])).toBe(true);
    expect(hostAllowed(u("http://127.0.0.1:5001/t"), ["127.0.0.1:5001"])).toBe(true);
    expect(hostAllowed(u("http://127.0.0.1:5002/t"), ["127.0.0.1:5001"])).toBe(false);
    expect(hostAllowed(u("https://x.cdn.example/b"), ["*.cdn.example"])).toBe(true);
    expect(hostAllowed(u("https://cdn.example.evil/b"), ["*.cdn.example"])).toBe(false);
  });
});

describe("target guard", () => {
  const resolver = async (host: string) => (host === "internal.example" ? ["10.0.0.5"] : host === "cdn.example" ? ["93.184.216.34"] : []);
  const guard = createTargetGuard({ id: "r", origin: "https://registry.example", allowHosts: ["auth.example"] }, resolver);
  const refused = async (url: string, purpose: "registry" | "redirect" | "token") => {
    try {
      await guard(new URL(url), purpose);
      return undefined;
    } catch (err) {
      expect(err).toBeInstanceOf(ForbiddenTargetError);
      return (err as Error).message;
    }
  };

  it("lets the registry itself and allowed hosts through", async () => {
    expect(await refused("https://registry.example/v2/", "registry")).toBeUndefined();
    expect(await refused("https://auth.example/token", "token")).toBeUndefined();
    expect(await refused("https://cdn.example/blob", "redirect")).toBeUndefined();
  });

  it("refuses token realms elsewhere, private redirects and downgrades", async () => {
    expect(await refused("https://cdn.example/token", "token")).toMatch(/refused to ask cdn\.example for a token/);
    expect(await refused("https://internal.example/x", "redirect")).toMatch(/internal\.example \(10\.0\.0\.5, a private address\)/);
    expect(await refused("https://169.254.169.254/latest", "redirect")).toMatch(/link-local/);
    expect(await refused("https://[::1]:8080/x", "redirect")).toMatch(/loopback/);
    expect(await refused("http://cdn.example/blob", "redirect")).toMatch(/redirect from https down to http:/);
    expect(await refused("https://nowhere.example/x", "redirect")).toMatch(/does not resolve/);
  });
});
