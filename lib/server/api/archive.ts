import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { LayoutStore } from "../../oci/layout-store";
import { validateReference, validateRepository } from "../../oci/reference";
import { ArchiveError, extractLayoutTar, layoutArchive, layoutRoots, type LayoutRoot } from "../../promotion/archive";
import { planCopy, type CopyPlan } from "../../promotion/plan";
import { BadRequestError, NotAvailableError, UnprocessableError } from "../errors";
import { progressResponse, wantsProgress, type HandlerContext } from "../http";
import { log } from "../log";
import { COMMON_SECURITY_HEADERS, NON_PAGE_CSP } from "../security-headers";
import { referenceParam, registryParam, repositoryParam } from "./params";
import { direct, refusalAt, requirePromote, runPromotionCopy, throttledProgress, type PromotionEvent, type PromotionResponse } from "./promote";

/**
 * Air-gap transfer as files: one image with its supply chain downloaded as
 * an OCI layout tar (streamed from the registry, never held whole), and such
 * a tar uploaded into a registry or layout store. An upload is staged first
 * (read, checked, planned: nothing written at the target), shown, and copied
 * only when the user confirms, like every other promotion; a staged upload
 * nobody confirms is removed after an hour.
 */

export const archiveInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  reference: referenceParam,
  /** The supply chain too (default); "false": the image and its platform manifests only. */
  referrers: z.enum(["true", "false"]).default("true"),
});

/** GET: the tar, streamed; its length known up front (x-chainsight-size) and its end marked, so a cut download shows. */
export async function downloadArchive(input: z.infer<typeof archiveInput>, { runtime }: HandlerContext): Promise<Response> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const source = runtime.registries.get(input.registry);
  const store = direct(source);
  const plan = await planCopy({
    source: { store, repository: input.repository, reference: input.reference },
    target: { repository: input.repository },
    referrers: input.referrers === "true",
    maxNodes: runtime.config.limits.maxGraphNodes,
  });
  const archive = layoutArchive(plan, { store, blobs: store, repository: input.repository });
  const iterator = archive.chunks[Symbol.asyncIterator]();
  const body = new ReadableStream<Uint8Array>({
    // Pulled: the next blob is read from the registry only as fast as the browser takes the last.
    async pull(controller) {
      try {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      } catch (err) {
        // Headers are gone: the download stops short of its length, which the browser reports as failed.
        log("warn", "archive_stopped", { registry: input.registry, repository: input.repository, reference: input.reference, message: (err as Error).message });
        controller.error(err);
      }
    },
    async cancel() {
      await iterator.return?.(undefined);
    },
  });
  const name = `${input.repository.replaceAll("/", "_")}_${input.reference.startsWith("sha256:") ? input.reference.slice(7, 19) : input.reference}.tar`;
  return new Response(body, {
    status: 200,
    headers: {
      "content-type": "application/x-tar",
      // Next.js drops Content-Length from a streamed answer (and sends it chunked): the size goes in a header of ours.
      "x-chainsight-size": String(archive.size),
      "content-disposition": `attachment; filename="${name}"`,
      "x-chainsight-digest": plan.source.digest,
      "x-chainsight-manifests": String(archive.manifests),
      "x-chainsight-blobs": String(archive.blobs),
      // no-transform: not compressed on the way (a tar of layers does not shrink, and the length would be lost).
      "cache-control": "no-store, no-transform",
      ...COMMON_SECURITY_HEADERS,
      "content-security-policy": NON_PAGE_CSP,
    },
  });
}

// ---- Upload: staged, planned, then copied on confirmation ----

const STAGING = join(tmpdir(), "chainsight-imports");
const STAGE_TTL_MS = 60 * 60 * 1000;
const ID = /^[0-9a-f]{32}$/;

interface StageMeta {
  owner: string;
  registry: string;
  repository: string;
  created: number;
  roots: LayoutRoot[];
  /** The supply chain too, as the upload was planned. */
  referrers: boolean;
}

export const importInput = z.object({
  registry: registryParam,
  /** The target repository. */
  repository: repositoryParam,
  referrers: z.enum(["true", "false"]).default("true"),
});

export const stagedImportInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  id: z.string().regex(ID, "not an upload id (32 hexadecimal characters, as the upload answered)"),
});

export interface ImportPlanResponse {
  /** The staged upload, to confirm or discard. */
  id: string;
  /** The images the archive holds, each planned against the target. */
  images: { reference: string; digest: string; tag?: string; plan: CopyPlan }[];
  /** Files of the archive that are no part of a layout, skipped (a docker save archive's manifest.json). */
  skipped: string[];
  allowed: boolean;
  deniedMessage?: string;
}

export interface ImportResponse {
  images: { reference: string; digest: string; result: PromotionResponse }[];
}

/** Staged uploads older than an hour are removed (whoever made them). */
async function sweep(): Promise<void> {
  const names = await readdir(STAGING).catch(() => [] as string[]);
  await Promise.all(
    names.map(async (n) => {
      const s = await stat(join(STAGING, n)).catch(() => undefined);
      if (s && Date.now() - s.mtimeMs > STAGE_TTL_MS) await rm(join(STAGING, n), { recursive: true, force: true });
    }),
  );
}

const layoutOf = (dir: string) => new LayoutStore({ root: join(dir, "layout"), name: "the uploaded archive" });

