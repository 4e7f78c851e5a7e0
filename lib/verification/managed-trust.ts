import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseTrustPolicy, TRUST_STORE_TYPES } from "./notary/trust-policy";
import { parsePublicKey, parseTrustedRoot } from "./sigstore/trust";
import type { TrustSettings } from "./trust-config";
import { parseCertificates } from "./x509";

/**
 * Trust material edited from the dashboard, kept in a folder the server owns,
 * in the same formats the configuration names (notation's trust policy and
 * store layout, a Sigstore trusted root, cosign public keys), so what the UI
 * writes can be copied into a configuration as it is. Every write is
 * validated first and replaces its file atomically.
 */

export interface CosignFile {
  keys: { name: string; file: string; scopes: string[] }[];
  identities: { name: string; issuer?: string; issuerRegExp?: string; subject?: string; subjectRegExp?: string; scopes: string[] }[];
}

export class ManagedTrustError extends Error {}

const STORE_NAME = /^[a-zA-Z0-9_.-]+$/;
const MAX_TEXT = 8 * 1024 * 1024;

export class ManagedTrust {
  constructor(readonly dir: string) {}

  get trustPolicyPath(): string {
    return join(this.dir, "trustpolicy.json");
  }
  get trustStorePath(): string {
    return join(this.dir, "truststore");
  }
  get trustedRootPath(): string {
    return join(this.dir, "trusted_root.json");
  }
  private get cosignPath(): string {
    return join(this.dir, "cosign.json");
  }

  /** What exists here, as trust settings (paths only where files exist). */
  settings(): TrustSettings {
    const cosign = this.cosign();
    return {
      notation: {
        trustPolicy: existsSync(this.trustPolicyPath) ? this.trustPolicyPath : undefined,
        trustStore: existsSync(join(this.trustStorePath, "x509")) ? this.trustStorePath : undefined,
        crls: {},
      },
      sigstore: { trustedRoot: existsSync(this.trustedRootPath) ? this.trustedRootPath : undefined },
      cosign: { keys: cosign.keys.map((k) => ({ name: k.name, path: join(this.dir, "cosign-keys", k.file), scopes: k.scopes })), identities: cosign.identities },
    };
  }

  setTrustPolicy(text: string): string {
    limit(text, "the trust policy");
    const doc = parseTrustPolicy(text);
    if (doc.kind !== "oci") throw new ManagedTrustError("this is a blob trust policy (no registryScopes); give an OCI trust policy, as for notation verify");
    this.write(this.trustPolicyPath, text);
    return `trust policy with ${doc.statements.length} statement(s): ${doc.statements.map((s) => s.name).join(", ")}`;
  }

  addCertificates(type: string, store: string, pem: string): string {
    limit(pem, "the certificate");
    if (!(TRUST_STORE_TYPES as readonly string[]).includes(type)) throw new ManagedTrustError(`the trust store type is ${TRUST_STORE_TYPES.join(", ")}, not "${type}"`);
    if (!STORE_NAME.test(store)) throw new ManagedTrustError(`a trust store name is letters, digits, '_', '.', '-' (notation's rule), not "${store}"`);
    let certs;
    try {
      certs = parseCertificates(pem);
    } catch (err) {
      throw new ManagedTrustError(`no certificate could be read: ${(err as Error).message}; paste PEM (-----BEGIN CERTIFICATE-----)`);
    }
    for (const c of certs) this.write(join(this.trustStorePath, "x509", type, store, `${c.sha256.slice(0, 16)}.crt`), `-----BEGIN CERTIFICATE-----\n${Buffer.from(c.der).toString("base64").replace(/.{64}/g, "$&\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`);
    return `${certs.length} certificate(s) added to ${type}:${store}: ${certs.map((c) => c.subject).join("; ")}`;
  }

