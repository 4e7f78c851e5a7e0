import { readdirSync } from "node:fs";
import { join } from "node:path";
import { pushLayout, readLayout, type Layout, type PushTarget } from "./layout";

export const FIXTURES = join(__dirname, "..", "fixtures");

/** Repository name → layout folder of the third-party fixtures (each folder keeps its upstream LICENSE). */
export function fixtureLayouts(): Record<string, string> {
  const out: Record<string, string> = {
    "regclient/testrepo": join(FIXTURES, "regclient", "testrepo"),
    "regclient/external": join(FIXTURES, "regclient", "external"),
    "oras/artifacts": join(FIXTURES, "oras", "command", "artifacts"),
    "oras/images": join(FIXTURES, "oras", "command", "images"),
  };
  for (const name of readdirSync(join(FIXTURES, "notation"))) {
    if (name.startsWith("e2e")) out[`notation/${name}`] = join(FIXTURES, "notation", name);
  }
  return out;
}

export async function pushFixtures(target: PushTarget, opts: { maintainReferrersTags?: boolean } = {}): Promise<Map<string, Layout>> {
  const layouts = new Map<string, Layout>();
  for (const [repo, dir] of Object.entries(fixtureLayouts())) {
    const layout = readLayout(dir);
    await pushLayout(target, repo, layout, opts);
    layouts.set(repo, layout);
  }
  return layouts;
}

/**
 * What discovery must find from `root`: every manifest that declares (through
 * `subject`) the root, one of its referrers, or a child manifest of any of
 * them, recursively. Computed from the layout alone.
 */
export function expectedReferrers(layout: Layout, root: string): Set<string> {
  const declared = new Map<string, string[]>();
  for (const m of layout.manifests.values()) {
    const s = m.json.subject?.digest;
    if (s) declared.set(s, [...(declared.get(s) ?? []), m.digest]);
  }
  const found = new Set<string>();
  const seen = new Set<string>();
  const queue = [root];
  while (queue.length) {
    const d = queue.shift()!;
    if (seen.has(d)) continue;
    seen.add(d);
    for (const r of declared.get(d) ?? []) {
      if (r !== root) found.add(r);
      queue.push(r);
    }
    const m = layout.manifests.get(d);
    for (const c of m?.json.manifests ?? []) {
      if (c.annotations?.["vnd.docker.reference.type"]) continue;
      queue.push(c.digest);
    }
  }
  return found;
}
