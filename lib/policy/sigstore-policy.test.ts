import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parsePublicKey, parseTrustedRoot, type SigstoreTrust } from "../verification/sigstore/trust";
import { verifySigstoreBundle } from "../verification/sigstore/verify-bundle";
import type { SignatureResult } from "../verification/verify-graph";
import { signatureRule } from "./evaluate";

// The signature rule on Sigstore conformance bundles verified offline with their trusted roots: a keyless identity
// and a key, named as the configuration names them. Expected identities come from the cases' own description.

const CONFORMANCE = join(__dirname, "../../e2e/fixtures/verification/sigstore-conformance");
interface Case {
  case: string;
  path: string;
  expected: "valid" | "invalid";
  trustedRoot: string;
  artifact: string;
  publicKey?: string | null;
  identity?: { subjectAlternativeName: string; issuer: string } | null;
}
const cases: Case[] = JSON.parse(readFileSync(join(CONFORMANCE, "cases.json"), "utf8")).cases;

function verified(c: Case, identityName: string): SignatureResult {
  const bundle = new Uint8Array(readFileSync(join(CONFORMANCE, c.path, "bundle.sigstore.json")));
  const artifact = new Uint8Array(readFileSync(join(CONFORMANCE, c.artifact)));
  const trust: SigstoreTrust = {
    trustedRoot: parseTrustedRoot(readFileSync(join(CONFORMANCE, c.trustedRoot), "utf8")),
    keys: c.publicKey ? [{ name: "team-key", publicKey: parsePublicKey(readFileSync(join(CONFORMANCE, c.publicKey), "utf8"), "team-key"), scopes: ["*"] }] : [],
    identities: c.identity ? [{ name: identityName, subject: c.identity.subjectAlternativeName, issuer: c.identity.issuer, scopes: ["*"] }] : [],
  };
  const subject = `sha256:${createHash("sha256").update(artifact).digest("hex")}`;
  const r = verifySigstoreBundle({ bundle, artifact, subjectDigest: subject, scope: "registry.example/app", trust });
  return { ...r, digest: `sha256:${createHash("sha256").update(bundle).digest("hex")}`, layer: 0, subject, kind: "signature", label: "Sigstore bundle" };
}

describe("signature rule on Sigstore bundles", () => {
  const keyless = cases.find((c) => c.expected === "valid" && c.identity && !c.publicKey)!;
  const keyed = cases.find((c) => c.expected === "valid" && c.publicKey)!;

  it("accepts a keyless signature by the identity the policy names, and only that one", () => {
    const s = verified(keyless, "release-workflow");
    expect(s.verdict).toBe("verified");
    const ok = signatureRule({ trustedBy: [{ identity: "release-workflow" }], minSigners: 1 }, [s]);
    expect(ok).toMatchObject({ outcome: "pass", reason: expect.stringContaining(keyless.identity!.subjectAlternativeName) });
    // The same signer, named in the policy by issuer and identity pattern rather than by a configured name.
    const san = keyless.identity!.subjectAlternativeName;
    const pattern = `${san.slice(0, san.lastIndexOf("/") + 1)}*`;
    expect(signatureRule({ trustedBy: [{ keyless: { issuer: keyless.identity!.issuer, subject: pattern } }], minSigners: 1 }, [s]).outcome).toBe("pass");
    expect(signatureRule({ trustedBy: [{ keyless: { issuer: "https://issuer.example", subject: pattern } }], minSigners: 1 }, [s]).outcome).toBe("fail");
    const other = signatureRule({ trustedBy: [{ identity: "someone-else" }, { notation: "wabbit" }], minSigners: 1 }, [s]);
    expect(other).toMatchObject({ outcome: "fail", reason: expect.stringContaining('policy accepts only identity "someone-else" or Notary trust policy "wabbit"') });
  });

  it("accepts a key by name, and counts the keyless identity and the key as two signers", () => {
    const k = verified(keyed, "release-workflow");
    expect(k.verdict).toBe("verified");
    expect(signatureRule({ trustedBy: [{ key: "team-key" }], minSigners: 1 }, [k]).outcome).toBe("pass");
    const both = signatureRule({ minSigners: 2 }, [k, verified(keyless, "release-workflow"), verified(keyless, "release-workflow")]);
    expect(both).toMatchObject({ outcome: "pass", reason: expect.stringContaining("2 distinct signers") });
  });
});
