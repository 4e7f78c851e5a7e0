import { z } from "zod";
import { isDigest } from "../../oci/digest";
import { validateReference, validateRepository } from "../../oci/reference";
import { checkPolicies, type ImagePolicies } from "../../policy/check";
import { discover } from "../../supply-chain/discover";
import { BadRequestError } from "../errors";
import type { HandlerContext } from "../http";
import { referenceParam, registryParam, repositoryParam } from "./params";

export const policyInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  reference: referenceParam,
  /** Only this policy (in scope or not). */
  policy: z.string().max(63).optional(),
});

export interface PolicyResponse extends ImagePolicies {
  registry: string;
  repository: string;
  reference: string;
  /** How many policies are configured at all (0: nothing to judge, say how to write one). */
  configured: number;
}

/** Every policy that covers the image, each rule with its outcome, reason and evidence; live, from the registry. */
export async function getPolicy(input: z.infer<typeof policyInput>, { runtime }: HandlerContext): Promise<PolicyResponse> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const policies = runtime.config.policies;
  if (input.policy && !policies.some((p) => p.name === input.policy)) {
    throw new BadRequestError(`no policy is named "${input.policy}"; configured: ${policies.map((p) => p.name).join(", ") || "none"}`, "policy");
  }
  const { config, store } = runtime.registries.get(input.registry);
  // Two levels: the image's attachments, and the signatures on them (a signed SBOM).
  const graph = await discover(store, input.repository, input.reference, { maxDepth: 2, checkTruncation: false, concurrency: config.concurrency });
  const verification = await runtime.verification.verify(store, config, graph);
  const result = await checkPolicies(policies, graph, verification, (digest) => runtime.documents.read(store, input.repository, digest), {
    registry: config.id,
    repository: input.repository,
    tags: isDigest(input.reference) ? undefined : [input.reference],
    only: input.policy ? [input.policy] : undefined,
  });
  return { registry: config.id, repository: input.repository, reference: input.reference, configured: policies.length, ...result };
}
