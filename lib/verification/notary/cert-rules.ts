import { EKU, isIssuedBy, isSelfSigned, type Certificate } from "../x509";

/**
 * Certificate requirements of the Notary Project signature specification for
 * a code-signing chain (leaf first, root last). Returns the first violation in
 * words, or undefined. Validity periods are not judged here: that belongs to
 * the authentic-timestamp step, which knows at what time to judge them.
 */
export function codeSigningChainProblem(chain: readonly Certificate[]): string | undefined {
  if (chain.length === 0) return "the envelope carries no certificate";
  for (const c of chain) {
    if (c.unknownCriticalExtensions.length > 0) return `certificate ${c.subject} has critical extensions this verifier does not understand (${c.unknownCriticalExtensions.join(", ")})`;
    const keyProblem = keyStrengthProblem(c);
    if (keyProblem) return keyProblem;
  }
  const leaf = chain[0];
  if (chain.length === 1) {
    if (!isSelfSigned(leaf)) return `the chain is the single certificate ${leaf.subject}, which is not self-signed; the envelope must carry the chain up to its root`;
  }
  const leafProblem = leafProblemOf(leaf);
  if (leafProblem) return leafProblem;
  for (let i = 0; i < chain.length - 1; i++) {
    if (!isIssuedBy(chain[i], chain[i + 1])) return `certificate ${chain[i].subject} is not issued by the next certificate of the chain, ${chain[i + 1].subject}`;
  }
  const root = chain[chain.length - 1];
  if (chain.length > 1 && !isSelfSigned(root)) return `the last certificate of the chain, ${root.subject}, is not a self-signed root`;
  for (let i = 1; i < chain.length; i++) {
    const ca = chain[i];
    if (!ca.basicConstraints?.ca) return `certificate ${ca.subject} issues ${chain[i - 1].subject} but is not a CA (basic constraints)`;
    if (!ca.keyUsage?.usages.has("keyCertSign")) return `CA certificate ${ca.subject} may not sign certificates (key usage lacks keyCertSign)`;
    const below = i - 1;
    if (ca.basicConstraints.pathLength !== undefined && below > ca.basicConstraints.pathLength) {
      return `CA certificate ${ca.subject} allows ${ca.basicConstraints.pathLength} intermediate CA(s) below it, the chain has ${below}`;
    }
  }
  return undefined;
}

function leafProblemOf(leaf: Certificate): string | undefined {
  if (leaf.basicConstraints?.ca) return `the signing certificate ${leaf.subject} is a CA certificate (basic constraints CA:TRUE); a signature must come from a leaf`;
  if (!leaf.keyUsage) return `the signing certificate ${leaf.subject} has no key usage extension; it must have one with digitalSignature`;
  if (!leaf.keyUsage.usages.has("digitalSignature")) return `the signing certificate ${leaf.subject} may not make digital signatures (key usage lacks digitalSignature)`;
  const extra = (["keyCertSign", "cRLSign"] as const).filter((u) => leaf.keyUsage!.usages.has(u));
  if (extra.length > 0) return `the signing certificate ${leaf.subject} has key usage ${extra.join(", ")}, which a code-signing leaf must not have`;
  const eku = leaf.extendedKeyUsage;
  if (eku && eku.length > 0) {
    if (!eku.includes(EKU.codeSigning)) return `the signing certificate ${leaf.subject} is not for code signing (its extended key usage lacks codeSigning)`;
    const excluded = [EKU.any, EKU.serverAuth, EKU.emailProtection, EKU.ocspSigning, EKU.timeStamping].filter((o) => eku.includes(o));
    if (excluded.length > 0) return `the signing certificate ${leaf.subject} has extended key usages a code-signing certificate must not have (${excluded.join(", ")})`;
  }
  return undefined;
}

function keyStrengthProblem(c: Certificate): string | undefined {
  if (c.keyType === "rsa" || c.keyType === "rsa-pss") return (c.keySize ?? 0) < 2048 ? `certificate ${c.subject} has an RSA key of ${c.keySize} bits; at least 2048 are required` : undefined;
  if (c.keyType === "ec") return [256, 384, 521].includes(c.keySize ?? 0) ? undefined : `certificate ${c.subject} uses an unsupported elliptic curve`;
  return `certificate ${c.subject} has a ${c.keyType} key; Notary signatures use RSA or ECDSA keys`;
}
