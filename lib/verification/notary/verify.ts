import { isKnownAlgorithm, notaryAlgorithmFor, describeKey, verifyJoseSignature } from "../signature-math";
import { checkRevocation, type CrlSource } from "../revocation";
import { verifyTimestampToken } from "../timestamp";
import { CheckList, type SignatureVerification, type Verdict } from "../verdict";
import { parseCertificate, type Certificate } from "../x509";
import { codeSigningChainProblem } from "./cert-rules";
import { EnvelopeError, Header, NOTARY_PAYLOAD_TYPE, parseEnvelope, type NotaryEnvelope } from "./envelope";
import type { TrustStores } from "./trust-store";
import { applicableStatement, identityMatches, type Action, type TrustPolicyDocument, type TrustPolicyStatement, type Validation } from "./trust-policy";

/**
 * Notary Project signature verification, in the order of notation's
 * verifier: integrity (envelope, certificate chain, signature, signed
 * target), authenticity (trust store, trusted identity), authentic
 * timestamp, expiry, revocation. Each validation is enforced, logged or
 * skipped as the applicable trust policy statement says.
 */

export interface SubjectDescriptor {
  digest: string;
  mediaType: string;
  size: number;
}

export interface NotaryTrust {
  policy?: TrustPolicyDocument;
  stores: TrustStores;
  crls: CrlSource;
}

export interface NotaryVerifyInput {
  /** The envelope layer's media type: application/jose+json or application/cose. */
  envelopeMediaType: string;
  envelope: Uint8Array;
  subject: SubjectDescriptor;
  /** "host/repository" the trust policy's registryScopes are matched against. */
  scope: string;
  trust: NotaryTrust;
  now: Date;
}

const LABELS = {
  policy: "Trust policy",
  envelope: "Envelope",
  certificateChain: "Certificate chain",
  signature: "Signature",
  targetArtifact: "Signed artifact",
  trustStore: "Trust store",
  trustedIdentity: "Trusted identity",
  authenticTimestamp: "Authentic timestamp",
  expiry: "Expiry",
  revocation: "Revocation",
} as const;

type Step = keyof typeof LABELS;

/** What a failed step makes of the verdict. */
const FAILURE_VERDICT: Record<Step, Verdict> = {
  policy: "no-policy",
  envelope: "invalid",
  certificateChain: "invalid",
  signature: "invalid",
  targetArtifact: "invalid",
  trustStore: "untrusted",
  trustedIdentity: "untrusted",
  authenticTimestamp: "invalid",
  expiry: "expired",
  revocation: "revoked",
};

