import { describe, expect, it } from "vitest";
import { compareVerification, type VerifiedSignature } from "./verification";

// The verdict of a promotion's signatures: verified at the source must stay verified at the target; a target no trust
// covers is said so, and is not a broken copy.

const sig = (digest: string, verdict: VerifiedSignature["verdict"], summary: string = verdict): VerifiedSignature => ({ digest, layer: 0, label: "Notary Project signature", verdict, summary });
const copied = new Set(["sha256:a", "sha256:b", "sha256:c"]);

describe("signatures compared after a copy", () => {
  it("agree when each verifies at both ends", () => {
    const c = compareVerification([sig("sha256:a", "verified"), sig("sha256:b", "verified")], [sig("sha256:a", "verified"), sig("sha256:b", "verified")], copied);
    expect(c).toMatchObject({ agree: true, summary: "all 2 signatures verify at the target" });
  });

  it("disagree when one that verified at the source is invalid or missing at the target, naming it and why", () => {
    const c = compareVerification([sig("sha256:a", "verified"), sig("sha256:b", "verified")], [sig("sha256:a", "invalid", "the payload digest does not match")], copied);
    expect(c.agree).toBe(false);
    expect(c.signatures.map((s) => [s.digest, s.source, s.target])).toEqual([
      ["sha256:a", "verified", "invalid"],
      ["sha256:b", "verified", "missing"],
    ]);
    expect(c.summary).toContain("2 signatures verified at the source but not at the target: Notary Project signature (invalid: the payload digest does not match)");
  });

  it("agree, and say so, when the target is not covered by any trust (no-policy)", () => {
    const c = compareVerification([sig("sha256:a", "verified")], [sig("sha256:a", "no-policy")], copied);
    expect(c.agree).toBe(true);
    expect(c.summary).toMatch(/^0 of 1 signature verify at the target; 1 that verified at the source are not judged there.*registryScopes/);
  });

  it("a signature that did not verify at the source does not count against the copy; signatures of what was not copied are left out", () => {
    const c = compareVerification([sig("sha256:a", "untrusted"), sig("sha256:z", "verified")], [sig("sha256:a", "untrusted")], copied);
    expect(c).toMatchObject({ agree: true, summary: "0 of 1 signature verify at the target, as at the source (the others: 1 untrusted)" });
  });

  it("signatures no trust covers at either end are said to be so, in words", () => {
    const c = compareVerification([sig("sha256:a", "no-policy")], [sig("sha256:a", "no-policy")], copied);
    expect(c).toMatchObject({ agree: true, summary: "0 of 1 signature verify at the target, as at the source (the others: 1 not covered by any trust policy or key (no-policy))" });
  });
});
