import { createHash } from "node:crypto";
import { bundleFromJSON, type Bundle } from "@sigstore/bundle";
import { TrustedRoot } from "@sigstore/protobuf-specs";
import { toSignedEntity, toTrustMaterial, Verifier, type Signer as SigstoreSigner } from "@sigstore/verify";
import { CheckList, signerText, type SignatureFormat, type SignatureVerification, type Signer, type Verdict } from "../verdict";
import { describeIdentity, identityMatches, scopeMatches, type NamedKey, type SigstoreTrust } from "./trust";

/**
 * Sigstore bundles (v0.1 – v0.3), fully offline: @sigstore/verify checks the
 * timestamps (Rekor SET / inclusion proof, RFC 3161), the signing key
 * (Fulcio chain and SCTs, or a configured key), the log entry and the
 * signature against the user's trusted root. What it does not check is ours:
 * that the signature is about this subject, and who is trusted to sign here.
 */

export interface BundleVerifyInput {
  /** The bundle JSON (bytes or parsed). */
  bundle: Uint8Array | object;
  /** The bytes a message signature is over. */
  artifact?: Uint8Array;
  /** What the signature must be about ("sha256:<hex>"): an in-toto subject digest, or the digest of `artifact`. */
  subjectDigest: string;
  scope: string;
  trust: SigstoreTrust;
  format?: SignatureFormat;
  /** Statement predicate types accepted for DSSE bundles (default: any). */
  predicateTypes?: string[];
  /** The bundle came from cosign's legacy annotations; wording only. */
  legacy?: boolean;
  /**
   * false: the signature has no transparency log entry (cosign signed with
   * --tlog-upload=false). Accepted for configured keys only: for a
   * certificate nothing would prove when it was made.
   */
  requireTlog?: boolean;
}

const LABELS = {
  bundle: "Bundle",
  timestamps: "Transparency log and timestamps",
  signingKey: "Signing certificate or key",
  tlogEntry: "Log entry matches",
  signature: "Signature",
  subject: "Signed subject",
  identity: "Trusted identity",
} as const;
type Step = keyof typeof LABELS;

const CODE_STEP: Record<string, Step> = {
  TIMESTAMP_ERROR: "timestamps",
  TLOG_INCLUSION_PROOF_ERROR: "timestamps",
  TLOG_INCLUSION_PROMISE_ERROR: "timestamps",
  TLOG_MISSING_INCLUSION_ERROR: "timestamps",
  CERTIFICATE_ERROR: "signingKey",
  PUBLIC_KEY_ERROR: "signingKey",
  TLOG_BODY_ERROR: "tlogEntry",
  TLOG_ERROR: "tlogEntry",
  SIGNATURE_ERROR: "signature",
};
const ORDER: Step[] = ["timestamps", "signingKey", "tlogEntry", "signature"];

const EMPTY_ROOT = TrustedRoot.fromJSON({ mediaType: "application/vnd.dev.sigstore.trustedroot+json;version=0.1", tlogs: [], certificateAuthorities: [], ctlogs: [], timestampAuthorities: [] });