export async function verifyNotarySignature(input: NotaryVerifyInput): Promise<SignatureVerification> {
  const format = input.envelopeMediaType === "application/cose" ? "notation-cose" : "notation-jws";
  const list = new CheckList();
  let verdict: Verdict | undefined;
  let summary = "";
  let timestamp: SignatureVerification["timestamp"];
  let env: NotaryEnvelope | undefined;
  let chain: Certificate[] = [];
  /** SHA-256 of the trust store certificate the chain ends in, once found. */
  let trustedRoot: string | undefined;
  const decide = (step: Step, reason: string, v: Verdict = FAILURE_VERDICT[step]) => {
    list.fail(step, LABELS[step], reason);
    if (!verdict) {
      verdict = v;
      summary = `${LABELS[step]}: ${reason}`;
    }
  };
  /** Records a validation under the policy's action for it. Returns false when it failed and was enforced. */
  const validation = (step: Step, v: Validation, ok: boolean, reason: string, failVerdict?: Verdict): boolean => {
    const action: Action = statement?.actions[v] ?? "enforce";
    if (ok) {
      list.pass(step, LABELS[step], reason);
      return true;
    }
    if (action === "skip") {
      list.skip(step, LABELS[step], `not checked: the trust policy "${statement?.name}" skips ${v}`);
      return true;
    }
    if (action === "log") {
      list.log(step, LABELS[step], `${reason} (only logged: the trust policy "${statement?.name}" does not enforce ${v})`);
      return true;
    }
    decide(step, reason, failVerdict);
    return false;
  };
  const skipRest = (steps: Step[], why: string) => {
    for (const s of steps) if (!list.checks.some((c) => c.name === s)) list.skip(s, LABELS[s], why);
  };

  const statement = input.trust.policy ? applicableStatement(input.trust.policy, input.scope) : undefined;

  // Integrity is checked even when no policy applies: a tampered signature is invalid whatever the policy.
  try {
    env = parseEnvelope(input.envelopeMediaType, input.envelope);
  } catch (err) {
    decide("envelope", err instanceof EnvelopeError ? err.message : `the envelope cannot be read: ${String(err)}`);
    skipRest(Object.keys(LABELS) as Step[], "not checked: the envelope cannot be read");
    return finish();
  }
  const envelopeProblem = envelopeRulesProblem(env);
  if (envelopeProblem) decide("envelope", envelopeProblem);
  else list.pass("envelope", LABELS.envelope, `${env.envelope === "jws" ? "JWS" : "COSE"} envelope, ${env.alg}, signing scheme ${String(env.signingScheme)}, all critical headers understood`);

  if (!verdict) {
    try {
      chain = env.certificates.map((der, i) => {
        try {
          return parseCertificate(der);
        } catch (err) {
          throw new Error(`certificate ${i + 1} of the chain cannot be read (${(err as Error).message})`);
        }
      });
      const problem = codeSigningChainProblem(chain);
      if (problem) decide("certificateChain", problem);
      else list.pass("certificateChain", LABELS.certificateChain, `${chain.length} certificate(s), leaf ${chain[0].subject}, each issued by the next${chain.length > 1 ? ", ending in a self-signed root" : " (self-signed)"}`);
    } catch (err) {
      decide("certificateChain", (err as Error).message);
    }
  }
  const leaf = chain[0];
  if (!verdict && leaf) {
    const expected = notaryAlgorithmFor(leaf);
    if (!isKnownAlgorithm(env.alg)) decide("signature", `algorithm ${env.alg} is not one the Notary Project allows (PS256/384/512, ES256/384/512)`);
    else if (expected !== env.alg) decide("signature", `the envelope says ${env.alg} but the signing key is ${describeKey(leaf)}, which signs with ${expected ?? "no Notary algorithm"}`);
    else if (!verifyJoseSignature(env.alg, leaf.publicKey, env.signingInput, env.signature)) decide("signature", `the ${env.alg} signature does not verify with the signing certificate's key: the envelope was changed after signing`);
    else list.pass("signature", LABELS.signature, `${env.alg} signature verifies with the key of ${leaf.subject}`);
  }
  if (!verdict) {
    const problem = targetProblem(env.payload, input.subject);
    if (problem) decide("targetArtifact", problem);
    else list.pass("targetArtifact", LABELS.targetArtifact, `the signed payload names ${input.subject.digest} (${input.subject.mediaType}, ${input.subject.size} bytes): this artifact`);
  }
  if (verdict) {
    skipRest(["policy", "trustStore", "trustedIdentity", "authenticTimestamp", "expiry", "revocation"], "not checked: the signature's integrity failed");
    return finish();
  }

  if (!statement) {
    decide("policy", input.trust.policy ? `no trust policy statement applies to ${input.scope} (no registryScopes entry names it and there is no "*" statement)` : "no Notary Project trust policy is configured (verification.notation.trustPolicy)");
    skipRest(["trustStore", "trustedIdentity", "authenticTimestamp", "expiry", "revocation"], "not checked: no trust policy applies");
    return finish();
  }
  if (statement.level === "skip") {
    decide("policy", `the trust policy statement "${statement.name}" skips signature verification for ${input.scope}`);
    skipRest(["trustStore", "trustedIdentity", "authenticTimestamp", "expiry", "revocation"], `not checked: "${statement.name}" has level skip`);
    return finish();
  }
  list.pass("policy", LABELS.policy, `statement "${statement.name}" applies to ${input.scope} (level ${statement.level})`);

  // Authenticity
  const scheme = env.signingScheme as string;
  const storeType = scheme === "notary.x509.signingAuthority" ? "signingAuthority" : "ca";
  const missingStores = statement.trustStores.filter((s) => s.type !== "tsa" && !input.trust.stores.get(s.type, s.name));
  const stores = statement.trustStores.filter((s) => s.type === storeType);
  const anchors = stores.flatMap((s) => input.trust.stores.get(s.type, s.name) ?? []);
  let authentic = true;
  if (missingStores.length > 0) {
    authentic = validation("trustStore", "authenticity", false, `the trust store${missingStores.length > 1 ? "s" : ""} ${missingStores.map((s) => `"${s.name}" of type "${s.type}"`).join(", ")} named by "${statement.name}" do${missingStores.length > 1 ? "" : "es"} not exist`, "error");
  } else {
    const trusted = chain.find((c) => anchors.some((a) => a.sha256 === c.sha256));
    trustedRoot = trusted?.sha256;
    authentic = validation(
      "trustStore",
      "authenticity",
      !!trusted,
      trusted
        ? `${trusted.subject} is in trust store ${stores.map((s) => `${s.type}:${s.name}`).join(", ")}`
        : stores.length === 0
          ? `"${statement.name}" names no ${storeType} trust store, which a ${scheme} signature needs`
          : `no certificate of the chain (leaf ${leaf.subject}) is in trust store ${stores.map((s) => `${s.type}:${s.name}`).join(", ")}`,
    );
  }
  if (authentic && list.checks.at(-1)?.result === "passed") {
    const match = statement.trustedIdentities.find((id) => identityMatches(id, leaf.subjectAttributes));
    validation(
      "trustedIdentity",
      "authenticity",
      !!match,
      match ? (match.subject === "*" ? "any identity is trusted (\"*\")" : `${leaf.subject} matches "${match.text}"`) : `${leaf.subject} matches none of the trusted identities of "${statement.name}" (${statement.trustedIdentities.map((i) => i.text).join("; ")})`,
    );
  } else if (!list.checks.some((c) => c.name === "trustedIdentity")) {
    list.skip("trustedIdentity", LABELS.trustedIdentity, "not checked: the signer is not in a trust store");
  }

  // Authentic timestamp
  if (!verdict) {
    const r = await authenticTimestamp(env, chain, statement, input);
    if (r.timestamp) timestamp = r.timestamp;
    validation("authenticTimestamp", "authenticTimestamp", r.ok, r.reason, r.expired ? "expired" : "invalid");
  }
  // Expiry
  if (!verdict) {
    const expiry = env.expiry instanceof Date ? env.expiry : undefined;
    if (!expiry) list.pass("expiry", LABELS.expiry, "the signature has no expiry");
    else validation("expiry", "expiry", expiry.getTime() > input.now.getTime(), expiry.getTime() > input.now.getTime() ? `the signature is valid until ${expiry.toISOString()}` : `the signature expired on ${expiry.toISOString()}`);
  }
  // Revocation
  if (!verdict) {
    const r = await checkRevocation(chain, input.trust.crls, input.now);
    if (r.status === "revoked") validation("revocation", "revocation", false, r.reason, "revoked");
    else if (r.status === "unknown") validation("revocation", "revocation", false, r.reason, "error");
    else list.pass("revocation", LABELS.revocation, r.reason);
  }
  skipRest(["authenticTimestamp", "expiry", "revocation"], "not checked: an earlier enforced check failed");
  return finish();

  function finish(): SignatureVerification {
    const v = verdict ?? "verified";
    const leafCert = chain[0];
    return {
      format,
      verdict: v,
      summary: verdict ? summary : `verified: signed by ${leafCert?.subject}${statement ? ` under trust policy "${statement.name}"` : ""}${list.warnings.length ? ` (${list.warnings.length} check(s) only logged)` : ""}`,
      checks: list.checks,
      signer: leafCert ? { kind: "x509", subject: leafCert.subject, issuer: leafCert.issuer } : undefined,
      signingTime: env?.signingTime instanceof Date ? env.signingTime.toISOString() : env?.authenticSigningTime instanceof Date ? env.authenticSigningTime.toISOString() : undefined,
      timestamp,
      policy: statement?.name,
      trustRoot: trustedRoot ? `x509:${trustedRoot}` : undefined,
      warnings: list.warnings,
      changesAt: nextChange(),
    };
  }

  function nextChange(): string | undefined {
    const now = input.now.getTime();
    const moments = [env?.expiry instanceof Date ? env.expiry.getTime() : undefined, ...chain.flatMap((c) => [c.notBefore.getTime(), c.notAfter.getTime()])].filter((t): t is number => t !== undefined && t > now);
    return moments.length ? new Date(Math.min(...moments)).toISOString() : undefined;
  }
}

