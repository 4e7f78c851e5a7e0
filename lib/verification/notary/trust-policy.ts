import { z } from "zod";
import { normalizeAttributeType } from "../x509";

/**
 * notation's trustpolicy.json, imported as is, with the rules notation applies
 * when it loads one (Notary Project trust store and trust policy
 * specification): a policy that notation would refuse is refused here, with
 * the same reason.
 */

export const VALIDATIONS = ["integrity", "authenticity", "authenticTimestamp", "expiry", "revocation"] as const;
export type Validation = (typeof VALIDATIONS)[number];
export type Action = "enforce" | "log" | "skip";
export const LEVELS = ["strict", "permissive", "audit", "skip"] as const;
export type Level = (typeof LEVELS)[number];

/** The verification levels of the specification: what each validation does at each level. */
export const LEVEL_ACTIONS: Record<Level, Record<Validation, Action>> = {
  strict: { integrity: "enforce", authenticity: "enforce", authenticTimestamp: "enforce", expiry: "enforce", revocation: "enforce" },
  permissive: { integrity: "enforce", authenticity: "enforce", authenticTimestamp: "log", expiry: "log", revocation: "log" },
  audit: { integrity: "enforce", authenticity: "log", authenticTimestamp: "log", expiry: "log", revocation: "log" },
  skip: { integrity: "skip", authenticity: "skip", authenticTimestamp: "skip", expiry: "skip", revocation: "skip" },
};

export const TRUST_STORE_TYPES = ["ca", "signingAuthority", "tsa"] as const;
export type TrustStoreType = (typeof TRUST_STORE_TYPES)[number];

const statementSchema = z.object({
  name: z.string(),
  registryScopes: z.array(z.string()).optional(),
  globalPolicy: z.boolean().optional(),
  signatureVerification: z.object({
    level: z.string(),
    override: z.record(z.string(), z.string()).optional(),
    verifyTimestamp: z.string().optional(),
  }),
  trustStores: z.array(z.string()).optional(),
  trustedIdentities: z.array(z.string()).optional(),
});

const documentSchema = z.object({
  version: z.string(),
  trustPolicies: z.array(statementSchema),
});

export interface TrustedIdentity {
  /** The text as written. */
  text: string;
  /** Required subject attributes, or "*" for any. */
  subject: [string, string][] | "*";
}

export interface TrustPolicyStatement {
  name: string;
  registryScopes: string[];
  level: Level;
  actions: Record<Validation, Action>;
  verifyTimestamp: "always" | "afterCertExpiry";
  trustStores: { type: TrustStoreType; name: string }[];
  trustedIdentities: TrustedIdentity[];
}

export interface TrustPolicyDocument {
  /** "oci" policies apply to registries; a blob policy (globalPolicy, no scopes) is for `notation blob verify`. */
  kind: "oci" | "blob";
  statements: TrustPolicyStatement[];
}

export class TrustPolicyError extends Error {}

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const REPOSITORY_PART = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$/;
const HOST = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::\d+)?$/;