  removeCertificate(type: string, store: string, sha256: string): string {
    if (!(TRUST_STORE_TYPES as readonly string[]).includes(type) || !STORE_NAME.test(store) || !/^[0-9a-f]{16,64}$/.test(sha256)) throw new ManagedTrustError("give the store type, store name and the certificate's SHA-256 fingerprint");
    const dir = join(this.trustStorePath, "x509", type, store);
    const file = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith(sha256.slice(0, 16))) : undefined;
    if (!file) throw new ManagedTrustError(`trust store ${type}:${store} holds no certificate ${sha256.slice(0, 16)}…`);
    rmSync(join(dir, file));
    if (readdirSync(dir).length === 0) rmSync(dir, { recursive: true });
    return `certificate ${sha256.slice(0, 16)}… removed from ${type}:${store}`;
  }

  setTrustedRoot(text: string): string {
    limit(text, "the trusted root");
    const root = parseTrustedRoot(text);
    this.write(this.trustedRootPath, text);
    return `Sigstore trusted root: ${root.certificateAuthorities.length} certificate authorities, ${root.tlogs.length} transparency logs, ${root.ctlogs.length} CT logs, ${root.timestampAuthorities.length} timestamp authorities`;
  }

  addCosignKey(name: string, pem: string, scopes: string[]): string {
    limit(pem, "the key");
    checkName(name);
    checkScopes(scopes);
    const key = parsePublicKey(pem, name);
    const cosign = this.cosign();
    if (cosign.keys.some((k) => k.name === name)) throw new ManagedTrustError(`a key named "${name}" exists; remove it first or choose another name`);
    const file = `${createHash("sha256").update(name).digest("hex").slice(0, 16)}.pub`;
    this.write(join(this.dir, "cosign-keys", file), key.export({ type: "spki", format: "pem" }).toString());
    cosign.keys.push({ name, file, scopes });
    this.writeCosign(cosign);
    return `cosign key "${name}" for ${scopes.join(", ")}`;
  }

  removeCosignKey(name: string): string {
    const cosign = this.cosign();
    const key = cosign.keys.find((k) => k.name === name);
    if (!key) throw new ManagedTrustError(`no cosign key named "${name}" is managed here`);
    rmSync(join(this.dir, "cosign-keys", key.file), { force: true });
    this.writeCosign({ ...cosign, keys: cosign.keys.filter((k) => k.name !== name) });
    return `cosign key "${name}" removed`;
  }

  addIdentity(identity: CosignFile["identities"][number]): string {
    checkName(identity.name);
    checkScopes(identity.scopes);
    if (!identity.issuer && !identity.issuerRegExp) throw new ManagedTrustError('give "issuer" or "issuerRegExp" (the OIDC issuer, as cosign verify --certificate-oidc-issuer)');
    if (!identity.subject && !identity.subjectRegExp) throw new ManagedTrustError('give "subject" or "subjectRegExp" (the certificate identity, as cosign verify --certificate-identity)');
    for (const re of [identity.issuerRegExp, identity.subjectRegExp]) {
      if (re === undefined) continue;
      try {
        new RegExp(re);
      } catch {
        throw new ManagedTrustError(`"${re}" is not a regular expression`);
      }
    }
    const cosign = this.cosign();
    if (cosign.identities.some((i) => i.name === identity.name)) throw new ManagedTrustError(`an identity named "${identity.name}" exists; remove it first or choose another name`);
    cosign.identities.push(identity);
    this.writeCosign(cosign);
    return `keyless identity "${identity.name}" (${identity.subject ?? identity.subjectRegExp} from ${identity.issuer ?? identity.issuerRegExp}) for ${identity.scopes.join(", ")}`;
  }

  removeIdentity(name: string): string {
    const cosign = this.cosign();
    if (!cosign.identities.some((i) => i.name === name)) throw new ManagedTrustError(`no identity named "${name}" is managed here`);
    this.writeCosign({ ...cosign, identities: cosign.identities.filter((i) => i.name !== name) });
    return `keyless identity "${name}" removed`;
  }

  private cosign(): CosignFile {
    if (!existsSync(this.cosignPath)) return { keys: [], identities: [] };
    try {
      const v = JSON.parse(readFileSync(this.cosignPath, "utf8")) as CosignFile;
      return { keys: v.keys ?? [], identities: v.identities ?? [] };
    } catch {
      throw new ManagedTrustError(`${this.cosignPath} is not JSON; it is written by Chainsight, restore it or delete it`);
    }
  }

  private writeCosign(v: CosignFile): void {
    this.write(this.cosignPath, `${JSON.stringify(v, null, 2)}\n`);
  }

  /** Write to a temporary file, then rename: a reader never sees half a file. */
  private write(path: string, text: string): void {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, text, { mode: 0o644 });
    renameSync(tmp, path);
  }
}

function limit(text: string, what: string): void {
  if (text.length > MAX_TEXT) throw new ManagedTrustError(`${what} is ${text.length} characters; trust files are small, at most ${MAX_TEXT}`);
}

function checkName(name: string): void {
  if (!/^[^\u0000-\u001f]{1,100}$/.test(name)) throw new ManagedTrustError("a name is 1 to 100 characters, without control characters");
}

function checkScopes(scopes: string[]): void {
  if (scopes.length === 0) throw new ManagedTrustError('give at least one scope ("*" for every repository, or <host>/<repository> globs)');
  for (const s of scopes) if (!/^[A-Za-z0-9.*:_/-]{1,255}$/.test(s)) throw new ManagedTrustError(`scope "${s}" is not <host>/<repository> with * or ** globs`);
}
