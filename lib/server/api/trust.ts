import { z } from "zod";
import { TrustPolicyError } from "../../verification/notary/trust-policy";
import { ManagedTrustError } from "../../verification/managed-trust";
import { SigstoreTrustError } from "../../verification/sigstore/trust";
import { BadRequestError, UnprocessableError } from "../errors";
import type { HandlerContext } from "../http";
import type { TrustSources } from "../verification";
import { createPublicKey, createHash } from "node:crypto";

/**
 * Trust material as an administrator sees and edits it: what is in force,
 * where each part comes from, and changes to the parts the configuration
 * file does not set (the file stays the source of truth where it speaks).
 */

export interface TrustView {
  /** Changes need sign-in (open access could let anyone decide whom to trust). */
  editable: boolean;
  whyNotEditable?: string;
  sources: TrustSources;
  /** Where edits are kept (administrators of a signed-in server only: with open access nobody's folders are shown). */
  managedDir?: string;
  hash: string;
  notation: {
    statements: { name: string; scopes: string[]; level: string; trustStores: string[]; trustedIdentities: string[] }[];
    stores: { type: string; name: string; certificates: { subject: string; issuer: string; notAfter: string; sha256: string }[] }[];
    crls: string[];
  };
  sigstore: { trustedRoot?: { certificateAuthorities: number; tlogs: number; ctlogs: number; timestampAuthorities: number } };
  cosign: { keys: { name: string; scopes: string[]; fingerprint: string }[]; identities: { name: string; subject: string; issuer: string; scopes: string[] }[] };
}

export const trustInput = z.object({});

export async function getTrust(_input: unknown, { runtime }: HandlerContext): Promise<TrustView> {
  const v = runtime.verification;
  const trust = v.trust;
  const settings = v.settings();
  // The policy as loaded with the trust in force (not the file read again: it may have changed since).
  const policy = trust.notary.policy;
  const stores = trust.notary.stores.names().map((id) => {
    const [type, name] = [id.slice(0, id.indexOf(":")), id.slice(id.indexOf(":") + 1)];
    const certs = trust.notary.stores.get(type as "ca", name) ?? [];
    return { type, name, certificates: certs.map((c) => ({ subject: c.subject, issuer: c.issuer, notAfter: c.notAfter.toISOString(), sha256: c.sha256 })) };
  });
  const root = trust.sigstore.trustedRoot;
  return {
    editable: runtime.policy.enforced,
    whyNotEditable: runtime.policy.enforced ? undefined : "sign-in is off, so anyone who reaches the server could change whom it trusts: with open access, trust is set in the configuration file only",
    sources: v.sources(),
    managedDir: runtime.policy.enforced ? v.managed.dir : undefined,
    hash: trust.hash,
    notation: {
      statements: (policy?.statements ?? []).map((s) => ({ name: s.name, scopes: s.registryScopes, level: s.level, trustStores: s.trustStores.map((t) => `${t.type}:${t.name}`), trustedIdentities: s.trustedIdentities.map((i) => i.text) })),
      stores,
      crls: Object.keys(settings.notation.crls),
    },
    sigstore: { trustedRoot: root && { certificateAuthorities: root.certificateAuthorities.length, tlogs: root.tlogs.length, ctlogs: root.ctlogs.length, timestampAuthorities: root.timestampAuthorities.length } },
    cosign: {
      keys: trust.sigstore.keys.map((k) => ({ name: k.name, scopes: k.scopes, fingerprint: createHash("sha256").update(createPublicKey(k.publicKey).export({ type: "spki", format: "der" })).digest("hex") })),
      identities: trust.sigstore.identities.map((i) => ({ name: i.name, subject: i.subject ?? `/${i.subjectRegExp?.source}/`, issuer: i.issuer ?? `/${i.issuerRegExp?.source}/`, scopes: i.scopes })),
    },
  };
}

const scopes = z.array(z.string().min(1).max(255)).min(1).max(50);
const text = (what: string) => z.string({ error: `"${what}" is required` }).min(1, `"${what}" is empty`).max(8 * 1024 * 1024, `"${what}" is too large`);