const NOTARY_HEADERS = new Set<string>(Object.values(Header));
const MUST_BE_CRITICAL = [Header.expiry, Header.authenticSigningTime, Header.verificationPlugin, Header.verificationPluginMinVersion];

/** The envelope rules of the signature specification, as the first violation in words. */
export function envelopeRulesProblem(env: NotaryEnvelope): string | undefined {
  if (env.contentType !== NOTARY_PAYLOAD_TYPE) return `the payload content type is ${JSON.stringify(env.contentType)}, not ${NOTARY_PAYLOAD_TYPE}`;
  if (env.signingScheme !== "notary.x509" && env.signingScheme !== "notary.x509.signingAuthority") return `the signing scheme is ${JSON.stringify(env.signingScheme)}; it must be "notary.x509" or "notary.x509.signingAuthority"`;
  if (!env.critical.includes(Header.signingScheme)) return `the header ${Header.signingScheme} is not marked critical`;
  for (const name of env.critical) {
    if (!env.protectedHeaders.has(name)) return `the critical header ${name} is listed in crit but not present`;
    if (name.startsWith("io.cncf.notary.") && !NOTARY_HEADERS.has(name)) return `the critical header ${name} is not one this verifier understands`;
  }
  for (const name of MUST_BE_CRITICAL) if (env.protectedHeaders.has(name) && !env.critical.includes(name)) return `the header ${name} is present but not marked critical`;
  if (env.signingScheme === "notary.x509") {
    if (env.signingTime === undefined) return `the header ${Header.signingTime} is missing (required by signing scheme notary.x509)`;
    if (env.signingTime === "invalid") return `the header ${Header.signingTime} is not a time`;
  } else {
    if (env.authenticSigningTime === undefined) return `the header ${Header.authenticSigningTime} is missing (required by signing scheme notary.x509.signingAuthority)`;
    if (env.authenticSigningTime === "invalid") return `the header ${Header.authenticSigningTime} is not a time`;
  }
  if (env.expiry === "invalid") return `the header ${Header.expiry} is not a time`;
  const signed = env.signingTime instanceof Date ? env.signingTime : env.authenticSigningTime instanceof Date ? env.authenticSigningTime : undefined;
  if (signed && env.expiry instanceof Date && env.expiry.getTime() <= signed.getTime()) return `the signature expires (${env.expiry.toISOString()}) before it was signed (${signed.toISOString()})`;
  return undefined;
}

