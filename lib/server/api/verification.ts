import { imageDigests } from "../../supply-chain/status";
import { z } from "zod";
import { validateReference, validateRepository } from "../../oci/reference";
import { discover } from "../../supply-chain/discover";
import type { TrustDescription } from "../../verification/trust-config";
import type { SignatureResult, SubjectVerification } from "../../verification/verify-graph";
import type { HandlerContext } from "../http";
import { subjectVerdict } from "../verification";
import { referenceParam, registryParam, repositoryParam } from "./params";

export const verificationInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  reference: referenceParam,
});

export interface VerificationResponse {
  registry: string;
  repository: string;
  reference: string;
  /** The subject's digest. */
  digest: string;
  /** "<trustScope>/<repository>": what the trust policy's registryScopes and key scopes are matched against. */
  scope: string;
  /** The subject's verdict; absent when no signature points at it. */
  verdict?: SubjectVerification;
  /** The subject and its platform manifests: signatures of these sign the image; the others sign attached artifacts. */
  own: string[];
  /** Every signature of the subject, of its platform manifests and of its referrers (an SBOM's signature), with their checks. */
  signatures: SignatureResult[];
  /** Verdicts of the referrers that are signed themselves, by digest. */
  subjects: Record<string, SubjectVerification>;
  /** What trust is configured (names and scopes, no key material). */
  trust: TrustDescription & { hash: string };
}

/** `notation verify` / `cosign verify` for one subject, as data. */
export async function getVerification(input: z.infer<typeof verificationInput>, { runtime }: HandlerContext): Promise<VerificationResponse> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const { config, store } = runtime.registries.get(input.registry);
  // Two levels: the subject's signatures, and the signatures of what is attached to it.
  const graph = await discover(store, input.repository, input.reference, { maxDepth: 2, checkTruncation: false, concurrency: config.concurrency });
  const verification = await runtime.verification.verify(store, config, graph);
  const own = imageDigests(graph);
  return {
    registry: config.id,
    repository: input.repository,
    reference: input.reference,
    digest: graph.root,
    scope: runtime.verification.scopeOf(config, input.repository),
    verdict: subjectVerdict(graph, verification),
    own: [...own],
    signatures: verification.signatures,
    subjects: verification.subjects,
    trust: { ...runtime.verification.trust.description, hash: verification.trust },
  };
}
