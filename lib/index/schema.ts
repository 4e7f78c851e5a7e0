import { sql, type Kysely, type Migration } from "kysely";

/**
 * The supply-chain index's tables, one query layer (Kysely) over SQLite and
 * PostgreSQL. Two halves:
 *
 * - where things are (registry, repository, tag → digest; what is attached to
 *   each image, its signatures) — changes with the registry, rewritten per
 *   image when its tag list or supply chain changes;
 * - what documents say, by the digest of the artifact carrying them (an SBOM's
 *   packages, a scan's findings, VEX statements) — content is immutable, so a
 *   digest parsed once is never fetched or parsed again, whichever registry or
 *   repository it turns up in.
 *
 * Search joins the second to the first; rights are applied to the first
 * (registry and repository) before anything is shown.
 */

export interface IndexStateTable {
  registry_id: string;
  repositories_total: number | null;
  repositories_done: number;
  tags_total: number;
  tags_done: number;
  started_at: string | null;
  completed_at: string | null;
  last_error: string | null;
  /** During a walk: every repository up to this one (in code-point order) is done; a restart resumes after it. */
  resume_after: string | null;
  updated_at: string;
}

export interface IndexRepositoriesTable {
  registry_id: string;
  repository: string;
  /** Hash of the sorted tag list last indexed: an unchanged list means nothing to do. */
  tag_list_hash: string | null;
  tags: number;
  indexed_at: string | null;
  error: string | null;
}

export interface IndexTagsTable {
  registry_id: string;
  repository: string;
  tag: string;
  digest: string;
}

export interface IndexImagesTable {
  registry_id: string;
  repository: string;
  digest: string;
  media_type: string;
  created: string | null;
  /** The image's verdict (verified, invalid, untrusted …), null when nothing signs it. */
  verdict: string | null;
  sbom: number;
  scanned: number;
  attested: number;
  referrers: number;
  indexed_at: string;
}

export interface IndexAttachmentsTable {
  registry_id: string;
  repository: string;
  image_digest: string;
  digest: string;
  artifact_type: string | null;
  kind: string;
  created: string | null;
  /** JSON object of the artifact's annotations. */
  annotations: string;
}

export interface IndexSignaturesTable {
  registry_id: string;
  repository: string;
  image_digest: string;
  signature_digest: string;
  format: string;
  verdict: string;
  /** The signer in words (certificate subject, keyless identity and issuer, or key name). */
  signer: string;
  /** What it signs: the image or a platform manifest (own = 1), or an attached artifact (an SBOM). */
  subject_digest: string | null;
  own: number;
  /** The trust policy statement, key or identity that applied; the trust root (to count distinct signers). */
  policy: string | null;
  trust_root: string | null;
  /** JSON of the structured signer (kind, subject, key name, identity). */
  signer_json: string | null;
  summary: string | null;
}

export interface IndexDocumentsTable {
  /** The digest of the artifact (referrer manifest) carrying the document. */
  digest: string;
  kind: string;
  format: string;
  tool: string | null;
  created: string | null;
  /** Why it could not be read, when it could not. */
  error: string | null;
  parsed_at: string;
  /** Provenance: the builder id and source repository URI. */
  builder: string | null;
  source: string | null;
}

export interface IndexPackagesTable {
  document_digest: string;
  name: string;
  /** Lower-cased name, for case-insensitive search through an index. */
  name_key: string;
  /** Lower-cased last part of a namespaced name ("stack-cors" of "asm89/stack-cors", "log4j-core" of a Maven group/name). */
  base_key: string;
  version: string | null;
  purl: string | null;
  ecosystem: string | null;
  licenses: string;
}

export interface IndexFindingsTable {
  document_digest: string;
  vulnerability: string;
  severity: string;
  package_name: string | null;
  installed_version: string | null;
  fixed_version: string | null;
  purl: string | null;
}

export interface IndexVexTable {
  document_digest: string;
  vulnerability: string;
  status: string;
  /** JSON array of product identifiers. */
  products: string;
}

export interface IndexLeaseTable {
  name: string;
  /** Which server process holds it (host, pid and a random part). */
  holder: string;
  /** ISO time; a lease past it may be taken by anyone. */
  expires_at: string;
}

export interface IndexPendingTable {
  registry_id: string;
  repository: string;
  requested_at: string;
}

/**
 * Signature verification results, shared by replicas (and kept over restarts): by signature, subject, trust and
 * scope, until they expire (the configured time, or sooner when a certificate or signature does).
 */