export const trustChangeInput = z.discriminatedUnion(
  "action",
  [
    z.object({ action: z.literal("set-trust-policy"), policy: text("policy") }),
    z.object({ action: z.literal("add-certificate"), storeType: z.string(), storeName: z.string(), pem: text("pem") }),
    z.object({ action: z.literal("remove-certificate"), storeType: z.string(), storeName: z.string(), sha256: z.string() }),
    z.object({ action: z.literal("set-trusted-root"), trustedRoot: text("trustedRoot") }),
    z.object({ action: z.literal("add-cosign-key"), name: z.string().min(1).max(100), pem: text("pem"), scopes }),
    z.object({ action: z.literal("remove-cosign-key"), name: z.string().min(1).max(100) }),
    z.object({
      action: z.literal("add-identity"),
      name: z.string().min(1).max(100),
      issuer: z.string().max(1000).optional(),
      issuerRegExp: z.string().max(1000).optional(),
      subject: z.string().max(1000).optional(),
      subjectRegExp: z.string().max(1000).optional(),
      scopes,
    }),
    z.object({ action: z.literal("remove-identity"), name: z.string().min(1).max(100) }),
  ],
  { error: '"action" is one of set-trust-policy, add-certificate, remove-certificate, set-trusted-root, add-cosign-key, remove-cosign-key, add-identity, remove-identity' },
);

type Change = z.infer<typeof trustChangeInput>;

const PART: Record<Change["action"], keyof TrustSources> = {
  "set-trust-policy": "notation",
  "add-certificate": "notation",
  "remove-certificate": "notation",
  "set-trusted-root": "sigstore",
  "add-cosign-key": "cosign",
  "remove-cosign-key": "cosign",
  "add-identity": "cosign",
  "remove-identity": "cosign",
};

/** One change to the managed trust; audited with what changed, refused where the configuration file speaks. */
export async function changeTrust(input: Change, ctx: HandlerContext): Promise<{ message: string; view: TrustView }> {
  const { runtime, principal } = ctx;
  const audit = (outcome: "success" | "failure" | "denied", status: number, message: string) =>
    runtime.audit.record({ time: new Date().toISOString(), user: principal.id, provider: principal.provider, action: `trust:${input.action}`, outcome, status, durationMs: 0, message });
  if (!runtime.policy.enforced) {
    const message = "sign-in is off, so anyone who reaches the server could change whom it trusts: with open access, trust is set in the configuration file only (verification: in the config)";
    audit("denied", 403, message);
    throw new UnprocessableError(message, "trust_needs_sign_in");
  }
  const part = PART[input.action];
  if (runtime.verification.sources()[part] === "config") {
    const message = `the ${part === "notation" ? "Notary Project trust policy and store" : part === "sigstore" ? "Sigstore trusted root" : "cosign keys and identities"} are set in ${runtime.config.source} (verification.${part}); change them there: the configuration file is the source of truth`;
    audit("failure", 422, message);
    throw new UnprocessableError(message, "trust_set_in_config");
  }
  const m = runtime.verification.managed;
  let message: string;
  try {
    switch (input.action) {
      case "set-trust-policy":
        message = m.setTrustPolicy(input.policy);
        break;
      case "add-certificate":
        message = m.addCertificates(input.storeType, input.storeName, input.pem);
        break;
      case "remove-certificate":
        message = m.removeCertificate(input.storeType, input.storeName, input.sha256);
        break;
      case "set-trusted-root":
        message = m.setTrustedRoot(input.trustedRoot);
        break;
      case "add-cosign-key":
        message = m.addCosignKey(input.name, input.pem, input.scopes);
        break;
      case "remove-cosign-key":
        message = m.removeCosignKey(input.name);
        break;
      case "add-identity":
        message = m.addIdentity({ name: input.name, issuer: input.issuer || undefined, issuerRegExp: input.issuerRegExp || undefined, subject: input.subject || undefined, subjectRegExp: input.subjectRegExp || undefined, scopes: input.scopes });
        break;
      case "remove-identity":
        message = m.removeIdentity(input.name);
        break;
    }
    runtime.verification.reload();
  } catch (err) {
    if (err instanceof ManagedTrustError || err instanceof TrustPolicyError || err instanceof SigstoreTrustError) {
      audit("failure", 400, err.message);
      throw new BadRequestError(err.message);
    }
    throw err;
  }
  audit("success", 200, message);
  return { message, view: await getTrust({}, ctx) };
}

