import { z } from "zod";
import { isDigest } from "../../oci/digest";
import { checkPolicies, selectPolicies, type ImagePolicies } from "../../policy/check";
import type { Outcome } from "../../policy/evaluate";
import { validateReference, validateRepository } from "../../oci/reference";
import { describeError, RegistryError } from "../../oci/errors";
import { discover, DISCOVERY_METHODS, type DiscoveryMethod, type SupplyChainGraph } from "../../supply-chain/discover";
import { selectReferrers } from "../../supply-chain/graph";
import { imageDigests, supplyChainStatus, type SupplyChainStatus } from "../../supply-chain/status";
import { toDiscoverTree } from "../../supply-chain/tree";
import { concurrency } from "../../supply-chain/discover";
import { BadRequestError } from "../errors";
import { subjectVerdict } from "../verification";
import { imageSummaries, type ImageSummaries } from "./summary";
import type { GraphVerification, SubjectVerification } from "../../verification/verify-graph";
import { jsonResponse, jsonText, type HandlerContext } from "../http";
import { intParam, referenceParam, registryParam, repositoryParam } from "./params";

export const graphInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  reference: referenceParam,
  artifactType: z.string().min(1, "artifactType is empty").max(255).optional(),
  orderBy: z.enum(["created"], { error: '"orderBy" can only be "created"' }).optional(),
  order: z.enum(["asc", "desc"], { error: '"order" must be "asc" or "desc"' }).optional(),
  top: intParam("top", 1, 1000).optional(),
  depth: intParam("depth", 1, 16).default(8),
  /** Comma-separated discovery methods; default all. */
  methods: z.string().optional(),
  /**
   * "all": every signature with its full check list. "subject": full lists only for the image's own signatures
   * (of it and its platforms); the others keep the checks that failed and say so (checksOmitted), which keeps a
   * graph of 1,000 signatures from weighing megabytes. The page asks for "subject" and reads a signature's full
   * list from the verification call when it is opened.
   */
  checks: z.enum(["all", "subject"], { error: '"checks" must be "all" or "subject"' }).default("all"),
});

export interface GraphResponse {
  registry: string;
  reference: string;
  graph: SupplyChainGraph;
  /** The same graph as `oras discover` prints it. */
  tree: string;
  status: SupplyChainStatus;
  /** Every signature of the graph with its checks, and a verdict per signed node. */
  verification: GraphVerification;
  /** The image's verdict (its own and its platforms' signatures); absent when nothing signs it. */
  verdict?: SubjectVerification;
}

function parseMethods(value: string | undefined): DiscoveryMethod[] | undefined {
  if (value === undefined) return undefined;
  const list = value.split(",").map((s) => s.trim()).filter(Boolean);
  for (const m of list) {
    if (!(DISCOVERY_METHODS as readonly string[]).includes(m)) {
      throw new BadRequestError(`parameter "methods": unknown discovery method "${m}"; use any of ${DISCOVERY_METHODS.join(", ")}`, "methods");
    }
  }
  return list as DiscoveryMethod[];
}

export async function getGraph(input: z.infer<typeof graphInput>, context: HandlerContext): Promise<Response> {
  validateRepository(input.repository);
  validateReference(input.reference);
  const { runtime } = context;
  const { store } = runtime.registries.get(input.registry);
  // (No instanceof here: route bundles may each carry their own copy of a class; the registry's store is always a CachedStore.)
  const key = JSON.stringify([input, store.generation, runtime.verification.trust.hash]);
  const cached = runtime.registries.answers.get(key);
  if (cached !== undefined) return jsonResponse(cached);
  const text = jsonText(await buildGraph(input, context));
  runtime.registries.answers.set(key, text, { size: text.length * 2 });
  return jsonResponse(text);
}

async function buildGraph(input: z.infer<typeof graphInput>, { runtime }: HandlerContext): Promise<GraphResponse> {
  const methods = parseMethods(input.methods);
  const { config, store } = runtime.registries.get(input.registry);
  const order = input.order ?? (input.top !== undefined ? "desc" : "asc");
  const found = await discover(store, input.repository, input.reference, {
    artifactType: input.artifactType,
    maxDepth: input.depth,
    methods,
    // Drop what top= would drop before walking below it: fewer requests.
    newest: input.top !== undefined ? { top: input.top, order } : undefined,
    concurrency: config.concurrency,
    maxNodes: runtime.config.limits.maxGraphNodes,
  });
  const graph = selectReferrers(found, { artifactType: input.artifactType, orderBy: input.orderBy, order, top: input.top });
  const verified = await runtime.verification.verify(store, config, graph);
  const verification = input.checks === "all" ? verified : withSubjectChecksOnly(graph, verified);
  return {
    registry: config.id,
    reference: input.reference,
    graph,
    // A layout store is named by its id: its folder on the server is not for every user to see.
    tree: toDiscoverTree(graph, `${config.kind === "oci-layout" ? `${config.id}:` : `${config.host}/`}${input.repository}${input.reference.includes(":") ? "@" : ":"}${input.reference}`),
    status: supplyChainStatus(graph),
    verification,
    verdict: subjectVerdict(graph, verification),
  };
}