export interface VerificationResultsTable {
  key: string;
  /** JSON array of the results (one per signature layer). */
  results: string;
  /** ISO time. */
  expires_at: string;
}

/** One row per day, registry, namespace and policy ("" for the plain shares): the trend line of the coverage page. */
export interface CoverageSnapshotsTable {
  day: string;
  registry_id: string;
  namespace: string;
  policy: string;
  images: number;
  signed: number;
  sbom: number;
  scanned: number;
  provenance: number;
  passing: number;
  failing: number;
  unknown: number;
}

export interface IndexDatabase {
  index_lease: IndexLeaseTable;
  index_pending: IndexPendingTable;
  index_state: IndexStateTable;
  index_repositories: IndexRepositoriesTable;
  index_tags: IndexTagsTable;
  index_images: IndexImagesTable;
  index_attachments: IndexAttachmentsTable;
  index_signatures: IndexSignaturesTable;
  index_documents: IndexDocumentsTable;
  index_packages: IndexPackagesTable;
  index_findings: IndexFindingsTable;
  index_vex: IndexVexTable;
  verification_results: VerificationResultsTable;
  coverage_snapshots: CoverageSnapshotsTable;
}

/** Migrations in order; each runs once per database (Kysely's migrator keeps the list). */
export const MIGRATIONS: Record<string, Migration> = {
  "0001-index": {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable("index_state")
        .addColumn("registry_id", "text", (c) => c.primaryKey())
        .addColumn("repositories_total", "integer")
        .addColumn("repositories_done", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("tags_total", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("tags_done", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("started_at", "text")
        .addColumn("completed_at", "text")
        .addColumn("last_error", "text")
        .addColumn("updated_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("index_repositories")
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("tag_list_hash", "text")
        .addColumn("tags", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("indexed_at", "text")
        .addColumn("error", "text")
        .addPrimaryKeyConstraint("index_repositories_pk", ["registry_id", "repository"])
        .execute();
      await db.schema
        .createTable("index_tags")
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("tag", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("index_tags_pk", ["registry_id", "repository", "tag"])
        .execute();
      await db.schema.createIndex("index_tags_digest").on("index_tags").columns(["registry_id", "repository", "digest"]).execute();
      await db.schema
        .createTable("index_images")
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull())
        .addColumn("media_type", "text", (c) => c.notNull())
        .addColumn("created", "text")
        .addColumn("verdict", "text")
        .addColumn("sbom", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("scanned", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("attested", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("referrers", "integer", (c) => c.notNull().defaultTo(0))
        .addColumn("indexed_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("index_images_pk", ["registry_id", "repository", "digest"])
        .execute();
      await db.schema
        .createTable("index_attachments")
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("image_digest", "text", (c) => c.notNull())
        .addColumn("digest", "text", (c) => c.notNull())
        .addColumn("artifact_type", "text")
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("created", "text")
        .addColumn("annotations", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("index_attachments_pk", ["registry_id", "repository", "image_digest", "digest"])
        .execute();
      await db.schema.createIndex("index_attachments_digest").on("index_attachments").column("digest").execute();
      await db.schema.createIndex("index_attachments_type").on("index_attachments").column("artifact_type").execute();
      await db.schema
        .createTable("index_signatures")
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("image_digest", "text", (c) => c.notNull())
        .addColumn("signature_digest", "text", (c) => c.notNull())
        .addColumn("format", "text", (c) => c.notNull())
        .addColumn("verdict", "text", (c) => c.notNull())
        .addColumn("signer", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("index_signatures_image").on("index_signatures").columns(["registry_id", "repository", "image_digest"]).execute();
      await db.schema
        .createTable("index_documents")
        .addColumn("digest", "text", (c) => c.primaryKey())
        .addColumn("kind", "text", (c) => c.notNull())
        .addColumn("format", "text", (c) => c.notNull())
        .addColumn("tool", "text")
        .addColumn("created", "text")
        .addColumn("error", "text")
        .addColumn("parsed_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("index_packages")
        .addColumn("document_digest", "text", (c) => c.notNull())
        .addColumn("name", "text", (c) => c.notNull())
        .addColumn("name_key", "text", (c) => c.notNull())
        .addColumn("base_key", "text", (c) => c.notNull())
        .addColumn("version", "text")
        .addColumn("purl", "text")
        .addColumn("ecosystem", "text")
        .addColumn("licenses", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("index_packages_name").on("index_packages").column("name_key").execute();
      await db.schema.createIndex("index_packages_base").on("index_packages").column("base_key").execute();
      await db.schema.createIndex("index_packages_document").on("index_packages").column("document_digest").execute();
      await db.schema
        .createTable("index_findings")
        .addColumn("document_digest", "text", (c) => c.notNull())
        .addColumn("vulnerability", "text", (c) => c.notNull())
        .addColumn("severity", "text", (c) => c.notNull())
        .addColumn("package_name", "text")
        .addColumn("installed_version", "text")
        .addColumn("fixed_version", "text")
        .execute();
      await db.schema.createIndex("index_findings_vulnerability").on("index_findings").column("vulnerability").execute();
      await db.schema.createIndex("index_findings_document").on("index_findings").column("document_digest").execute();
      await db.schema
        .createTable("index_vex")
        .addColumn("document_digest", "text", (c) => c.notNull())
        .addColumn("vulnerability", "text", (c) => c.notNull())
        .addColumn("status", "text", (c) => c.notNull())
        .addColumn("products", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("index_vex_vulnerability").on("index_vex").column("vulnerability").execute();
      // Signer search goes through its own index too.
      await sql`create index index_signatures_signer on index_signatures (signer)`.execute(db);
    },
  },
  "0002-lease": {
    async up(db: Kysely<unknown>) {
      // One crawler among replicas: whoever holds the lease walks; the others serve reads and queue events.
      await db.schema
        .createTable("index_lease")
        .addColumn("name", "text", (c) => c.primaryKey())
        .addColumn("holder", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema
        .createTable("index_pending")
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("repository", "text", (c) => c.notNull())
        .addColumn("requested_at", "text", (c) => c.notNull())
        .addPrimaryKeyConstraint("index_pending_pk", ["registry_id", "repository"])
        .execute();
    },
  },
  "0003-resume-and-verification": {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable("index_state").addColumn("resume_after", "text").execute();
      await db.schema
        .createTable("verification_results")
        .addColumn("key", "text", (c) => c.primaryKey())
        .addColumn("results", "text", (c) => c.notNull())
        .addColumn("expires_at", "text", (c) => c.notNull())
        .execute();
      await db.schema.createIndex("verification_results_expiry").on("verification_results").column("expires_at").execute();
    },
  },
  "0004-policy-evidence": {
    async up(db: Kysely<unknown>) {
      // What policies are judged on, kept in the index so that coverage needs no registry and follows the policies
      // as they are now (a new policy needs no new walk).
      for (const [name, type] of [["subject_digest", "text"], ["own", "integer"], ["policy", "text"], ["trust_root", "text"], ["signer_json", "text"], ["summary", "text"]] as const) {
        await db.schema.alterTable("index_signatures").addColumn(name, type, (c) => (name === "own" ? c.notNull().defaultTo(1) : c)).execute();
      }
      await db.schema.alterTable("index_documents").addColumn("builder", "text").execute();
      await db.schema.alterTable("index_documents").addColumn("source", "text").execute();
      await db.schema.alterTable("index_findings").addColumn("purl", "text").execute();
      await db.schema
        .createTable("coverage_snapshots")
        .addColumn("day", "text", (c) => c.notNull())
        .addColumn("registry_id", "text", (c) => c.notNull())
        .addColumn("namespace", "text", (c) => c.notNull())
        .addColumn("policy", "text", (c) => c.notNull())
        .addColumn("images", "integer", (c) => c.notNull())
        .addColumn("signed", "integer", (c) => c.notNull())
        .addColumn("sbom", "integer", (c) => c.notNull())
        .addColumn("scanned", "integer", (c) => c.notNull())
        .addColumn("provenance", "integer", (c) => c.notNull())
        .addColumn("passing", "integer", (c) => c.notNull())
        .addColumn("failing", "integer", (c) => c.notNull())
        .addColumn("unknown", "integer", (c) => c.notNull())
        .addPrimaryKeyConstraint("coverage_snapshots_pk", ["day", "registry_id", "namespace", "policy"])
        .execute();
      // Everything indexed before lacks the new columns: the next walk reads it all again.
      for (const table of ["index_documents", "index_packages", "index_findings", "index_vex"]) await sql`delete from ${sql.table(table)}`.execute(db);
      await sql`update index_repositories set tag_list_hash = null`.execute(db);
      // Until that walk completes, pages say the index is not complete rather than show counts without documents.
      await sql`update index_state set completed_at = null`.execute(db);
    },
  },
};
