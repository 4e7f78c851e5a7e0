import { describe, expect, it } from "vitest";
import type { Page, Store } from "../oci/store";
import { AccessPolicy } from "./access";
import { CatalogSnapshots } from "./catalog";
import { buildConfig } from "./config";
import type { HandlerContext } from "./http";
import { listRepositories, repositoriesInput } from "./api/repositories";

/** A registry catalog of `names`, in pages of n as Distribution serves them (cursor = last name), counting reads. */
function catalogStore(names: string[], opts: { failing?: () => boolean; gate?: Promise<void> } = {}) {
  const calls: { n?: number; cursor?: string }[] = [];
  const sorted = [...names].sort();
  const store = {
    name: "fake",
    async catalogPage(o: { n?: number; cursor?: string } = {}): Promise<Page<string>> {
      calls.push(o);
      if (opts.failing?.()) throw new Error("catalog refused");
      if (o.cursor !== undefined && opts.gate) await opts.gate;
      const n = o.n ?? 100;
      const from = o.cursor === undefined ? 0 : sorted.findIndex((r) => r > o.cursor!);
      const items = from < 0 ? [] : sorted.slice(from, from + n);
      return { items, next: from >= 0 && from + n < sorted.length ? items[items.length - 1] : undefined };
    },
  } as unknown as Store;
  return { store, calls };
}

const names = Array.from({ length: 2500 }, (_, i) => `team-${String(Math.floor(i / 50)).padStart(2, "0")}/svc-${String(i % 50).padStart(2, "0")}`);

function context(store: Store, catalogs: CatalogSnapshots, access: unknown = undefined, enabled = false) {
  const config = buildConfig({ registries: [{ id: "r", url: "https://registry.test" }], ...(access ? { access } : {}) });
  const runtime = {
    config,
    registries: { get: () => ({ config: config.registries[0], store }), catalogs },
    policy: new AccessPolicy(config.access, enabled),
  };
  return { runtime, principal: { id: "anna", name: "anna", provider: "local", groups: ["team-01"] }, request: new Request("http://x") } as unknown as HandlerContext;
}

const input = (p: Record<string, string>) => repositoriesInput.parse({ registry: "r", ...p });
const settle = () => new Promise((r) => setTimeout(r, 10));

describe("repositories from the catalog", () => {
  it("answers the flat first page with one catalog page while the whole catalog is read in the background", async () => {
    let open!: () => void;
    const gate = new Promise<void>((r) => (open = r));
    const { store, calls } = catalogStore(names, { gate });
    const ctx = context(store, new CatalogSnapshots(60_000));
    const first = await listRepositories(input({ n: "100" }), ctx);
    expect(first.repositories).toEqual(names.slice(0, 100));
    expect(first.next).toBe(names[99]);
    expect(first.total).toBeUndefined(); // not known until the whole catalog is read
    // The page itself: one request of n=100; the background read has asked for its first page of 1,000.
    expect(calls.filter((c) => c.n === 100)).toHaveLength(1);
    open();
    await settle();
    // The whole catalog in 3 pages of 1,000; the next page comes from it, with the total.
    expect(calls.filter((c) => c.n === 1000 || c.cursor)).toHaveLength(3);
    const second = await listRepositories(input({ n: "100", cursor: first.next! }), ctx);
    expect(second.repositories).toEqual(names.slice(100, 200));
    expect(second.total).toBe(2500);
    expect(calls).toHaveLength(4);
  });

  it("serves the tree from the last snapshot with its age, refreshing it in the background once stale", async () => {
    let now = 1_000_000;
    let current = names.slice(0, 60);
    const counting = { reads: 0 };
    const store = {
      name: "fake",
      async catalogPage(): Promise<Page<string>> {
        counting.reads++;
        return { items: current };
      },
    } as unknown as Store;
    const ctx = context(store, new CatalogSnapshots(60_000, () => now));
    const tree = await listRepositories(input({ view: "tree" }), ctx);
    expect(tree.namespaces).toEqual([
      { path: "team-00/", repositories: 50 },
      { path: "team-01/", repositories: 10 },
    ]);
    current = names.slice(0, 120);
    now += 61_000;
    // Stale: answered at once from the old snapshot, while the new one is read.
    const stale = await listRepositories(input({ view: "tree" }), ctx);
    expect(stale.namespaces?.map((n) => n.repositories)).toEqual([50, 10]);
    expect(counting.reads).toBe(2);
    await settle();
    const fresh = await listRepositories(input({ view: "tree" }), ctx);
    expect(fresh.namespaces?.map((n) => n.repositories)).toEqual([50, 50, 20]);
    expect(counting.reads).toBe(2);
  });

  it("fills the first page from further catalog pages when the user's rights hide names, and never shows a hidden one", async () => {
    const { store, calls } = catalogStore(names);
    const access = { roles: { "team-01": [{ registry: "r", repositories: "team-01/**", rights: ["list"] }] }, groups: { "team-01": ["team-01"] } };
    const ctx = context(store, new CatalogSnapshots(60_000), access as never, true);
    const first = await listRepositories(input({ n: "20" }), ctx);
    expect(first.repositories).toEqual(names.slice(50, 70));
    expect(first.repositories.every((r) => r.startsWith("team-01/"))).toBe(true);
    expect(calls.filter((c) => c.n === 20).length).toBeGreaterThan(1);
  });

  it("retries a failed catalog read for the visitor who waits, with the registry's error and the hint", async () => {
    let fail = true;
    const { store } = catalogStore(names, { failing: () => fail });
    const ctx = context(store, new CatalogSnapshots(60_000));
    await expect(listRepositories(input({ view: "tree" }), ctx)).rejects.toThrow("catalog refused");
    fail = false;
    const tree = await listRepositories(input({ view: "tree" }), ctx);
    expect(tree.namespaces).toHaveLength(50);
  });
});
