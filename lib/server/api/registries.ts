import { z } from "zod";
import type { HandlerContext } from "../http";
import type { RegistryStatus } from "../registries";
import { registryParam } from "./params";

export const listRegistriesInput = z.object({});

/** The registries the user may list something in, with their status. */
export async function listRegistries(_: unknown, { runtime, principal }: HandlerContext): Promise<{ registries: RegistryStatus[] }> {
  const set = runtime.registries;
  const visible = set.list().filter((r) => runtime.policy.can(principal, "list", r.id));
  return { registries: await Promise.all(visible.map((r) => set.status(r.id))) };
}

export const registryInput = z.object({ registry: registryParam });

export async function getRegistry(input: z.infer<typeof registryInput>, { runtime }: HandlerContext): Promise<RegistryStatus> {
  return runtime.registries.status(input.registry);
}
