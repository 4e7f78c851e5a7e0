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
    ["::ffff:127.0.0.1", "loopback (IPv4-mapped 127.0.0.1)"],
    ["::ffff:a9fe:a9fe", "link-local (IPv4-mapped 169.254.169.254)"],
    ["198.51.100.7", "reserved (documentation)"],
    ["255.255.255.255", "broadcast"],
    // Forms that embed an IPv4 address, in the text the URL parser produces and in dotted text.
    ["::127.0.0.2", "loopback (IPv4-compatible 127.0.0.2)"],
    ["::7f00:2", "loopback (IPv4-compatible 127.0.0.2)"],
    ["64:ff9b::127.0.0.2", "loopback (NAT64 of 127.0.0.2)"],
    ["64:ff9b::7f00:2", "loopback (NAT64 of 127.0.0.2)"],
    ["64:ff9b::a9fe:a9fe", "link-local (NAT64 of 169.254.169.254)"],
    ["64:ff9b:1::1", "private (local-use NAT64)"],
    ["0:0:0:0:0:ffff:10.0.0.1", "private (IPv4-mapped 10.0.0.1)"],
    ["2002:a9fe:a9fe::1", "link-local (6to4 of 169.254.169.254)"],
    ["2002:7f00:1::", "loopback (6to4 of 127.0.0.1)"],
    // Teredo: client 10.0.0.1 stored inverted (f5ff:fffe)
    ["2001:0:4136:e378:8000:63bf:f5ff:fffe", "private (Teredo client 10.0.0.1)"],
    ["2001:db8::1", "reserved (documentation)"],
    ["fec0::1", "private (site-local)"],
    ["ff02::1", "multicast"],
    ["0:0:0:0:0:0:0:1", "loopback"],
    ["fe80::1%eth0", "link-local"],
  ])("%s is %s", (address, kind) => {
    expect(specialAddress(address)).toBe(kind);
  });

  it("reads the same bytes the URL parser writes", () => {
    for (const [written, kind] of [
      ["[::127.0.0.2]", "loopback"],
      ["[64:ff9b::127.0.0.2]", "loopback"],
      ["[64:ff9b::169.254.169.254]", "link-local"],
      ["[::ffff:169.254.169.254]", "link-local"],
    ]) {
      const host = new URL(`http://${written}/`).hostname;
      expect(host, written).not.toBe(written); // the parser rewrote it in hex
      expect(specialAddress(host.slice(1, -1)), written).toMatch(new RegExp(`^${kind}`));
    }
  });

  it("refuses malformed text", () => {
    expect(specialAddress("1::2::3")).toBe("malformed");
    expect(specialAddress("example.com")).toBe("malformed");
  });

  it.each(["8.8.8.8", "172.32.0.1", "192.169.0.1", "2606:4700::1111", "100.128.0.1", "64:ff9b::808:808", "2002:808:808::1", "::ffff:8.8.8.8"])("%s is public", (address) => {
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
    expect(await refused("https://[64:ff9b::127.0.0.2]/x", "redirect")).toMatch(/loopback/);
    expect(await refused("https://[::127.0.0.2]/x", "redirect")).toMatch(/loopback/);
    expect(await refused("https://[64:ff9b::a9fe:a9fe]/x", "redirect")).toMatch(/169\.254\.169\.254/);
  });

  it("keeps the https-to-http rule for hosts in allowHosts too", async () => {
    expect(await refused("http://auth.example/token", "token")).toMatch(/token realm from https down to http:/);
    expect(await refused("http://auth.example/blob", "redirect")).toMatch(/redirect from https down to http:/);
  });
});