function targetProblem(payload: Uint8Array, subject: SubjectDescriptor): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(payload).toString("utf8"));
  } catch {
    return "the signed payload is not JSON";
  }
  const target = (doc as { targetArtifact?: unknown } | null)?.targetArtifact as { digest?: unknown; mediaType?: unknown; size?: unknown } | undefined;
  if (!target || typeof target !== "object") return "the signed payload has no targetArtifact";
  if (target.digest !== subject.digest) return `the signature is for ${String(target.digest)}, not for this artifact (${subject.digest})`;
  if (target.mediaType !== subject.mediaType) return `the signature is for media type ${String(target.mediaType)}, but this artifact is ${subject.mediaType}`;
  if (target.size !== subject.size) return `the signature is for ${String(target.size)} bytes, but this artifact is ${subject.size} bytes`;
  return undefined;
}

async function authenticTimestamp(
  env: NotaryEnvelope,
  chain: Certificate[],
  statement: TrustPolicyStatement,
  input: NotaryVerifyInput,
): Promise<{ ok: boolean; reason: string; expired?: boolean; timestamp?: SignatureVerification["timestamp"] }> {
  if (env.signingScheme === "notary.x509.signingAuthority") {
    const t = env.authenticSigningTime as Date;
    const bad = chain.find((c) => t < c.notBefore || t > c.notAfter);
    return bad
      ? { ok: false, reason: `the authentic signing time ${t.toISOString()} is outside the validity of ${bad.subject} (${bad.notBefore.toISOString()} – ${bad.notAfter.toISOString()})`, expired: t > bad.notAfter }
      : { ok: true, reason: `the authentic signing time ${t.toISOString()} is within the validity of every certificate`, timestamp: { time: t.toISOString(), authority: "signing authority" } };
  }
  const expiredNow = chain.find((c) => input.now > c.notAfter);
  const notYet = chain.find((c) => input.now < c.notBefore);
  if (statement.verifyTimestamp === "afterCertExpiry" && !expiredNow && !notYet) {
    return { ok: true, reason: "every certificate is valid now; the policy checks timestamps only after certificates expire (afterCertExpiry)" };
  }
  const tsaStores = statement.trustStores.filter((s) => s.type === "tsa");
  if (tsaStores.length === 0 || !env.timestampToken) {
    if (tsaStores.length > 0 && !env.timestampToken) {
      return { ok: false, reason: `no timestamp countersignature was found, but the policy "${statement.name}" requires one (trust store ${tsaStores.map((s) => `tsa:${s.name}`).join(", ")})` };
    }
    if (expiredNow) return { ok: false, reason: `certificate ${expiredNow.subject} expired on ${expiredNow.notAfter.toISOString()} and no trusted timestamp proves the signature was made before that`, expired: true };
    if (notYet) return { ok: false, reason: `certificate ${notYet.subject} is not valid before ${notYet.notBefore.toISOString()}` };
    return { ok: true, reason: `no timestamp ${env.timestampToken ? "checked (the policy names no tsa trust store)" : "in the signature"}; every certificate of the chain is valid now` };
  }
  const roots = tsaStores.flatMap((s) => input.trust.stores.get("tsa", s.name) ?? []);
  const missing = tsaStores.filter((s) => !input.trust.stores.get("tsa", s.name));
  if (missing.length > 0) return { ok: false, reason: `the TSA trust store ${missing.map((s) => `tsa:${s.name}`).join(", ")} named by "${statement.name}" does not exist` };
  const ts = await verifyTimestampToken(env.timestampToken, env.signature, roots);
  if (!ts.ok || !ts.time) return { ok: false, reason: ts.reason };
  const timestamp = { time: ts.time.toISOString(), authority: ts.authority ?? "timestamp authority" };
  const earliest = new Date(ts.time.getTime() - ts.accuracyMs);
  const latest = new Date(ts.time.getTime() + ts.accuracyMs);
  for (const c of chain) {
    if (earliest < c.notBefore) return { ok: false, reason: `the timestamp ${ts.time.toISOString()} is before certificate ${c.subject} became valid (${c.notBefore.toISOString()})`, timestamp };
    if (latest > c.notAfter) return { ok: false, reason: `the timestamp ${ts.time.toISOString()} is after certificate ${c.subject} expired (${c.notAfter.toISOString()})`, expired: true, timestamp };
  }
  return { ok: true, reason: `${ts.reason}; every certificate of the chain was valid then`, timestamp };
}