async function planImports(layout: LayoutStore, roots: LayoutRoot[], input: { repository: string; referrers: boolean }, ctx: HandlerContext, registry: string) {
  const target = direct(ctx.runtime.registries.get(registry));
  const out: { root: LayoutRoot; plan: CopyPlan }[] = [];
  for (const root of roots) {
    out.push({
      root,
      plan: await planCopy({
        source: { store: layout, repository: "upload", reference: root.reference },
        target: { store: target, repository: input.repository, tag: root.tag },
        referrers: input.referrers,
        maxNodes: ctx.runtime.config.limits.maxGraphNodes,
      }),
    });
  }
  return out;
}

/** POST (body: the tar): read, checked and planned; nothing is written at the target. */
export async function stageImport(input: z.infer<typeof importInput>, ctx: HandlerContext): Promise<ImportPlanResponse> {
  validateRepository(input.repository);
  const { runtime, request, principal } = ctx;
  const target = runtime.registries.get(input.registry);
  const maxBytes = runtime.config.limits.maxImportMiB * 1024 * 1024;
  const declared = Number(request.headers.get("content-length") ?? NaN);
  if (declared > maxBytes) throw new UnprocessableError(`the archive is ${Math.round(declared / 1024 / 1024)} MiB, over the ${runtime.config.limits.maxImportMiB} MiB limit (limits.maxImportMiB)`, "bad_archive");
  if (!request.body) throw new BadRequestError("send the archive as the request body (an OCI layout tar)", "body");
  await sweep();
  const id = randomBytes(16).toString("hex");
  const dir = join(STAGING, id);
  await mkdir(join(dir, "layout", "upload"), { recursive: true });
  try {
    const extracted = await extractLayoutTar(request.body as unknown as AsyncIterable<Uint8Array>, join(dir, "layout", "upload"), { maxBytes });
    const layout = layoutOf(dir);
    const roots = await layoutRoots(layout, join(dir, "layout", "upload"), "upload");
    if (roots.length === 0) throw new ArchiveError("the archive's index.json names no image (only referrers or nothing); nothing to import");
    const planned = await planImports(layout, roots, { repository: input.repository, referrers: input.referrers === "true" }, ctx, input.registry);
    const meta: StageMeta = { owner: principal.id, registry: input.registry, repository: input.repository, created: Date.now(), roots, referrers: input.referrers === "true" };
    await writeFile(join(dir, "meta.json"), JSON.stringify(meta));
    const refused = await refusalAt(target, input.repository);
    return { id, images: planned.map((p) => ({ ...p.root, plan: p.plan })), skipped: extracted.skipped, allowed: !refused, deniedMessage: refused };
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    if (err instanceof ArchiveError) throw new UnprocessableError(err.message, "bad_archive");
    throw err;
  }
}

async function staged(input: z.infer<typeof stagedImportInput>, ctx: HandlerContext): Promise<{ dir: string; meta: StageMeta }> {
  const dir = join(STAGING, input.id);
  let meta: StageMeta;
  try {
    meta = JSON.parse(await readFile(join(dir, "meta.json"), "utf8")) as StageMeta;
  } catch {
    throw new NotAvailableError("this upload is not staged here any more (an hour has passed, it was imported or discarded, or another server took it); upload the archive again", "no_such_upload");
  }
  // Only its uploader sees or runs it, and only into the repository it was planned for.
  if (meta.owner !== ctx.principal.id || meta.registry !== input.registry || meta.repository !== input.repository) {
    throw new NotAvailableError("this upload was staged by another user or for another repository; upload the archive again", "no_such_upload");
  }
  return { dir, meta };
}

/** POST …/imports/{id}: the confirmed copy, planned again, streamed like a promotion; the staged files are removed after. */
export async function runImport(input: z.infer<typeof stagedImportInput>, ctx: HandlerContext): Promise<ImportResponse | Response> {
  validateRepository(input.repository);
  const target = ctx.runtime.registries.get(input.registry);
  requirePromote(ctx, target.config.id, input.repository, input.id);
  const { dir, meta } = await staged(input, ctx);
  const layout = layoutOf(dir);
  const run = async (send?: (event: PromotionEvent) => void): Promise<ImportResponse> => {
    try {
      const planned = await planImports(layout, meta.roots, { repository: input.repository, referrers: meta.referrers }, ctx, input.registry);
      const images: ImportResponse["images"] = [];
      for (const { root, plan } of planned) {
        const result = await runPromotionCopy(
          ctx,
          {
            plan,
            // The archive's signatures are judged under the target's trust scope: the same scope at both ends.
            source: { store: layout, repository: "upload", config: target.config, scopeRepository: input.repository, label: "an uploaded archive" },
            target,
            targetRepository: input.repository,
            sameRegistry: false,
            verify: meta.referrers,
          },
          send ? throttledProgress(send, root.reference) : {},
        );
        images.push({ reference: root.reference, digest: root.digest, result });
      }
      return { images };
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
  if (!wantsProgress(ctx.request)) return run();
  return progressResponse<PromotionEvent, ImportResponse>("import", (send) => run(send));
}

/** DELETE …/imports/{id}: discard a staged upload. */
export async function discardImport(input: z.infer<typeof stagedImportInput>, ctx: HandlerContext): Promise<{ discarded: true }> {
  const { dir } = await staged(input, ctx);
  await rm(dir, { recursive: true, force: true });
  return { discarded: true };
}