export function verifySigstoreBundle(input: BundleVerifyInput): SignatureVerification {
  const format: SignatureFormat = input.format ?? "sigstore-bundle";
  const list = new CheckList();
  let verdict: Verdict | undefined;
  let summary = "";
  let signer: Signer | undefined;
  let timestamp: SignatureVerification["timestamp"] = undefined;
  let policy: string | undefined;
  const fail = (step: Step, reason: string, v: Verdict) => {
    list.fail(step, LABELS[step], reason);
    if (!verdict) {
      verdict = v;
      summary = `${LABELS[step]}: ${reason}`;
    }
  };
  const skipRest = (why: string) => {
    for (const s of Object.keys(LABELS) as Step[]) if (!list.checks.some((c) => c.name === s)) list.skip(s, LABELS[s], why);
  };
  const finish = (): SignatureVerification => ({
    format,
    verdict: verdict ?? "verified",
    summary: verdict ? summary : `verified: signed by ${signerText(signer)}`,
    checks: list.checks,
    signer,
    timestamp,
    policy,
    trustRoot: signer?.kind === "key" ? `key:${signer.keyName}` : signer?.kind === "keyless" ? `keyless:${signer.oidcIssuer ?? "?"} ${signer.san ?? "?"}` : undefined,
    warnings: list.warnings,
  });

  let bundle: Bundle;
  try {
    const json = input.bundle instanceof Uint8Array ? JSON.parse(Buffer.from(input.bundle).toString("utf8")) : input.bundle;
    bundle = bundleFromJSON(json);
  } catch (err) {
    fail("bundle", `the bundle cannot be read: ${err instanceof SyntaxError ? "it is not JSON" : (err as Error).message?.slice(0, 200)}`, "invalid");
    skipRest("not checked: the bundle cannot be read");
    return finish();
  }
  const content = bundle.content;
  const material = bundle.verificationMaterial.content;
  list.pass("bundle", LABELS.bundle, `${input.legacy ? "cosign signature (legacy annotations)" : bundle.mediaType}, ${content.$case === "dsseEnvelope" ? "DSSE envelope" : "message signature"}, ${material.$case === "publicKey" ? "signed with a key" : "signed with a certificate"}`);
  timestamp = timestampOf(bundle);

  // Which keys may have signed here, or whether an identity policy exists, decides what a pass means.
  const keys = input.trust.keys.filter((k) => k.scopes.some((s) => scopeMatches(s, input.scope)));
  if (material.$case === "publicKey" && keys.length === 0) {
    fail("signingKey", `signed with a key (hint "${material.publicKey.hint || "none"}"), but no public key is configured for ${input.scope}`, "no-policy");
    skipRest("not checked: no key to check against");
    return finish();
  }
  if (material.$case !== "publicKey" && !input.trust.trustedRoot) {
    fail("signingKey", "signed with a Fulcio or private-CA certificate, but no Sigstore trusted root is configured (verification.sigstore.trustedRoot)", "no-policy");
    skipRest("not checked: no trusted root");
    return finish();
  }

  const withoutLog = input.requireTlog === false;
  if (withoutLog && material.$case !== "publicKey") {
    fail("timestamps", "signed with a certificate but without a transparency log entry (no dev.sigstore.cosign/bundle annotation): nothing proves the signature was made while the short-lived certificate was valid", "invalid");
    skipRest("not checked: no log entry");
    return finish();
  }
  const root = input.trust.trustedRoot ?? EMPTY_ROOT;
  const artifact = input.artifact ? Buffer.from(input.artifact) : undefined;
  const candidates: (NamedKey | undefined)[] = material.$case === "publicKey" ? keys : [undefined];
  let result: { ok: true; signer: SigstoreSigner; key?: NamedKey } | { ok: false; step: Step; message: string } | undefined;
  for (const key of candidates) {
    const trustMaterial = toTrustMaterial(root, key ? () => ({ publicKey: key.publicKey, validFor: () => true }) : undefined);
    // Without a trusted root, a key signature cannot have its log entry checked: say so rather than fail.
    const options = input.trust.trustedRoot && !withoutLog ? {} : { tlogThreshold: 0, ctlogThreshold: 0, timestampThreshold: 0 };
    try {
      const entity = toSignedEntity(bundle, artifact);
      const s = new Verifier(trustMaterial, options).verify(entity);
      result = { ok: true, signer: s, key };
      break;
    } catch (err) {
      const code = (err as { code?: string }).code ?? "";
      const step = CODE_STEP[code] ?? "signature";
      const message = (err as Error).message ?? String(err);
      // A wrong key shows as a signature failure: try the next configured key.
      if (!result || result.ok === false) result = { ok: false, step, message: `${message}${code ? ` (${code})` : ""}` };
    }
  }
  if (!result || !result.ok) {
    const r = result ?? { step: "signature" as Step, message: "not verified" };
    for (const step of ORDER) {
      if (step === r.step) break;
      list.pass(step, LABELS[step], passText(step, input));
    }
    const keyOnly = material.$case === "publicKey" && (r.step === "signature" || r.step === "signingKey");
    const v: Verdict = keyOnly ? "untrusted" : r.step === "signingKey" ? "untrusted" : "invalid";
    fail(r.step, keyOnly ? `the signature does not verify with any key configured for ${input.scope} (${keys.map((k) => `"${k.name}"`).join(", ")}): ${r.message}` : r.message, v);
    skipRest("not checked: an earlier check failed");
    return finish();
  }
  for (const step of ORDER) {
    if (step === "timestamps" && withoutLog) list.skip(step, LABELS[step], "not checked: the signature has no transparency log entry (signed with a key, without uploading to Rekor)");
    else if (step === "timestamps" && !input.trust.trustedRoot) list.skip(step, LABELS[step], "not checked: no Sigstore trusted root is configured, so the log entry and timestamps cannot be verified");
    else list.pass(step, LABELS[step], passText(step, input));
  }

  const binding = bindingProblem(bundle, input);
  if (binding) {
    fail("subject", binding, "invalid");
    skipRest("not checked: the signature is not about this artifact");
    return finish();
  }
  list.pass("subject", LABELS.subject, content.$case === "dsseEnvelope" ? `the in-toto statement names ${input.subjectDigest}` : `the signature is over this artifact (${input.subjectDigest})`);

  if (result.key) {
    signer = { kind: "key", keyName: result.key.name };
    policy = result.key.name;
    list.pass("identity", LABELS.identity, `signed with the configured key "${result.key.name}"`);
    return finish();
  }
  const san = result.signer.identity?.subjectAlternativeName;
  const issuer = result.signer.identity?.extensions?.issuer;
  signer = { kind: "keyless", san, oidcIssuer: issuer };
  const identities = input.trust.identities.filter((i) => i.scopes.some((s) => scopeMatches(s, input.scope)));
  if (identities.length === 0) {
    fail("identity", `the signature holds, but no keyless identity is configured for ${input.scope}: anyone with a Sigstore certificate could have made it (signer ${san ?? "unknown"}, issuer ${issuer ?? "unknown"})`, "no-policy");
    return finish();
  }
  const match = identities.find((i) => identityMatches(i, san, issuer));
  if (!match) {
    fail("identity", `signer ${san ?? "unknown"} (issuer ${issuer ?? "unknown"}) is none of the identities trusted for ${input.scope}: ${identities.map(describeIdentity).join("; ")}`, "untrusted");
    return finish();
  }
  policy = match.name;
  list.pass("identity", LABELS.identity, `${san} from ${issuer} matches ${describeIdentity(match)}`);
  return finish();
}

