import { z } from "zod";

/**
 * Policies as teams write them in the configuration file: what an image in
 * scope must have to ship. Each requirement is a rule that gives pass, fail
 * or unknown with a reason and the evidence it used (evaluate.ts). zod at the
 * boundary: an error names the key.
 */

const NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;
const SEVERITY = z.enum(["critical", "high", "medium", "low"], { error: 'a severity is "critical", "high", "medium" or "low"' });
const isoDate = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be a date (2026-12-31) or a time (ISO 8601)");

/** One way a signature may be trusted: by a Notary trust policy statement, a keyless identity, or a key (their names in `verification`). */
const trustedBySchema = z.union(
  [
    z.strictObject({ notation: z.string().min(1) }),
    z.strictObject({ identity: z.string().min(1) }),
    z.strictObject({ key: z.string().min(1) }),
    // A keyless signer by what its certificate says: the OIDC issuer, and a pattern for the identity (SAN).
    z.strictObject({ keyless: z.strictObject({ issuer: z.string().min(1), subject: z.string().min(1) }) }),
  ],
  { error: 'each trustedBy entry is { notation: "<trust policy statement>" }, { identity: "<verification.cosign.identities name>" }, { key: "<verification.cosign.keys name>" } or { keyless: { issuer, subject } }' },
);

export const policySchema = z.strictObject({
  name: z.string().regex(NAME, "policy names are lower-case letters, digits, '.', '_' and '-' (they appear in URLs)"),
  description: z.string().max(500).optional(),
  /** enforce: a failure fails (the CLI exits 1); audit: shown, never fails. */
  mode: z.enum(["enforce", "audit"], { error: 'mode is "enforce" or "audit"' }).default("enforce"),
  scope: z
    .strictObject({
      /** Registry ids, or "*". */
      registries: z.array(z.string().min(1)).min(1).default(["*"]),
      /** Repository patterns as in access roles: `TeamA/**`, `TeamA/*`, `**`. */
      repositories: z.array(z.string().min(1)).min(1).default(["**"]),
      /** Tag patterns (`*` any characters): `v*`, `release-*`. */
      tags: z.array(z.string().min(1)).min(1).default(["*"]),
      /** Only the newest N tagged images of each repository (by created date). */
      newest: z.number().int().positive().optional(),
    })
    .default({ registries: ["*"], repositories: ["**"], tags: ["*"] }),
  require: z
    .strictObject({
      signature: z
        .strictObject({
          /** Any of these must have verified it; absent: any verified signature counts. */
          trustedBy: z.array(trustedBySchema).min(1).optional(),
          /** Distinct signers (trust roots, not signatures) required. */
          minSigners: z.number().int().min(1).max(10).default(1),
        })
        .optional(),
      sbom: z
        .strictObject({
          formats: z.array(z.enum(["spdx", "cyclonedx"], { error: 'an SBOM format is "spdx" or "cyclonedx"' })).min(1).optional(),
          /** The SBOM itself carries a verified signature (by a signer the signature rule accepts, when it names any). */
          signed: z.boolean().default(false),
        })
        .optional(),
      scan: z
        .strictObject({
          /** The newest scan ran at most this many days ago (its own time, else when it was attached). */
          maxAgeDays: z.number().positive().optional(),
          /** No finding at or above this severity (after VEX and the allow-list). */
          failOn: SEVERITY.optional(),
          /** Count only findings with a fixed version. */
          fixableOnly: z.boolean().default(false),
          /** Accepted findings; an entry stops applying after `until`. */
          allow: z.array(z.strictObject({ id: z.string().min(1), until: isoDate, reason: z.string().min(1, "say why the finding is accepted") })).default([]),
        })
        .optional(),
      provenance: z
        .strictObject({
          /** Pattern for the builder id (`https://github.com/slsa-framework/**`). */
          builder: z.string().min(1).optional(),
          /** Pattern for the source repository URI (`git+https://github.com/acme/**`). */
          source: z.string().min(1).optional(),
        })
        .optional(),
    })
    .refine((r) => r.signature || r.sbom || r.scan || r.provenance, "require at least one of signature, sbom, scan, provenance"),
});

export type Policy = z.infer<typeof policySchema>;
export type PolicyInput = z.input<typeof policySchema>;

export const policiesSchema = z.array(policySchema).default([]).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((p, i) => {
    if (seen.has(p.name)) ctx.addIssue({ code: "custom", path: [i, "name"], message: `policy "${p.name}" is defined twice` });
    seen.add(p.name);
  });
});
