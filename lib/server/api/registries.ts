import { z } from "zod";
import type { HandlerContext } from "../http";
import type { RegistryStatus } from "../registries";
import { registryParam } from "./params";

export const listRegistriesInput = z.object({});

export async function listRegistries(_: unknown, { runtime }: HandlerContext): Promise<{ registries: RegistryStatus[] }> {
  const set = runtime.registries;
  return { registries: await Promise.all(set.list().map((r) => set.status(r.id))) };
}

export const registryInput = z.object({ registry: registryParam });

export async function getRegistry(input: z.infer<typeof registryInput>, { runtime }: HandlerContext): Promise<RegistryStatus> {
  return runtime.registries.status(input.registry);
}
