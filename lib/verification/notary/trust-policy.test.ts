import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { applicableStatement, parseDn, parseTrustPolicy, TrustPolicyError } from "./trust-policy";

const NOTATION = join(__dirname, "../../../e2e/fixtures/verification/notation");
const cases: { file: string; documentValid: boolean; error?: string }[] = JSON.parse(readFileSync(join(NOTATION, "cases.json"), "utf8")).trustPolicies.cases;

describe("trust policy documents from notation's e2e tests", () => {
  it("covers the 44 documents", () => {
    expect(cases.length).toBe(44);
  });

  it.each(cases.map((c) => [c.file, c.documentValid, c.error] as const))("%s: accepted = %s", (file, valid, error) => {
    const text = readFileSync(join(NOTATION, file), "utf8");
    if (valid) {
      expect(() => parseTrustPolicy(text)).not.toThrow();
      return;
    }
    expect(() => parseTrustPolicy(text)).toThrow(TrustPolicyError);
    // notation's own words, where the case records them (those cut with "..." are compared by their start)
    const expected = error?.split("...")[0].replace(/\.$/, "").trim();
    if (expected && !expected.startsWith("existing blob") && expected.length > 10) {
      const message = (() => {
        try {
          parseTrustPolicy(text);
        } catch (err) {
          return (err as Error).message;
        }
      })();
      expect(message).toContain(expected.replace(/oci trust policy/g, "trust policy"));
    }
  });

  it("a specific scope wins over '*', and no statement applies to a scope the document does not name", () => {
    const doc = parseTrustPolicy(readFileSync(join(NOTATION, "config/trustpolicies/multi_statements_with_wildcard_registry_scope_trustpolicy.json"), "utf8"));
    const specific = doc.statements.find((s) => s.registryScopes.some((r) => r.endsWith("test-repo9")))!;
    expect(applicableStatement(doc, specific.registryScopes[0])?.name).toBe(specific.name);
    expect(applicableStatement(doc, "elsewhere.example/app")?.registryScopes).toEqual(["*"]);
    const scoped = parseTrustPolicy(readFileSync(join(NOTATION, "config/trustpolicies/registry_scope_trustpolicy.json"), "utf8"));
    expect(applicableStatement(scoped, "localhost:5000/test-repo")).toBeDefined();
    expect(applicableStatement(scoped, "localhost:5000/other")).toBeUndefined();
  });

  it("blob policies load but apply to no repository", () => {
    const doc = parseTrustPolicy(readFileSync(join(NOTATION, "blob/trustpolicies/trustpolicy.blob.json"), "utf8"));
    expect(doc.kind).toBe("blob");
    expect(applicableStatement(doc, "localhost:5000/x")).toBeUndefined();
  });

  it("distinguished names: escapes, quotes and S for ST", () => {
    expect(parseDn('CN=a\\, b, O="x, y", S=WA, C=US')).toEqual([["CN", "a, b"], ["O", "x, y"], ["ST", "WA"], ["C", "US"]]);
  });
});
