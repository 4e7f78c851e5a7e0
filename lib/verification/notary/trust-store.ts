import { lstatSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parseCertificates, type Certificate } from "../x509";
import type { TrustStoreType } from "./trust-policy";
import { TRUST_STORE_TYPES } from "./trust-policy";

/**
 * Trust stores as notation lays them out: `x509/<type>/<name>/<cert files>`,
 * with type ca, signingAuthority or tsa. Files are PEM (any number of
 * certificates) or DER.
 */

export interface TrustStores {
  /** The store's certificates, or undefined when no such store exists. */
  get(type: TrustStoreType, name: string): Certificate[] | undefined;
  /** "ca:e2e" … for messages. */
  names(): string[];
}

export class TrustStoreError extends Error {}

export class MemoryTrustStores implements TrustStores {
  constructor(private readonly stores: Map<string, Certificate[]> = new Map()) {}
  add(type: TrustStoreType, name: string, certs: Certificate[]): this {
    this.stores.set(`${type}:${name}`, [...(this.stores.get(`${type}:${name}`) ?? []), ...certs]);
    return this;
  }
  get(type: TrustStoreType, name: string): Certificate[] | undefined {
    return this.stores.get(`${type}:${name}`);
  }
  names(): string[] {
    return [...this.stores.keys()].sort();
  }
}

const CERT_FILE = /\.(crt|cer|pem|der)$/i;
const MAX_CERT_FILE = 1024 * 1024;

/** Reads a notation trust store folder (the one holding `x509/`, or `x509/` itself). */
export function loadTrustStores(root: string): MemoryTrustStores {
  const x509 = isDir(join(root, "x509")) ? join(root, "x509") : root;
  if (!isDir(x509)) throw new TrustStoreError(`trust store folder ${root} does not exist (expected x509/{ca,signingAuthority,tsa}/<name>/ inside)`);
  const stores = new MemoryTrustStores();
  for (const type of TRUST_STORE_TYPES) {
    const typeDir = join(x509, type);
    if (!isDir(typeDir)) continue;
    for (const name of readdirSync(typeDir).sort()) {
      const dir = join(typeDir, name);
      if (!isDir(dir)) continue;
      const certs: Certificate[] = [];
      for (const file of readdirSync(dir).sort()) {
        const path = join(dir, file);
        const st = lstatSync(path);
        if (!st.isFile() || !CERT_FILE.test(file)) continue;
        if (st.size > MAX_CERT_FILE) throw new TrustStoreError(`trust store file x509/${type}/${name}/${file} is ${st.size} bytes, larger than a certificate file can be`);
        try {
          certs.push(...parseCertificates(new Uint8Array(readFileSync(path))));
        } catch (err) {
          throw new TrustStoreError(`trust store file x509/${type}/${name}/${file} holds no readable certificate: ${(err as Error).message}`);
        }
      }
      stores.add(type, name, certs);
    }
  }
  return stores;
}

function isDir(p: string): boolean {
  try {
    return lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}
