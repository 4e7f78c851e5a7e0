import { isObject, str, type Json } from "./fields";
import type { ParsedDocument } from "./model";
import { parseProvenance, statementSubjects } from "./provenance";
import { parseCosignVuln, parseCycloneDxVulnerabilities, parseGrype, parseSarif, parseTrivy } from "./scan";
import { cycloneDxTools, parseCycloneDx, parseSpdx } from "./sbom";
import { parseCycloneDxVex, parseOpenVex } from "./vex";

/**
 * One entry for every attached document: unwrap what carries it (Sigstore
 * bundle, DSSE envelope, in-toto statement), recognise the format from the
 * content (media types are advisory: producers disagree), and parse it.
 * Throws DocumentError naming what the bytes are not.
 */

const DOCUMENT_ERROR = Symbol.for("chainsight.document-error");

/**
 * A document that cannot be read. Recognised across copies of this module too (a page's bundle and a route's each
 * have one, and the parsed-document cache is shared through the server's runtime).
 */
export class DocumentError extends Error {
  constructor(message: string) {
    super(message);
    (this as unknown as Record<symbol, boolean>)[DOCUMENT_ERROR] = true;
  }

  static [Symbol.hasInstance](x: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, x)) return true;
    return this === DocumentError && typeof x === "object" && x !== null && (x as Record<symbol, unknown>)[DOCUMENT_ERROR] === true;
  }
}

export const PREDICATES = {
  spdx: ["https://spdx.dev/Document", "https://spdx.dev/Document/v2.3", "https://spdx.dev/Document/v2.2"],
  cyclonedx: ["https://cyclonedx.org/bom", "https://cyclonedx.org/bom/v1.4", "https://cyclonedx.org/bom/v1.5", "https://cyclonedx.org/bom/v1.6"],
  cosignVuln: "https://cosign.sigstore.dev/attestation/vuln/v1",
  openvex: "https://openvex.dev/ns",
} as const;

export function parseDocumentBytes(bytes: Uint8Array): ParsedDocument {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: false }).decode(bytes));
  } catch {
    throw new DocumentError("the document is not JSON (SPDX, CycloneDX, SARIF, Trivy, Grype, in-toto and VEX documents are read as JSON)");
  }
  return parseDocument(json);
}

export function parseDocument(value: unknown, wrappers: string[] = []): ParsedDocument {
  if (!isObject(value)) throw new DocumentError("the document is not a JSON object");
  const doc = value;
  // Sigstore bundle → its DSSE envelope.
  if (str(doc.mediaType)?.startsWith("application/vnd.dev.sigstore.bundle") && isObject(doc.dsseEnvelope)) return parseDocument(doc.dsseEnvelope, [...wrappers, "Sigstore bundle"]);
  // DSSE envelope → its payload.
  if (typeof doc.payloadType === "string" && typeof doc.payload === "string" && Array.isArray(doc.signatures)) {
    let inner: unknown;
    try {
      inner = JSON.parse(Buffer.from(doc.payload, "base64").toString("utf8"));
    } catch {
      throw new DocumentError(`the DSSE envelope's payload (${doc.payloadType}) is not base64 JSON`);
    }
    return parseDocument(inner, [...wrappers, "DSSE envelope"]);
  }
  // in-toto statement → its predicate, by predicate type.
  if (str(doc._type)?.startsWith("https://in-toto.io/Statement") && isObject(doc.predicate)) {
    const predicateType = str(doc.predicateType) ?? "";
    const subjects = statementSubjects(doc);
    const w = [...wrappers, `in-toto statement (${predicateType || "no predicate type"})`];
    const predicate = doc.predicate;
    let document;
    if (/slsa\.dev\/provenance\//.test(predicateType)) document = parseProvenance(predicateType, predicate, subjects);
    else if (predicateType === PREDICATES.cosignVuln) document = parseCosignVuln(predicate);
    else if ([...PREDICATES.spdx, ...PREDICATES.cyclonedx].includes(predicateType as never) || predicateType.startsWith(PREDICATES.openvex)) {
      const inner = parseDocument(predicate, w);
      return { ...inner, wrappers: w, statementSubjects: subjects, predicateType };
    } else {
      // Read by predicate type only: a statement whose type is misspelt is not taken for what its predicate resembles.
      throw new DocumentError(`the in-toto statement's predicate type ${JSON.stringify(predicateType)} is not one read here (SLSA provenance, SPDX, CycloneDX, cosign vulnerability, OpenVEX)`);
    }
    return { document, wrappers: w, statementSubjects: subjects, predicateType };
  }
  const document = parsePlain(doc);
  // An SBOM that lists vulnerabilities too (trivy --format cyclonedx, grype -o cyclonedx-json) is also a scan.
  const scan = document.kind === "sbom" && document.format === "cyclonedx" && Array.isArray(doc.vulnerabilities) && doc.vulnerabilities.length > 0 ? parseCycloneDxVulnerabilities(doc, document.tools) : undefined;
  return { document, wrappers, ...(scan ? { scan } : {}) };
}

function parsePlain(doc: Json): ParsedDocument["document"] {
  if (typeof doc.spdxVersion === "string") return parseSpdx(doc);
  if (str(doc.bomFormat) === "CycloneDX" || (typeof doc.specVersion === "string" && (Array.isArray(doc.components) || Array.isArray(doc.vulnerabilities)))) {
    const vulnerabilities = Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : [];
    const components = Array.isArray(doc.components) ? doc.components : [];
    // A CycloneDX document is VEX when its vulnerabilities carry an analysis; a scan when it lists findings; else an SBOM.
    if (vulnerabilities.some((v) => isObject(v) && isObject(v.analysis) && str(v.analysis.state))) return parseCycloneDxVex(doc);
    if (vulnerabilities.length > 0 && components.length === 0) return parseCycloneDxVulnerabilities(doc, cycloneDxTools(isObject(doc.metadata) ? doc.metadata.tools : undefined));
    return parseCycloneDx(doc);
  }
  if (Array.isArray(doc.runs) && (str(doc.version) === "2.1.0" || str(doc.$schema)?.includes("sarif"))) return parseSarif(doc);
  if (typeof doc.SchemaVersion === "number" && (Array.isArray(doc.Results) || doc.Results === undefined) && (isObject(doc.Trivy) || typeof doc.ArtifactName === "string")) return parseTrivy(doc);
  if (Array.isArray(doc.matches) && isObject(doc.descriptor)) return parseGrype(doc);
  if (str(doc["@context"])?.startsWith(PREDICATES.openvex)) return parseOpenVex(doc);
  if (isObject(doc.scanner) && isObject(doc.metadata) && ("scanStartedOn" in doc.metadata || "scanFinishedOn" in doc.metadata)) return parseCosignVuln(doc);
  if (isObject(doc.buildDefinition) || (isObject(doc.builder) && (doc.buildType !== undefined || isObject(doc.invocation)))) return parseProvenance("https://slsa.dev/provenance/unknown", doc, []);
  throw new DocumentError("the document is none of the formats read here (SPDX 2.x, CycloneDX, SARIF 2.1.0, Trivy JSON, Grype JSON, cosign vulnerability predicate, SLSA provenance, OpenVEX)");
}
