import { basename, dirname, resolve } from "node:path";
import type { Credentials } from "../oci/auth/credentials";
import { LayoutStore } from "../oci/layout-store";
import { formatReference, parseReference, referenceTarget, registryEndpoint } from "../oci/reference";
import { RegistryClient } from "../oci/registry-client";
import type { Store } from "../oci/store";
import type { BlobReader, BlobWriter } from "../promotion/copy";
import { UsageError } from "./cli";

/** One end of a command that reads or writes an image: a registry reference, or an OCI layout folder. */
export interface End {
  store: Store & BlobReader & BlobWriter;
  repository: string;
  reference?: string;
  host: string;
  shown: string;
}

export interface EndOptions {
  /** `<folder>(:<tag>|@<digest>)` of an OCI layout instead of a registry reference. */
  layout: boolean;
  plainHttp: boolean;
  username?: string;
  password?: string;
  /** For messages: the flag and the variable that carry the credentials. */
  usernameFlag: string;
  passwordEnv: string;
  /** Only a tag is taken from the reference (a copy's target names no digest). */
  tagOnly: boolean;
  /** A layout folder may be written (created when missing). */
  writable: boolean;
}

export function openEnd(input: string, o: EndOptions): End {
  if (o.layout) {
    const m = /^(.*?)(?:@(sha256:[0-9a-f]{64})|:([A-Za-z0-9_][A-Za-z0-9._-]{0,127}))?$/.exec(input);
    const folder = resolve(m?.[1] ?? input);
    return { store: new LayoutStore({ root: dirname(folder), name: "oci-layout", allowDelete: o.writable }), repository: basename(folder), reference: m?.[2] ?? m?.[3], host: `oci-layout:${dirname(folder)}`, shown: input };
  }
  const ref = parseReference(input);
  if (o.username !== undefined && o.password === undefined) throw new UsageError(`${o.usernameFlag} needs $${o.passwordEnv}`);
  const credentials: Credentials = o.username !== undefined ? { kind: "basic", username: o.username, password: o.password! } : { kind: "anonymous" };
  const host = registryEndpoint(ref.registry);
  return {
    store: new RegistryClient({ host, name: ref.registry, plainHttp: o.plainHttp, credentials }),
    repository: ref.repository,
    reference: o.tagOnly ? ref.tag : ref.tag || ref.digest ? referenceTarget(ref) : undefined,
    host,
    shown: formatReference(ref),
  };
}