/** Parses and validates a trust policy document (JSON text or parsed value). */
export function parseTrustPolicy(input: unknown): TrustPolicyDocument {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch {
      throw new TrustPolicyError("the trust policy is not valid JSON");
    }
  }
  const parsed = documentSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TrustPolicyError(`the trust policy is malformed at ${issue.path.join(".") || "its top level"}: ${issue.message}`);
  }
  const doc = parsed.data;
  if (doc.version !== "1.0") throw new TrustPolicyError(`trust policy has unsupported version "${doc.version}" (supported: "1.0")`);
  if (doc.trustPolicies.length === 0) throw new TrustPolicyError("trust policy document has no trust policy statements");
  const isBlob = doc.trustPolicies.every((s) => s.registryScopes === undefined);
  const names = new Set<string>();
  const scopeOwner = new Map<string, string>();
  const statements: TrustPolicyStatement[] = [];
  for (const s of doc.trustPolicies) {
    if (!s.name.trim()) throw new TrustPolicyError("a trust policy statement is missing a name, every statement requires a name");
    if (names.has(s.name)) throw new TrustPolicyError(`multiple trust policy statements use the same name "${s.name}", statement names must be unique`);
    names.add(s.name);
    const scopes = s.registryScopes ?? [];
    if (!isBlob) {
      if (scopes.length === 0) throw new TrustPolicyError(`trust policy statement "${s.name}" has zero registry scopes, it must specify registry scopes with at least one value`);
      if (scopes.includes("*") && scopes.length > 1) throw new TrustPolicyError(`trust policy statement "${s.name}" uses wildcard registry scope '*', a wildcard scope cannot be used in conjunction with other scope values`);
      for (const scope of scopes) {
        if (scope !== "*" && !isValidScope(scope)) throw new TrustPolicyError(`registry scope ${JSON.stringify(scope)} is not valid, make sure it is a fully qualified repository without the scheme, protocol or tag. For example domain.com/my/repository or a local scope like local/myOCILayout`);
        const owner = scopeOwner.get(scope);
        if (owner !== undefined) throw new TrustPolicyError(`registry scope "${scope}" is present in multiple trust policy statements, one registry scope value can only be associated with one statement`);
        scopeOwner.set(scope, s.name);
      }
    }
    const level = s.signatureVerification.level;
    if (!(LEVELS as readonly string[]).includes(level)) throw new TrustPolicyError(`trust policy statement "${s.name}" uses invalid signatureVerification value "${level}" (one of ${LEVELS.join(", ")})`);
    const actions = { ...LEVEL_ACTIONS[level as Level] };
    for (const [validation, action] of Object.entries(s.signatureVerification.override ?? {})) {
      if (!(VALIDATIONS as readonly string[]).includes(validation)) throw new TrustPolicyError(`trust policy statement "${s.name}" overrides an unknown validation "${validation}" (one of ${VALIDATIONS.join(", ")})`);
      if (validation === "integrity") throw new TrustPolicyError(`"integrity" verification can not be overridden in custom signature verification`);
      if (!["enforce", "log", "skip"].includes(action)) throw new TrustPolicyError(`trust policy statement "${s.name}" overrides "${validation}" with "${action}"; the action is "enforce", "log" or "skip"`);
      if (level === "skip") throw new TrustPolicyError(`trust policy statement "${s.name}" has level "skip" and an override; a skipped verification cannot be overridden`);
      actions[validation as Validation] = action as Action;
    }
    const verifyTimestamp = s.signatureVerification.verifyTimestamp ?? "always";
    if (verifyTimestamp !== "always" && verifyTimestamp !== "afterCertExpiry") throw new TrustPolicyError(`trust policy statement "${s.name}" has verifyTimestamp "${verifyTimestamp}"; it is "always" or "afterCertExpiry"`);
    const rawStores = s.trustStores ?? [];
    const rawIdentities = s.trustedIdentities ?? [];
    let trustStores: TrustPolicyStatement["trustStores"] = [];
    let trustedIdentities: TrustedIdentity[] = [];
    if (level === "skip") {
      if (rawStores.length > 0 || rawIdentities.length > 0) throw new TrustPolicyError(`trust policy statement "${s.name}" is set to skip signature verification but configured with trust stores and/or trusted identities, remove them`);
    } else {
      if (rawStores.length === 0 || rawIdentities.length === 0) throw new TrustPolicyError(`trust policy statement "${s.name}" is either missing trust stores or trusted identities, both must be specified`);
      trustStores = rawStores.map((value) => parseStoreRef(s.name, value));
      trustedIdentities = parseIdentities(s.name, rawIdentities);
    }
    statements.push({ name: s.name, registryScopes: scopes, level: level as Level, actions, verifyTimestamp, trustStores, trustedIdentities });
  }
  if (isBlob && doc.trustPolicies.filter((s) => s.globalPolicy).length > 1) throw new TrustPolicyError("multiple blob trust policy statements have globalPolicy set to true; only one may");
  return { kind: isBlob ? "blob" : "oci", statements };
}

function isValidScope(scope: string): boolean {
  const slash = scope.indexOf("/");
  if (slash <= 0) return false;
  return HOST.test(scope.slice(0, slash)) && REPOSITORY_PART.test(scope.slice(slash + 1));
}

function parseStoreRef(statement: string, value: string): { type: TrustStoreType; name: string } {
  const i = value.indexOf(":");
  if (i < 0) throw new TrustPolicyError(`trust policy statement "${statement}" has malformed trust store value "${value}". The required format is <TrustStoreType>:<TrustStoreName>`);
  const type = value.slice(0, i);
  const name = value.slice(i + 1);
  if (!(TRUST_STORE_TYPES as readonly string[]).includes(type)) throw new TrustPolicyError(`trust policy statement "${statement}" uses an unsupported trust store type "${type}" in trust store value "${value}" (one of ${TRUST_STORE_TYPES.join(", ")})`);
  if (!STORE_NAME.test(name)) throw new TrustPolicyError(`trust policy statement "${statement}" uses an unsupported trust store name "${name}" in trust store value "${value}". Named store name needs to follow [a-zA-Z0-9_.-]+ format`);
  return { type: type as TrustStoreType, name };
}

