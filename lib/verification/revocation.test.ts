import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { checkRevocation } from "./revocation";
import { parseCertificates } from "./x509";

// notation's CRL set: LeafCert (0x1000) <- IntermediateCA (0x1002) <- RootCA, CRL distribution points on localhost:10086.
const CRL = join(__dirname, "../../e2e/fixtures/verification/notation/config/crl");
const chain = parseCertificates(readFileSync(join(CRL, "certchain_with_crl.pem"), "utf8"));
const now = new Date("2026-12-01T00:00:00Z");
const crls = (leaf: string, intermediate: string) => (url: string) =>
  url === "http://localhost:10086/leaf.crl" ? new Uint8Array(readFileSync(join(CRL, leaf))) : url === "http://localhost:10086/intermediate.crl" ? new Uint8Array(readFileSync(join(CRL, intermediate))) : undefined;

describe("revocation from supplied CRLs (notation's e2e CRL cases)", () => {
  it("the chain is leaf, intermediate, root", () => {
    expect(chain.map((c) => c.subject.split(",")[0])).toEqual(["CN=LeafCert", "CN=IntermediateCA", "CN=RootCA"]);
  });

  it("leaf.crl + intermediate.crl: good", async () => {
    expect((await checkRevocation(chain, crls("leaf.crl", "intermediate.crl"), now)).status).toBe("good");
  });

  it("leaf_revoked.crl: the leaf is revoked, on 2024-11-11T05:30:52Z", async () => {
    const r = await checkRevocation(chain, crls("leaf_revoked.crl", "intermediate.crl"), now);
    expect(r.status).toBe("revoked");
    expect(r.reason).toContain("CN=LeafCert");
    expect(r.reason).toContain("2024-11-11T05:30:52");
  });

  it("intermediate_revoked.crl: the intermediate is revoked", async () => {
    const r = await checkRevocation(chain, crls("leaf.crl", "intermediate_revoked.crl"), now);
    expect(r.status).toBe("revoked");
    expect(r.reason).toContain("CN=IntermediateCA");
  });

  it("leaf_expired.crl: unknown (expired and signed by another key)", async () => {
    const r = await checkRevocation(chain, crls("leaf_expired.crl", "intermediate.crl"), now);
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("CN=LeafCert");
  });

  it("no CRL supplied for a distribution point: unknown, naming the URL", async () => {
    const r = await checkRevocation(chain, () => undefined, now);
    expect(r.status).toBe("unknown");
    expect(r.reason).toContain("http://localhost:10086/leaf.crl");
  });
});
