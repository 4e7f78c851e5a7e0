import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { parseTrustPolicy, TrustPolicyError, type TrustPolicyDocument } from "./notary/trust-policy";
import { loadTrustStores, MemoryTrustStores, TrustStoreError } from "./notary/trust-store";
import type { NotaryTrust } from "./notary/verify";
import { parsePublicKey, parseTrustedRoot, SigstoreTrustError, type SigstoreTrust } from "./sigstore/trust";

/**
 * All trust material, read from the files the configuration names, with a
 * hash of what was read: verification results are cached under that hash,
 * so changing any trust file makes every result be recomputed.
 */

export interface TrustSettings {
  notation: { trustPolicy?: string; trustStore?: string; crls: Record<string, string> };
  sigstore: { trustedRoot?: string };
  cosign: {
    keys: { name: string; path: string; scopes: string[] }[];
    identities: { name: string; issuer?: string; issuerRegExp?: string; subject?: string; subjectRegExp?: string; scopes: string[] }[];
  };
}

export interface VerificationTrust {
  notary: NotaryTrust;
  sigstore: SigstoreTrust;
  /** sha256 over the settings and every file read. */
  hash: string;
  /** What is configured, for the API and the CLI (no key material). */
  description: TrustDescription;
}

export interface TrustDescription {
  notation: { policy?: { kind: TrustPolicyDocument["kind"]; statements: { name: string; scopes: string[]; level: string }[] }; stores: string[]; crls: number };
  sigstore: { trustedRoot: boolean };
  cosign: { keys: { name: string; scopes: string[] }[]; identities: { name: string; scopes: string[] }[] };
}

export class TrustConfigError extends Error {}

const MAX_FILE = 16 * 1024 * 1024;

export function loadTrust(settings: TrustSettings): VerificationTrust {
  const hash = createHash("sha256").update(JSON.stringify(settings));
  const read = (path: string, key: string): Buffer => {
    try {
      const st = statSync(path);
      if (!st.isFile()) throw new TrustConfigError(`${key}: ${path} is not a file`);
      if (st.size > MAX_FILE) throw new TrustConfigError(`${key}: ${path} is ${st.size} bytes; trust files are small, at most ${MAX_FILE}`);
      const data = readFileSync(path);
      hash.update(path).update(data);
      return data;
    } catch (err) {
      if (err instanceof TrustConfigError) throw err;
      throw new TrustConfigError(`${key}: cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
  };

  let policy: TrustPolicyDocument | undefined;
  if (settings.notation.trustPolicy) {
    try {
      policy = parseTrustPolicy(read(settings.notation.trustPolicy, "verification.notation.trustPolicy").toString("utf8"));
    } catch (err) {
      if (err instanceof TrustPolicyError) throw new TrustConfigError(`verification.notation.trustPolicy (${settings.notation.trustPolicy}): ${err.message}`);
      throw err;
    }
    if (policy.kind === "blob") throw new TrustConfigError(`verification.notation.trustPolicy (${settings.notation.trustPolicy}): this is a blob trust policy (no registryScopes); give an OCI trust policy, as for notation verify`);
  }
  let stores = new MemoryTrustStores();
  if (settings.notation.trustStore) {
    try {
      stores = loadTrustStores(settings.notation.trustStore);
    } catch (err) {
      if (err instanceof TrustStoreError) throw new TrustConfigError(`verification.notation.trustStore: ${err.message}`);
      throw err;
    }
    for (const name of stores.names()) hash.update(name);
  }
  const crlFiles = new Map<string, Uint8Array>();
  for (const [url, path] of Object.entries(settings.notation.crls)) crlFiles.set(url, new Uint8Array(read(path, `verification.notation.crls["${url}"]`)));

  let trustedRoot: SigstoreTrust["trustedRoot"];
  if (settings.sigstore.trustedRoot) {
    try {
      trustedRoot = parseTrustedRoot(read(settings.sigstore.trustedRoot, "verification.sigstore.trustedRoot").toString("utf8"));
    } catch (err) {
      if (err instanceof SigstoreTrustError) throw new TrustConfigError(`verification.sigstore.trustedRoot (${settings.sigstore.trustedRoot}): ${err.message}`);
      throw err;
    }
  }
  const keys = settings.cosign.keys.map((k, i) => {
    try {
      return { name: k.name, publicKey: parsePublicKey(read(k.path, `verification.cosign.keys[${i}].path`).toString("utf8"), k.name), scopes: k.scopes };
    } catch (err) {
      if (err instanceof SigstoreTrustError) throw new TrustConfigError(`verification.cosign.keys[${i}] (${k.path}): ${err.message}`);
      throw err;
    }
  });
  const identities = settings.cosign.identities.map((id) => ({
    name: id.name,
    issuer: id.issuer,
    issuerRegExp: id.issuerRegExp ? new RegExp(id.issuerRegExp) : undefined,
    subject: id.subject,
    subjectRegExp: id.subjectRegExp ? new RegExp(id.subjectRegExp) : undefined,
    scopes: id.scopes,
  }));

  return {
    notary: { policy, stores, crls: (url) => crlFiles.get(url) },
    sigstore: { trustedRoot, keys, identities },
    hash: hash.digest("hex").slice(0, 32),
    description: {
      notation: {
        policy: policy && { kind: policy.kind, statements: policy.statements.map((s) => ({ name: s.name, scopes: s.registryScopes, level: s.level })) },
        stores: stores.names(),
        crls: crlFiles.size,
      },
      sigstore: { trustedRoot: !!trustedRoot },
      cosign: { keys: keys.map((k) => ({ name: k.name, scopes: k.scopes })), identities: identities.map((i) => ({ name: i.name, scopes: i.scopes })) },
    },
  };
}
