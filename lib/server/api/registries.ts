import { z } from "zod";
import type { HandlerContext } from "../http";
import type { RegistryStatus } from "../registries";
import { registryParam } from "./params";

export const listRegistriesInput = z.object({});

/** The registries the user may list something in, with their status. */
export async function listRegistries(_: unknown, ctx: HandlerContext): Promise<{ registries: RegistryStatus[] }> {
  const { runtime, principal } = ctx;
  const set = runtime.registries;
  const visible = set.list().filter((r) => runtime.policy.can(principal, "list", r.id));
  return { registries: await Promise.all(visible.map(async (r) => withPath(await set.status(r.id), ctx))) };
}

/**
 * A layout store's folder is the server's business: only an administrator of a
 * server with sign-in on sees it (with open access, anyone could).
 */
function withPath(status: RegistryStatus, { runtime, principal }: HandlerContext): RegistryStatus {
  const config = runtime.registries.get(status.id).config;
  const admin = runtime.config.auth.enabled && runtime.policy.isAdmin(principal);
  return config.kind === "oci-layout" && admin ? { ...status, path: config.path } : status;
}

export const registryInput = z.object({ registry: registryParam });

export async function getRegistry(input: z.infer<typeof registryInput>, ctx: HandlerContext): Promise<RegistryStatus> {
  return withPath(await ctx.runtime.registries.status(input.registry), ctx);
}