/** The image's own signatures keep their checks; the rest keep the failed ones and say the list was shortened. */
function withSubjectChecksOnly(graph: SupplyChainGraph, verification: GraphVerification): GraphVerification {
  const own = imageDigests(graph);
  return {
    ...verification,
    signatures: verification.signatures.map((s) => (own.has(s.subject) ? s : { ...s, checks: s.checks.filter((c) => c.result === "failed"), checksOmitted: true })),
  };
}

export const statusInput = z.object({
  registry: registryParam,
  repository: repositoryParam,
  tags: z
    .string({ error: 'the "tags" query parameter is required: a comma-separated list of tags or digests' })
    .transform((s) => [...new Set(s.split(",").map((t) => t.trim()).filter(Boolean))])
    .refine((l) => l.length >= 1, "give at least one tag")
    .refine((l) => l.length <= 100, "at most 100 tags per call"),
});

export interface TagStatus {
  reference: string;
  digest?: string;
  status?: SupplyChainStatus;
  /** Whether the signatures hold: absent when the subject has none. */
  verification?: Pick<SubjectVerification, "verdict" | "summary" | "signer" | "signers" | "signatures" | "verified">;
  /** The newest scan's counts and age, the SBOM's package count (only with the pull right: they read document content). */
  documents?: ImageSummaries;
  /** The policies covering this tag (absent when none does): the overall outcome and what did not pass. */
  policy?: { outcome: ImagePolicies["outcome"]; results: { policy: string; mode: "enforce" | "audit"; outcome: Outcome; notPassed: { rule: string; outcome: Outcome; reason: string }[] }[] };
  error?: { code: string; message: string };
}

/** How many subjects are walked at once for a status call. */
const STATUS_CONCURRENCY = 16;

/**
 * Signed / SBOM / scanned / attested for many tags: one shallow discovery per
 * tag, in parallel; the tag list, the referrers API probe and manifests are
 * shared through the store's cache, so digest and cosign tags are found
 * without probing.
 */
export async function getStatuses(input: z.infer<typeof statusInput>, { runtime, principal }: HandlerContext): Promise<{ registry: string; repository: string; statuses: TagStatus[] }> {
  validateRepository(input.repository);
  for (const t of input.tags) validateReference(t);
  const { config, store } = runtime.registries.get(input.registry);
  const limit = concurrency(STATUS_CONCURRENCY);
  const pull = runtime.policy.can(principal, "pull", config.id, input.repository);
  const statuses = await Promise.all(
    input.tags.map((reference) =>
      limit(async (): Promise<TagStatus> => {
        try {
          const scope = { registry: config.id, repository: input.repository, tags: isDigest(reference) ? undefined : [reference] };
          const policies = selectPolicies(runtime.config.policies, scope);
          // A signed-SBOM rule needs the signatures on the SBOM: one level more.
          const depth = policies.some((p) => p.require.sbom?.signed) ? 2 : 1;
          const graph = await discover(store, input.repository, reference, { maxDepth: depth, checkTruncation: false, concurrency: 4 });
          const verified = await runtime.verification.verify(store, config, graph);
          const verdict = subjectVerdict(graph, verified);
          const verification = verdict && { verdict: verdict.verdict, summary: verdict.summary, signer: verdict.signer, signers: verdict.signers, signatures: verdict.signatures, verified: verdict.verified };
          const documents = pull ? await imageSummaries(runtime.documents, store, graph) : undefined;
          const judged = policies.length ? await checkPolicies(policies, graph, verified, (digest) => runtime.documents.read(store, input.repository, digest), scope) : undefined;
          const policy = judged && {
            outcome: judged.outcome,
            results: judged.results.map((r) => ({ policy: r.policy, mode: r.mode, outcome: r.outcome, notPassed: r.rules.filter((x) => x.outcome !== "pass").map((x) => ({ rule: x.rule, outcome: x.outcome, reason: x.reason })) })),
          };
          return { reference, digest: graph.root, status: supplyChainStatus(graph), verification, documents, policy };
        } catch (err) {
          const code = err instanceof RegistryError ? err.code : "ERROR";
          return { reference, error: { code, message: describeError(err) } };
        }
      }),
    ),
  );
  return { registry: config.id, repository: input.repository, statuses };
}