function passText(step: Step, input: BundleVerifyInput): string {
  switch (step) {
    case "timestamps":
      return "the log entry's inclusion (promise or proof) and the timestamps verify against the trusted root";
    case "signingKey":
      return "the signing certificate chains to a trusted certificate authority at signing time (or the key is a configured one)";
    case "tlogEntry":
      return "the transparency log entry records this signature and key";
    case "signature":
      return input.legacy ? "the signature over the cosign payload verifies" : "the signature verifies";
    default:
      return "passed";
  }
}

function timestampOf(bundle: Bundle): SignatureVerification["timestamp"] {
  const entry = bundle.verificationMaterial.tlogEntries.find((e) => Number(e.integratedTime) > 0);
  if (entry) return { time: new Date(Number(entry.integratedTime) * 1000).toISOString(), authority: `Rekor transparency log (entry ${entry.logIndex})` };
  return undefined;
}

function bindingProblem(bundle: Bundle, input: BundleVerifyInput): string | undefined {
  const [algorithm, hex] = input.subjectDigest.split(":");
  if (bundle.content.$case === "messageSignature") {
    if (!input.artifact) return "a message signature needs the signed bytes, which were not available";
    const digest = createHash(algorithm).update(input.artifact).digest("hex");
    return digest === hex ? undefined : `the signature is over ${algorithm}:${digest}, not ${input.subjectDigest}`;
  }
  const envelope = bundle.content.dsseEnvelope;
  if (envelope.payloadType !== "application/vnd.in-toto+json") return `the DSSE payload is ${envelope.payloadType}, not an in-toto statement`;
  let statement: { subject?: { digest?: Record<string, string> }[]; predicateType?: string };
  try {
    statement = JSON.parse(Buffer.from(envelope.payload).toString("utf8"));
  } catch {
    return "the in-toto statement is not JSON";
  }
  if (input.predicateTypes && !input.predicateTypes.includes(statement.predicateType ?? "")) return `the statement's predicate type is ${statement.predicateType}, not ${input.predicateTypes.join(" or ")}`;
  const subjects = Array.isArray(statement.subject) ? statement.subject : [];
  if (subjects.length === 0) return "the in-toto statement names no subject";
  if (!subjects.some((s) => s?.digest?.[algorithm] === hex)) {
    return `the in-toto statement is about ${subjects.map((s) => (s?.digest?.[algorithm] ? `${algorithm}:${s.digest[algorithm].slice(0, 19)}…` : "a subject without a " + algorithm + " digest")).join(", ")}, not ${input.subjectDigest}`;
  }
  return undefined;
}
