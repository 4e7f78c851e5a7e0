/**
 * The bench's references: the least a plain client does for the same answer,
 * run in the same run against the same registry through the same proxy, so
 * the API's cost is read as a ratio to them rather than as absolute times.
 *
 * - catalog: one `GET /v2/_catalog?n=100` (a client showing the first page);
 * - tags: the tag list, then one HEAD per shown tag, 8 at a time (what `crane ls`
 *   plus `crane digest` per tag would do);
 * - graph walkers: `oras discover`-like, following referrers tags level by level
 *   from the subject, one request after another, and the same walk 8 at a time.
 */
import { Agent, fetch as undiciFetch } from "undici";

const OCI_INDEX = "application/vnd.oci.image.index.v1+json";
const ACCEPT = [OCI_INDEX, "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json"].join(", ");

export interface ReferenceResult {
  ms: number;
  requests: number;
}

/** A client with its own kept-alive connections (as a CLI has), so runs do not share sockets. */
function client() {
  const agent = new Agent({ keepAliveTimeout: 10_000 });
  let requests = 0;
  const get = async (url: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
    requests++;
    // A kept-alive connection the other end has just closed fails once; a real client sends again (as undici's own
    // retry does for idempotent requests).
    const res = await undiciFetch(url, { ...init, dispatcher: agent }).catch(() => undiciFetch(url, { ...init, dispatcher: agent }));
    const body = init.method === "HEAD" ? undefined : await res.arrayBuffer();
    return { status: res.status, headers: res.headers, body };
  };
  return { get, count: () => requests, close: () => agent.close() };
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => { while (next < items.length) await fn(items[next++]); }));
}

async function timed(fn: (c: ReturnType<typeof client>) => Promise<void>): Promise<ReferenceResult> {
  const c = client();
  try {
    const t0 = performance.now();
    await fn(c);
    return { ms: Math.round(performance.now() - t0), requests: c.count() };
  } finally {
    await c.close();
  }
}

export function plainCatalogFirstPage(base: string, n = 100): Promise<ReferenceResult> {
  return timed(async (c) => {
    const res = await c.get(`${base}/v2/_catalog?n=${n}`);
    if (res.status !== 200) throw new Error(`catalog: HTTP ${res.status}`);
  });
}

/** The tag list (every page), then a HEAD for each of the first `shown` tags by name, 8 in parallel. */
export function minimalTagsClient(base: string, repository: string, shown: number): Promise<ReferenceResult> {
  return timed(async (c) => {
    const tags: string[] = [];
    let next: string | undefined = `${base}/v2/${repository}/tags/list`;
    while (next) {
      const res = await c.get(next);
      tags.push(...(JSON.parse(Buffer.from(res.body!).toString()).tags as string[]));
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(res.headers.get("link") ?? "");
      next = link ? new URL(link[1], base).toString() : undefined;
    }
    const page = tags.sort((a, b) => a.localeCompare(b, "en", { numeric: true })).slice(0, shown);
    await pool(page, 8, async (tag) => {
      const res = await c.get(`${base}/v2/${repository}/manifests/${tag}`, { method: "HEAD", headers: { accept: ACCEPT } });
      if (res.status !== 200) throw new Error(`HEAD ${tag}: HTTP ${res.status}`);
    });
  });
}

/**
 * `oras discover`-like: resolve the subject, then list each artifact's
 * referrers from its referrers tag (the registry has no referrers API),
 * level by level, down to artifacts with none. `parallel` requests at once.
 */
export function walkReferrers(base: string, repository: string, reference: string, parallel: number): Promise<ReferenceResult & { artifacts: number }> {
  let artifacts = 0;
  return timed(async (c) => {
    const root = await c.get(`${base}/v2/${repository}/manifests/${reference}`, { method: "HEAD", headers: { accept: ACCEPT } });
    let level = [root.headers.get("docker-content-digest")!];
    while (level.length > 0) {
      const found: string[] = [];
      await pool(level, parallel, async (digest) => {
        const res = await c.get(`${base}/v2/${repository}/manifests/${digest.replace(":", "-")}`, { headers: { accept: OCI_INDEX } });
        if (res.status !== 200) return;
        for (const d of JSON.parse(Buffer.from(res.body!).toString()).manifests as { digest: string }[]) found.push(d.digest);
      });
      artifacts += found.length;
      level = found;
    }
  }).then((r) => ({ ...r, artifacts }));
}