function parseIdentities(statement: string, values: string[]): TrustedIdentity[] {
  if (values.includes("*")) {
    if (values.length > 1) throw new TrustPolicyError(`trust policy statement "${statement}" uses a wildcard trusted identity '*', a wildcard identity cannot be used in conjunction with other values`);
    return [{ text: "*", subject: "*" }];
  }
  const out: TrustedIdentity[] = [];
  for (const text of values) {
    if (text.trim() === "") throw new TrustPolicyError(`trust policy statement "${statement}" has an empty trusted identity`);
    const i = text.indexOf(":");
    if (i < 0) throw new TrustPolicyError(`trust policy statement "${statement}" has trusted identity "${text}" missing separator`);
    const prefix = text.slice(0, i).trim();
    if (prefix !== "x509.subject") throw new TrustPolicyError(`trust policy statement "${statement}" has trusted identity "${text}" with an unsupported identity type "${prefix}" (x509.subject)`);
    const dn = text.slice(i + 1);
    let attrs: [string, string][];
    try {
      attrs = parseDn(dn);
    } catch (err) {
      throw new TrustPolicyError(`trust policy statement "${statement}" has trusted identity "${text}" with a malformed distinguished name: ${(err as Error).message}`);
    }
    for (const required of ["C", "ST", "O"]) {
      if (!attrs.some(([k]) => k === required)) {
        throw new TrustPolicyError(`distinguished name (DN) "${dn}" has no mandatory RDN attribute for "${required}", it must contain 'C', 'ST' or 'S', and 'O' RDN attributes at a minimum`);
      }
    }
    out.push({ text, subject: attrs });
  }
  for (let a = 0; a < out.length; a++) {
    for (let b = a + 1; b < out.length; b++) {
      if (dnContains(out[a].subject as [string, string][], out[b].subject as [string, string][]) || dnContains(out[b].subject as [string, string][], out[a].subject as [string, string][])) throw new TrustPolicyError(`trust policy statement "${statement}" has overlapping x509 trustedIdentities, "${out[a].text}" overlaps with "${out[b].text}"`);
    }
  }
  return out;
}

/** RFC 4514 distinguished name: "CN=a\, b, O=x" → [["CN","a, b"],["O","x"]]. Multi-valued RDNs ("+") count as separate attributes. */
export function parseDn(text: string): [string, string][] {
  const out: [string, string][] = [];
  let i = 0;
  const s = text.trim();
  if (s === "") throw new Error("it is empty");
  while (i < s.length) {
    let type = "";
    while (i < s.length && s[i] !== "=") type += s[i++];
    if (i >= s.length || type.trim() === "") throw new Error(`"${s}" is not a list of TYPE=value attributes`);
    i++;
    let value = "";
    let quoted = false;
    while (i < s.length && s[i] === " ") i++;
    if (s[i] === '"') {
      quoted = true;
      i++;
    }
    while (i < s.length) {
      const c = s[i];
      if (c === "\\" && i + 1 < s.length) {
        value += s[i + 1];
        i += 2;
        continue;
      }
      if (quoted && c === '"') {
        quoted = false;
        i++;
        continue;
      }
      if (!quoted && (c === "," || c === "+" || c === ";")) break;
      value += c;
      i++;
    }
    out.push([normalizeAttributeType(type), value.trim()]);
    if (i < s.length) i++;
  }
  return out;
}

/** Every attribute of `inner` is in `outer`: a signer matching `outer` also matches `inner`, so listing both overlaps. */
function dnContains(outer: [string, string][], inner: [string, string][]): boolean {
  return inner.every(([k, v]) => outer.some(([k2, v2]) => k === k2 && v === v2));
}

/** Does a certificate subject satisfy a trusted identity (every attribute of the identity present with the same value)? */
export function identityMatches(identity: TrustedIdentity, subject: readonly [string, string][]): boolean {
  if (identity.subject === "*") return true;
  return identity.subject.every(([k, v]) => subject.some(([k2, v2]) => k === normalizeAttributeType(k2) && v === v2));
}

/**
 * The statement that applies to a repository scope ("host/repository"): the
 * one naming it exactly, else the wildcard one, else none.
 */
export function applicableStatement(doc: TrustPolicyDocument, scope: string): TrustPolicyStatement | undefined {
  if (doc.kind !== "oci") return undefined;
  return doc.statements.find((s) => s.registryScopes.includes(scope)) ?? doc.statements.find((s) => s.registryScopes.includes("*"));
}
