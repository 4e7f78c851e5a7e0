import { z } from "zod";
import type { Right } from "../config";
import type { HandlerContext } from "../http";

export const meInput = z.object({
  registry: z.string().max(63).optional(),
  repository: z.string().max(255).optional(),
});

export interface MeResponse {
  authEnabled: boolean;
  user: string;
  provider: string;
  groups: string[];
  roles: string[];
  admin: boolean;
  /** Rights on the registry (and repository) asked about. */
  rights?: Right[];
}

/** Who am I, and what may I do here? The UI uses it to disable what the user lacks, and to say why. */
export async function getMe(input: z.infer<typeof meInput>, { runtime, principal }: HandlerContext): Promise<MeResponse> {
  const policy = runtime.policy;
  return {
    authEnabled: runtime.config.auth.enabled,
    user: principal.name,
    provider: principal.provider,
    groups: principal.groups,
    roles: policy.enforced ? policy.rolesOf(principal) : [],
    admin: policy.isAdmin(principal),
    rights: input.registry ? policy.rightsOn(principal, input.registry, input.repository) : undefined,
  };
}

export const refreshInput = z.object({ registry: z.string().min(1) });

/** Forget what the server cached about a registry's tags, referrers and catalog (digests stay: they cannot change). */
export async function refreshRegistry(input: z.infer<typeof refreshInput>, { runtime }: HandlerContext): Promise<{ refreshed: string }> {
  runtime.registries.get(input.registry).store.forgetAll();
  runtime.registries.catalogs.invalidate(input.registry);
  return { refreshed: input.registry };
}
