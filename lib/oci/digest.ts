import { createHash } from "node:crypto";
import { InvalidReferenceError } from "./errors";

/** Digest grammar of the image spec (descriptor.md). */
export const DIGEST_PATTERN = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+$/;

const REGISTERED: Record<string, RegExp> = {
  sha256: /^[a-f0-9]{64}$/,
  sha512: /^[a-f0-9]{128}$/,
};

export interface ParsedDigest {
  algorithm: string;
  encoded: string;
}

/**
 * Validate a digest: the grammar of the image spec, and one of the
 * algorithms it registers that this process can verify (sha256, sha512) in
 * its exact encoded form. Anything else (md5:…, foo:bar, v1:extra) is refused
 * before a request is made: content under a digest we cannot check could be
 * anything.
 */
export function parseDigest(input: string): ParsedDigest {
  if (!DIGEST_PATTERN.test(input)) {
    throw new InvalidReferenceError(
      "digest",
      input,
      'expected "<algorithm>:<hex>", for example sha256: followed by 64 lowercase hex characters',
    );
  }
  const i = input.indexOf(":");
  const algorithm = input.slice(0, i);
  const encoded = input.slice(i + 1);
  const rule = REGISTERED[algorithm];
  if (!rule) {
    throw new InvalidReferenceError(
      "digest",
      input,
      `unsupported digest algorithm "${algorithm.slice(0, 32)}": use sha256 or sha512 (the algorithms the OCI image spec registers)`,
    );
  }
  if (!rule.test(encoded)) {
    const len = algorithm === "sha256" ? 64 : 128;
    throw new InvalidReferenceError(
      "digest",
      input,
      `${algorithm} digests have exactly ${len} lowercase hex characters (got ${encoded.length})`,
    );
  }
  return { algorithm, encoded };
}

/** The digests parseDigest accepts, as one pattern: a test on hot paths, no exception built per non-digest. */
const VALID_DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(input: string): boolean {
  return VALID_DIGEST.test(input);
}

/** Whether this process can compute (and so verify) digests of this algorithm. */
export function canVerify(digest: string): boolean {
  const alg = digest.slice(0, digest.indexOf(":"));
  return alg === "sha256" || alg === "sha512";
}

export function computeDigest(bytes: Uint8Array, algorithm: "sha256" | "sha512" = "sha256"): string {
  return `${algorithm}:${createHash(algorithm).update(bytes).digest("hex")}`;
}

/** True when `bytes` hash to `digest`; undefined when the algorithm is unknown. */
export function verifyDigest(bytes: Uint8Array, digest: string): boolean | undefined {
  if (!canVerify(digest)) return undefined;
  const alg = digest.slice(0, digest.indexOf(":")) as "sha256" | "sha512";
  return computeDigest(bytes, alg) === digest;
}

export function shortDigest(digest: string, length = 12): string {
  const i = digest.indexOf(":");
  return i < 0 ? digest.slice(0, length) : digest.slice(i + 1, i + 1 + length);
}

const TAG_UNSAFE = /[^a-zA-Z0-9_.-]/g;

/**
 * The referrers tag schema name for a digest: `<alg>-<ref>`, algorithm cut to
 * 32 characters, encoded part to 64, characters not allowed in tags replaced by `-`.
 */
export function referrersTagFor(digest: string): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm.slice(0, 32).replace(TAG_UNSAFE, "-")}-${encoded.slice(0, 64).replace(TAG_UNSAFE, "-")}`;
}

export type CosignSuffix = "sig" | "att" | "sbom";

/** cosign's legacy tag for a digest: `sha256-<hex>.sig|.att|.sbom`. */
export function cosignTagFor(digest: string, suffix: CosignSuffix): string {
  const { algorithm, encoded } = parseDigest(digest);
  return `${algorithm}-${encoded}.${suffix}`;
}

export type DigestTag =
  | { kind: "referrers"; subjectDigest: string; tag: string }
  | { kind: "cosign"; subjectDigest: string; suffix: CosignSuffix; tag: string }
  | { kind: "other"; subjectDigest: string; suffix: string; tag: string };

const DIGEST_TAG = /^(sha256|sha512)-([a-f0-9]{64}|[a-f0-9]{128})(?:\.(.+))?$/;

/**
 * Recognise tags derived from a digest: referrers-tag-schema indexes
 * (`sha256-<hex>`), cosign tags (`sha256-<hex>.sig`) and other suffixed forms
 * (for example regclient's `.meta`). Returns undefined for ordinary tags.
 * Tag-schema names of sha512 digests are truncated to 64 hex characters and
 * so cannot be mapped back to a full digest; they are recognised as
 * referrers tags of an unknown subject only when sha256.
 */
export function parseDigestTag(tag: string): DigestTag | undefined {
  const m = DIGEST_TAG.exec(tag);
  if (!m) return undefined;
  const [, algorithm, hex, suffix] = m;
  if (algorithm === "sha256" && hex.length !== 64) return undefined;
  if (algorithm === "sha512" && hex.length !== 128 && !(hex.length === 64 && suffix === undefined)) return undefined;
  const subjectDigest = `${algorithm}:${hex}`;
  if (suffix === undefined) return { kind: "referrers", subjectDigest, tag };
  if (suffix === "sig" || suffix === "att" || suffix === "sbom") return { kind: "cosign", subjectDigest, suffix, tag };
  return { kind: "other", subjectDigest, suffix, tag };
}
