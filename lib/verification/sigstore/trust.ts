import { createPublicKey, type KeyObject } from "node:crypto";
import { TrustedRoot } from "@sigstore/protobuf-specs";

/**
 * Trust for cosign and Sigstore signatures: a Sigstore trusted root (Fulcio
 * CAs, Rekor and CT log keys, timestamp authorities) the user supplies as a
 * file, named public keys, and keyless identities. Keys and identities are
 * bound to repository scopes, so "our release key" does not vouch for
 * somebody else's images.
 */

export interface NamedKey {
  name: string;
  publicKey: KeyObject;
  /** Repository scopes ("host/repository" globs); ["*"] = everywhere. */
  scopes: string[];
}

export interface KeylessIdentity {
  name: string;
  /** OIDC issuer recorded in the certificate: exact or regular expression. */
  issuer?: string;
  issuerRegExp?: RegExp;
  /** Certificate subject alternative name (e-mail, workflow URI): exact or regular expression. */
  subject?: string;
  subjectRegExp?: RegExp;
  scopes: string[];
}

export interface SigstoreTrust {
  trustedRoot?: TrustedRoot;
  keys: NamedKey[];
  identities: KeylessIdentity[];
}

export class SigstoreTrustError extends Error {}

export function parseTrustedRoot(text: string): TrustedRoot {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new SigstoreTrustError("the trusted root is not JSON");
  }
  if (typeof json !== "object" || json === null || !String((json as { mediaType?: unknown }).mediaType ?? "").startsWith("application/vnd.dev.sigstore.trustedroot")) {
    throw new SigstoreTrustError('the trusted root has no "mediaType": "application/vnd.dev.sigstore.trustedroot…" (is it a trusted_root.json?)');
  }
  try {
    return TrustedRoot.fromJSON(json);
  } catch (err) {
    throw new SigstoreTrustError(`the trusted root cannot be read: ${(err as Error).message}`);
  }
}

export function parsePublicKey(pem: string, name: string): KeyObject {
  try {
    return createPublicKey(pem);
  } catch {
    throw new SigstoreTrustError(`the public key "${name}" is not a PEM public key`);
  }
}

/** A "host/repository" glob: `*` matches within a path segment, `**` across segments; "*" alone matches everything. */
export function scopeMatches(pattern: string, scope: string): boolean {
  if (pattern === "*" || pattern === "**") return true;
  const re = new RegExp(
    `^${pattern
      .split("**")
      .map((part) => part.split("*").map((s) => s.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join("[^/]*"))
      .join(".*")}$`,
  );
  return re.test(scope);
}

export function identityMatches(identity: KeylessIdentity, san: string | undefined, issuer: string | undefined): boolean {
  if (identity.subject !== undefined && identity.subject !== san) return false;
  if (identity.subjectRegExp && !(san !== undefined && identity.subjectRegExp.test(san))) return false;
  if (identity.issuer !== undefined && identity.issuer !== issuer) return false;
  if (identity.issuerRegExp && !(issuer !== undefined && identity.issuerRegExp.test(issuer))) return false;
  return true;
}

export function describeIdentity(identity: KeylessIdentity): string {
  const subject = identity.subject ?? (identity.subjectRegExp ? `/${identity.subjectRegExp.source}/` : "any subject");
  const issuer = identity.issuer ?? (identity.issuerRegExp ? `/${identity.issuerRegExp.source}/` : "any issuer");
  return `"${identity.name}" (${subject} from ${issuer})`;
}
