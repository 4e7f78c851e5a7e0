import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { DEFAULT_DELETION_DATE_KEYS, DEFAULT_NEW_VERSION_KEYS } from "../metadata/keys";
import { isPostgresUrl } from "../database/open";
import { policiesSchema, type Policy } from "../policy/schema";
import type { Credentials } from "../oci/auth/credentials";
import { isValidRepository, registryEndpoint, validateRegistry } from "../oci/reference";
import { ConfigError } from "./errors";

/**
 * Chainsight's configuration: which registries exist and how to reach them.
 * Read from a YAML or JSON file (path in CHAINSIGHT_CONFIG) and from
 * CHAINSIGHT_REGISTRY_<ID>_* environment variables. Secrets are never inline:
 * the file names an environment variable or a file that holds each one.
 */

const secretRefSchema = z.union(
  [z.strictObject({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "not an environment variable name") }), z.strictObject({ file: z.string().min(1) })],
  { error: "must reference an environment variable ({ env: NAME }) or a file ({ file: PATH }); secrets are never written inline" },
);
type SecretRef = z.infer<typeof secretRefSchema>;

const credentialsSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject({ type: z.literal("none") }),
    z.strictObject({ type: z.literal("basic"), username: z.union([z.string().min(1), secretRefSchema]), password: secretRefSchema }),
    z.strictObject({ type: z.literal("bearer"), token: secretRefSchema }),
    z.strictObject({ type: z.literal("refresh-token"), refreshToken: secretRefSchema, username: z.string().optional() }),
  ],
  { error: 'type must be one of "none", "basic", "bearer", "refresh-token"' },
);

const hostPattern = z
  .string()
  .regex(/^(\*\.)?[A-Za-z0-9.-]+(:\d+)?$|^\[[0-9a-fA-F:.]+\](:\d+)?$/, "not a host name (host or host:port, optionally *.domain)");

const REGISTRY_ID = /^[a-z0-9][a-z0-9-]{0,62}$/;

const registryEntrySchema = z.strictObject({
  id: z.string().regex(REGISTRY_ID, "ids are lower-case letters, digits and '-', at most 63 characters (they appear in URLs)"),
  name: z.string().min(1).max(100).optional(),
  kind: z.enum(["registry", "oci-layout"], { error: 'kind must be "registry" (the distribution API over HTTP) or "oci-layout" (a folder of OCI image layouts)' }).default("registry"),
  /** registry: the API endpoint. */
  url: z.string().min(1).optional(),
  /** oci-layout: the folder holding one layout per repository (relative to the config file). */
  path: z.string().min(1).optional(),
  /** oci-layout: allow deleting manifests (registries decide this themselves). */
  allowDelete: z.boolean().default(false),
  /** Allow http:// (unencrypted). Required for a URL that starts with http://. */
  plainHttp: z.boolean().default(false),
  credentials: credentialsSchema.default({ type: "none" }),
  /** Repositories to show when the registry does not list its catalog (Docker Hub, GHCR). */
  repositories: z.array(z.string().refine(isValidRepository, "not a valid repository name")).optional(),
  /** Further hosts this registry may send us to (token realms, redirects), even on private addresses. */
  allowHosts: z.array(hostPattern).default([]),
  timeoutSeconds: z.number().positive().max(600).default(30),
  /** Most requests in flight to this registry at once. */
  concurrency: z.number().int().min(1).max(256).default(32),
  /**
   * Most requests per second to this registry (Docker Hub, GHCR and gateways in front of Harbor refuse faster
   * clients). Requests beyond it wait their turn, evenly spaced; the background index walk and live calls share it.
   * Default: no limit besides `concurrency`.
   */
  requestsPerSecond: z.number().positive().max(100_000).optional(),
  maxManifestBytes: z.number().int().positive().default(4 * 1024 * 1024),
  /**
   * The host part of this registry's repositories in trust policies
   * ("<trustScope>/<repository>" is matched against notation's registryScopes
   * and cosign key scopes). Default: the registry's host, or "local" for
   * oci-layout stores, as notation names layouts.
   */
  trustScope: z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, "a host name, optionally with a port").optional(),
  /**
   * The shared secret this registry's event notifications carry (Distribution's notifications.endpoints headers,
   * a Harbor webhook's auth header, zot's event sink), as "Authorization: Bearer <secret>". No secret: events
   * for this registry are refused.
   */
  eventsSecret: z.union([z.string().min(16, "an events secret has at least 16 characters"), secretRefSchema]).optional(),
});
export type RegistryEntryInput = z.input<typeof registryEntrySchema>;

const cacheSchema = z.strictObject({
  /** Manifests by digest (immutable). */
  manifestCacheMiB: z.number().positive().default(64),
  /** Small blobs by digest (immutable). */
  blobCacheMiB: z.number().positive().default(64),
  /** Blobs larger than this are never cached. */
  maxCachedBlobKiB: z.number().positive().default(512),
  /** Tag lists, tag → digest, referrers lists, catalogs: they change, so briefly. */
  tagTtlSeconds: z.number().min(0).default(15),
  referrersTtlSeconds: z.number().min(0).default(15),
  catalogTtlSeconds: z.number().min(0).default(60),
  /** Reachability and capability probes. */
  probeTtlSeconds: z.number().min(0).default(60),
});

export const RIGHTS = ["list", "read", "pull", "annotate", "delete", "promote", "admin"] as const;
export type Right = (typeof RIGHTS)[number];

const oidcProviderSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "provider ids are lower-case letters, digits and '-'"),
  name: z.string().min(1).optional(),
  /** "github" (GitHub OAuth app) or "oidc" (any OpenID Connect issuer). */
  type: z.enum(["github", "oidc"], { error: 'type must be "github" or "oidc"' }).default("oidc"),
  issuer: z.string().url("issuer must be a URL").optional(),
  clientId: z.union([z.string().min(1), secretRefSchema]),
  clientSecret: secretRefSchema,
  /** Claim holding the user's groups (OIDC). */
  groupsClaim: z.string().default("groups"),
});

const authSchema = z.strictObject({
  /** Require sign-in for every page and API call. Off: access is open (the local demo). */
  enabled: z.boolean().default(false),
  /** Local users (YAML: users: [{ username, passwordHash, groups }]), relative to the config file. */
  usersFile: z.string().min(1).optional(),
  oidc: z.array(oidcProviderSchema).default([]),
  /** Environment variable holding the session signing secret. */
  secretEnv: z.string().default("NEXTAUTH_SECRET"),
  /** Session lifetime. */
  sessionHours: z.number().positive().max(24 * 30).default(12),
  /** Failed sign-ins allowed per user name and per client address before each further try must wait. */
  signInFreeAttempts: z.number().int().min(1).default(3),
  /** The longest wait after repeated failures (it doubles with each failure until then). */
  signInMaxDelaySeconds: z.number().int().positive().default(900),
});

const grantSchema = z.strictObject({
  /** A registry id, or "*" for every registry. */
  registry: z.string().min(1),
  /** Repository pattern: "*" or "**" (all), "teama/**" (everything below teama/), "teama/*" (one level). */
  repositories: z.string().min(1).default("**"),
  rights: z.array(z.enum(RIGHTS, { error: `rights are ${RIGHTS.join(", ")}` })).min(1),
});

const accessSchema = z.strictObject({
  roles: z.record(z.string(), z.array(grantSchema)).default({}),
  /** Roles by user name (local users, or an OIDC user's login/e-mail). */
  users: z.record(z.string(), z.array(z.string())).default({}),
  /** Roles by group (local users' groups, OIDC groups claim). */
  groups: z.record(z.string(), z.array(z.string())).default({}),
});

const auditSchema = z.strictObject({
  /**
   * Where the audit trail is kept: a SQLite file (relative to the config file; default .data/audit.sqlite) or a
   * postgres:// URL (replicas then share one trail; by env/file reference when it carries a password).
   */
  database: z.union([z.string().min(1), secretRefSchema]).optional(),
  /** The older name of `database`, for a SQLite file. */
  path: z.string().min(1).optional(),
});

const lifecycleSchema = z.strictObject({
  /** Annotation keys that carry a deletion date (the founding talk's artifact.deletion-date). */
  deletionDateKeys: z.array(z.string().min(1)).min(1).default([...DEFAULT_DELETION_DATE_KEYS]),
  /** Annotation keys that name a newer version of an image. */
  newVersionKeys: z.array(z.string().min(1)).default([...DEFAULT_NEW_VERSION_KEYS]),
  /** Default age for "older than" in the retention view. */
  olderThanDays: z.number().int().positive().default(90),
  /** The newest N images of each repository are never cleanup candidates (the view can change it). */
  keepNewest: z.number().int().min(0).default(1),
  /** Never cleanup candidates: images with a tag matching a pattern (`*` any characters), and signed ones. */
  protect: z.strictObject({ tags: z.array(z.string().min(1)).default([]), signed: z.boolean().default(false) }).default({ tags: [], signed: false }),
});

const limitsSchema = z.strictObject({
  /** The overall budget of one API call; past it, requests to registries are stopped and the call answers 504. */
  callSeconds: z.number().positive().max(3600).default(30),
  /** One listing (tags, referrers), all pages together: entries, MiB and pages. */
  maxListEntries: z.number().int().positive().default(100_000),
  maxListMiB: z.number().positive().default(32),
  maxListPages: z.number().int().positive().default(1_000),
  /** Most artifacts one graph shows; discovery stops there and says so. Large groups are drawn as one node, so 10,000 stays usable. */
  maxGraphNodes: z.number().int().min(10).max(100_000).default(10_000),
  /** Largest OCI layout tar accepted by an upload (staged on the server's temporary disk). */
  maxImportMiB: z.number().int().positive().max(1024 * 1024).default(4096),
});

const scopesSchema = z.array(z.string().min(1)).min(1).default(["*"]);

const verificationSchema = z.strictObject({
  /** Notary Project: notation's own files, imported as they are. */
  notation: z
    .strictObject({
      /** A notation trustpolicy.json. */
      trustPolicy: z.string().min(1).optional(),
      /** The folder that holds x509/{ca,signingAuthority,tsa}/<name>/ (notation's truststore folder). */
      trustStore: z.string().min(1).optional(),
      /** CRL files by the distribution point URL the certificates name; nothing is fetched. */
      crls: z.record(z.string().url("CRL keys are the distribution point URLs the certificates name"), z.string().min(1)).default({}),
    })
    .default({ crls: {} }),
  /** Sigstore: the trusted_root.json for keyless and Rekor checks (never fetched). */
  sigstore: z.strictObject({ trustedRoot: z.string().min(1).optional() }).default({}),
  cosign: z
    .strictObject({
      keys: z.array(z.strictObject({ name: z.string().min(1), path: z.string().min(1), scopes: scopesSchema })).default([]),
      identities: z
        .array(
          z.strictObject({
            name: z.string().min(1),
            issuer: z.string().min(1).optional(),
            issuerRegExp: z.string().min(1).optional(),
            subject: z.string().min(1).optional(),
            subjectRegExp: z.string().min(1).optional(),
            scopes: scopesSchema,
          }),
        )
        .default([]),
    })
    .default({ keys: [], identities: [] }),
  /** Verified results are kept this long at most (they are also recomputed when trust changes or a certificate or signature expires). */
  cacheMinutes: z.number().min(0).default(15),
  /** Where trust edited from the dashboard (by an administrator, with sign-in on) is kept, for what this file does not set. */
  managedDir: z.string().min(1).default(".data/trust"),
});

const indexSchema = z.strictObject({
  /** Crawl every configured registry in the background into the index (search, coverage). Off by default. */
  enabled: z.boolean().default(false),
  /** A SQLite file (relative to the config file) or a postgres:// URL; a URL with a password belongs in { env } or { file }. */
  database: z.union([z.string().min(1), secretRefSchema]).default(".data/index.sqlite"),
  /** How often each registry's tag lists are polled (an unchanged list costs one request). */
  intervalMinutes: z.number().positive().max(24 * 60).default(10),
  /** Replicas sharing one database: the crawler's lease lasts this long unless renewed (a dead crawler is replaced after it). */
  leaseSeconds: z.number().min(2).max(3600).default(30),
});

const documentsSchema = z.strictObject({
  /** Largest attached document (SBOM, scan, provenance, VEX) read; larger ones answer 422 naming this key. */
  maxMiB: z.number().positive().max(1024).default(64),
  /** Parsed documents kept in memory, by layer digest (content is immutable). */
  cacheMiB: z.number().min(0).default(256),
});

const serverSchema = z.strictObject({
  /**
   * Trust X-Forwarded-Host / X-Forwarded-Proto / X-Forwarded-For. Only behind a
   * reverse proxy that sets them (and strips what clients send); otherwise
   * any client could claim another origin or address.
   */
  trustForwardedHeaders: z.boolean().default(false),
});

const configSchema = z.strictObject({
  limits: limitsSchema.default(limitsSchema.parse({})),
  server: serverSchema.default(serverSchema.parse({})),
  verification: verificationSchema.default(verificationSchema.parse({})),
  documents: documentsSchema.default(documentsSchema.parse({})),
  index: indexSchema.default(indexSchema.parse({})),
  registries: z.array(registryEntrySchema).default([]),
  /** What an image must have to ship (lib/policy/schema.ts); shown per tag, per image, and checked by `npm run policy`. */
  policies: policiesSchema,
  lifecycle: lifecycleSchema.default(lifecycleSchema.parse({})),
  auth: authSchema.default(authSchema.parse({})),
  access: accessSchema.default(accessSchema.parse({})),
  audit: auditSchema.default(auditSchema.parse({})),
  cache: cacheSchema.default(cacheSchema.parse({})),
  tags: z
    .strictObject({
      /** Sorting by created date reads every tag's manifest and config; above this many tags, filter first. */
      maxForDateSort: z.number().int().positive().default(1000),
    })
    .default({ maxForDateSort: 1000 }),
});
export type ConfigInput = z.input<typeof configSchema>;

export interface RegistryConfig {
  id: string;
  name: string;
  kind: "registry" | "oci-layout";
  /** oci-layout: absolute path of the root folder. */
  path?: string;
  allowDelete: boolean;
  /** `host[:port]` of the API endpoint (oci-layout: empty). */
  host: string;
  plainHttp: boolean;
  /** `https://host[:port]` (or http). */
  origin: string;
  credentials: Credentials;
  repositories?: string[];
  allowHosts: string[];
  timeoutMs: number;
  concurrency: number;
  requestsPerSecond?: number;
  maxManifestBytes: number;
  /** "<trustScope>/<repository>" is what trust policies and key scopes are matched against. */
  trustScope: string;
  /** Event notifications from this registry must carry it (absent: none are accepted). */
  eventsSecret?: string;
}

/** Trust configuration with every path made absolute; the files are read by lib/verification/trust-config. */
export type VerificationConfig = z.infer<typeof verificationSchema>;

export interface OidcProviderConfig {
  id: string;
  name: string;
  type: "github" | "oidc";
  issuer?: string;
  clientId: string;
  clientSecret: string;
  groupsClaim: string;
}

export interface AuthConfig {
  enabled: boolean;
  usersFile?: string;
  oidc: OidcProviderConfig[];
  /** The session secret (from the environment), when set. */
  secret?: string;
  secretEnv: string;
  sessionHours: number;
  signInFreeAttempts: number;
  signInMaxDelaySeconds: number;
}

export type Grant = z.infer<typeof grantSchema>;
export type AccessConfig = z.infer<typeof accessSchema>;

export interface Config {
  registries: RegistryConfig[];
  lifecycle: z.infer<typeof lifecycleSchema>;
  auth: AuthConfig;
  access: AccessConfig;
  policies: Policy[];
  /** The audit trail's database, resolved (a file path or a postgres:// URL). */
  audit: { database: string };
  cache: z.infer<typeof cacheSchema>;
  tags: { maxForDateSort: number };
  limits: z.infer<typeof limitsSchema>;
  server: z.infer<typeof serverSchema>;
  verification: VerificationConfig;
  documents: z.infer<typeof documentsSchema>;
  /** The supply-chain index: `database` resolved (a file path or a postgres:// URL). */
  index: { enabled: boolean; database: string; intervalMinutes: number; leaseSeconds: number };
  /** Where the config came from, for messages. */
  source: string;
}

/** What a browser may see about a registry: never credentials or where they come from. */
export interface PublicRegistry {
  id: string;
  name: string;
  kind: "registry" | "oci-layout";
  /** registry: its origin; oci-layout: `oci-layout:<id>` (the folder is shown to administrators only, as `path`). */
  url: string;
  /** oci-layout, for administrators with sign-in on: the folder on the server. */
  path?: string;
  authentication: Credentials["kind"];
  configuredRepositories: boolean;
}

export function publicRegistry(r: RegistryConfig): PublicRegistry {
  return {
    id: r.id,
    name: r.name,
    kind: r.kind,
    url: r.kind === "oci-layout" ? `oci-layout:${r.id}` : r.origin,
    authentication: r.credentials.kind,
    configuredRepositories: r.repositories !== undefined,
  };
}

type Env = Record<string, string | undefined>;

/** Load the configuration from CHAINSIGHT_CONFIG (if set) and the environment. */
export function loadConfig(env: Env = process.env): Config {
  const path = env.CHAINSIGHT_CONFIG;
  let input: unknown = {};
  let source = "environment";
  let baseDir = process.cwd();
  if (path) {
    const full = resolve(path);
    baseDir = dirname(full);
    source = full;
    let text: string;
    try {
      text = readFileSync(full, "utf8");
    } catch (err) {
      throw new ConfigError(`cannot read the config file ${full} (from CHAINSIGHT_CONFIG): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    try {
      input = /\.json$/i.test(full) ? JSON.parse(text) : parseYaml(text);
    } catch (err) {
      throw new ConfigError(`${full} is not valid ${/\.json$/i.test(full) ? "JSON" : "YAML"}: ${(err as Error).message.split("\n")[0]}`);
    }
    if (input === null || input === undefined) input = {};
  }
  return buildConfig(input, { env, source, baseDir });
}

/** Validate a config document (plus environment registries) and resolve its secrets. */
export function buildConfig(input: unknown, opts: { env?: Env; source?: string; baseDir?: string } = {}): Config {
  const env = opts.env ?? {};
  const source = opts.source ?? "config";
  const parsed = configSchema.safeParse(input);
  if (!parsed.success) throw new ConfigError(`${source}: ${formatIssues(parsed.error.issues)}`);
  const fromEnv = registriesFromEnv(env);
  const entries = [...parsed.data.registries.map((e, i) => ({ e, at: `registries[${i}]` })), ...fromEnv];
  const seen = new Set<string>();
  const registries: RegistryConfig[] = [];
  for (const { e, at } of entries) {
    if (seen.has(e.id)) throw new ConfigError(`${source}: ${at}.id: registry id "${e.id}" is used twice; ids must be unique`);
    seen.add(e.id);
    registries.push(resolveEntry(e, at, { env, source, baseDir: opts.baseDir ?? process.cwd() }));
  }
  const ctx = { env, source, baseDir: opts.baseDir ?? process.cwd() };
  const a = parsed.data.auth;
  const auth: AuthConfig = {
    enabled: a.enabled,
    usersFile: a.usersFile ? (isAbsolute(a.usersFile) ? a.usersFile : resolve(ctx.baseDir, a.usersFile)) : undefined,
    oidc: a.oidc.map((o, i) => {
      const at = `auth.oidc[${i}]`;
      if (o.type === "oidc" && !o.issuer) throw new ConfigError(`${source}: ${at}.issuer: an OpenID Connect provider needs its issuer URL`);
      return {
        id: o.id,
        name: o.name ?? (o.type === "github" ? "GitHub" : o.id),
        type: o.type,
        issuer: o.issuer,
        clientId: resolveSecret(o.clientId, `${at}.clientId`, ctx),
        clientSecret: resolveSecret(o.clientSecret, `${at}.clientSecret`, ctx),
        groupsClaim: o.groupsClaim,
      };
    }),
    secret: env[a.secretEnv] || undefined,
    secretEnv: a.secretEnv,
    sessionHours: a.sessionHours,
    signInFreeAttempts: a.signInFreeAttempts,
    signInMaxDelaySeconds: a.signInMaxDelaySeconds,
  };
  const known = new Set(Object.keys(parsed.data.access.roles));
  for (const [kind, map] of [["users", parsed.data.access.users], ["groups", parsed.data.access.groups]] as const) {
    for (const [who, roles] of Object.entries(map)) {
      for (const role of roles) if (!known.has(role)) throw new ConfigError(`${source}: access.${kind}.${who}: role "${role}" is not defined under access.roles`);
    }
  }
  return {
    registries,
    auth,
    access: parsed.data.access,
    lifecycle: parsed.data.lifecycle,
    audit: { database: resolveAudit(parsed.data.audit, ctx) },
    policies: checkPolicies(parsed.data.policies, registries, parsed.data.verification, source),
    cache: parsed.data.cache,
    tags: parsed.data.tags,
    limits: parsed.data.limits,
    server: parsed.data.server,
    verification: resolveVerification(parsed.data.verification, ctx),
    documents: parsed.data.documents,
    index: resolveIndex(parsed.data.index, ctx),
    source,
  };
}

/** Names a policy refers to must exist: a typo would otherwise make a rule that nothing can ever pass. */
function checkPolicies(policies: Policy[], registries: RegistryConfig[], verification: z.infer<typeof verificationSchema>, source: string): Policy[] {
  const ids = new Set(registries.map((r) => r.id));
  const keys = new Set(verification.cosign.keys.map((k) => k.name));
  const identities = new Set(verification.cosign.identities.map((i) => i.name));
  policies.forEach((p, i) => {
    const at = `${source}: policies[${i}]`;
    p.scope.registries.forEach((r, j) => {
      if (r !== "*" && !ids.has(r)) throw new ConfigError(`${at}.scope.registries[${j}]: no registry has the id "${r}" (${[...ids].join(", ") || "none configured"})`);
    });
    p.require.signature?.trustedBy?.forEach((by, j) => {
      if ("key" in by && !keys.has(by.key)) throw new ConfigError(`${at}.require.signature.trustedBy[${j}].key: verification.cosign.keys has no key named "${by.key}"`);
      if ("identity" in by && !identities.has(by.identity)) throw new ConfigError(`${at}.require.signature.trustedBy[${j}].identity: verification.cosign.identities has no identity named "${by.identity}"`);
    });
  });
  return policies;
}

/** A database setting: a postgres:// URL as it is, a SQLite file made absolute against the config file's folder. */
function resolveDatabase(value: string | SecretRef, at: string, ctx: { env: Env; source: string; baseDir: string }): string {
  const database = resolveCredentialSecret(value, "database", at, ctx);
  if (isPostgresUrl(database)) return database;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(database)) throw new ConfigError(`${ctx.source}: ${at}.database: "${database.split("://")[0]}://" is not a database this server opens; give a SQLite file path or a postgres:// URL`);
  return isAbsolute(database) || database === ":memory:" ? database : resolve(ctx.baseDir, database);
}

function resolveAudit(a: z.infer<typeof auditSchema>, ctx: { env: Env; source: string; baseDir: string }): string {
  if (a.database !== undefined && a.path !== undefined) throw new ConfigError(`${ctx.source}: audit.path: give audit.database only (path is its older name)`);
  return resolveDatabase(a.database ?? a.path ?? ".data/audit.sqlite", "audit", ctx);
}

function resolveIndex(i: z.infer<typeof indexSchema>, ctx: { env: Env; source: string; baseDir: string }): Config["index"] {
  return { enabled: i.enabled, intervalMinutes: i.intervalMinutes, leaseSeconds: i.leaseSeconds, database: resolveDatabase(i.database, "index", ctx) };
}

function resolveVerification(v: VerificationConfig, ctx: { source: string; baseDir: string }): VerificationConfig {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(ctx.baseDir, p));
  v.cosign.identities.forEach((id, i) => {
    if (!id.issuer && !id.issuerRegExp) throw new ConfigError(`${ctx.source}: verification.cosign.identities[${i}]: give "issuer" or "issuerRegExp" (cosign verify --certificate-oidc-issuer)`);
    if (!id.subject && !id.subjectRegExp) throw new ConfigError(`${ctx.source}: verification.cosign.identities[${i}]: give "subject" or "subjectRegExp" (cosign verify --certificate-identity)`);
    for (const key of ["issuerRegExp", "subjectRegExp"] as const) {
      const re = id[key];
      if (re === undefined) continue;
      try {
        new RegExp(re);
      } catch {
        throw new ConfigError(`${ctx.source}: verification.cosign.identities[${i}].${key}: not a regular expression`);
      }
    }
  });
  return {
    notation: {
      trustPolicy: v.notation.trustPolicy && abs(v.notation.trustPolicy),
      trustStore: v.notation.trustStore && abs(v.notation.trustStore),
      crls: Object.fromEntries(Object.entries(v.notation.crls).map(([url, p]) => [url, abs(p)])),
    },
    sigstore: { trustedRoot: v.sigstore.trustedRoot && abs(v.sigstore.trustedRoot) },
    cosign: { keys: v.cosign.keys.map((k) => ({ ...k, path: abs(k.path) })), identities: v.cosign.identities },
    cacheMinutes: v.cacheMinutes,
    managedDir: abs(v.managedDir),
  };
}

function formatIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .slice(0, 5)
    .map((i) => {
      const path = i.path.map((p, n) => (typeof p === "number" ? `[${p}]` : `${n === 0 ? "" : "."}${String(p)}`)).join("") || "(top level)";
      let message = i.message;
      if (i.code === "unrecognized_keys") message = `unknown key${i.keys.length > 1 ? "s" : ""} ${i.keys.map((k) => `"${k}"`).join(", ")}`;
      return `${path}: ${message}`;
    })
    .join("; ");
}

type Entry = z.infer<typeof registryEntrySchema>;

function resolveEntry(e: Entry, at: string, ctx: { env: Env; source: string; baseDir: string }): RegistryConfig {
  const fail = (key: string, why: string): never => {
    throw new ConfigError(`${ctx.source}: ${at}.${key}: ${why}`);
  };
  if (e.kind === "oci-layout") {
    if (!e.path) fail("path", 'an oci-layout store needs "path": the folder that holds one OCI image layout per repository');
    if (e.url) fail("url", 'an oci-layout store has a "path", not a "url"');
    const path = isAbsolute(e.path!) ? e.path! : resolve(ctx.baseDir, e.path!);
    return {
      id: e.id,
      // Not the path: names are shown to everyone, the server's folders only to administrators.
      name: e.name ?? `OCI layouts (${e.id})`,
      kind: "oci-layout",
      path,
      allowDelete: e.allowDelete,
      host: "",
      plainHttp: false,
      origin: `file://${path}`,
      credentials: { kind: "anonymous" },
      repositories: e.repositories,
      allowHosts: [],
      timeoutMs: e.timeoutSeconds * 1000,
      concurrency: e.concurrency,
      requestsPerSecond: e.requestsPerSecond !== undefined ? fail("requestsPerSecond", "an oci-layout store is a folder read on this server; it has no request rate to keep to") : undefined,
      maxManifestBytes: e.maxManifestBytes,
      trustScope: e.trustScope ?? "local",
      eventsSecret: e.eventsSecret !== undefined ? fail("eventsSecret", "an oci-layout store sends no events; changes to its folder are noticed when it is read") : undefined,
    };
  }
  if (!e.url) fail("url", 'a registry needs "url" (for example https://ghcr.io); for a folder of OCI layouts set kind: oci-layout and "path"');
  if (e.path) fail("path", '"path" is for kind: oci-layout stores');
  if (e.allowDelete) fail("allowDelete", "applies to oci-layout stores only; a registry decides itself whether it allows deletion");
  let url = e.url!.trim();
  let scheme: "http" | "https" = "https";
  const m = /^(https?):\/\/(.*)$/i.exec(url);
  if (m) {
    scheme = m[1].toLowerCase() as "http" | "https";
    url = m[2];
  } else if (/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) {
    fail("url", `only http:// and https:// registries are supported (got ${JSON.stringify(url)})`);
  }
  url = url.replace(/\/+$/, "");
  if (url.includes("/")) fail("url", `give the registry host only, without a path (got ${JSON.stringify(e.url)})`);
  try {
    validateRegistry(url);
  } catch (err) {
    fail("url", (err as Error).message);
  }
  if (scheme === "http" && !e.plainHttp) fail("url", "uses http://; set plainHttp: true to allow unencrypted connections to this registry");
  const plainHttp = scheme === "http" || (e.plainHttp && !m);
  const host = registryEndpoint(url);
  const origin = `${plainHttp ? "http" : "https"}://${host}`;
  return {
    id: e.id,
    name: e.name ?? host,
    kind: "registry",
    allowDelete: false,
    host,
    plainHttp,
    origin,
    credentials: resolveCredentials(e.credentials, `${at}.credentials`, ctx),
    repositories: e.repositories,
    allowHosts: e.allowHosts.map((h) => h.toLowerCase()),
    timeoutMs: e.timeoutSeconds * 1000,
    concurrency: e.concurrency,
    requestsPerSecond: e.requestsPerSecond,
    maxManifestBytes: e.maxManifestBytes,
    trustScope: e.trustScope ?? host,
    eventsSecret: e.eventsSecret !== undefined ? resolveCredentialSecret(e.eventsSecret, "eventsSecret", at, ctx) : undefined,
  };
}

function resolveSecret(ref: SecretRef | string, at: string, ctx: { env: Env; source: string; baseDir: string }): string {
  const i = at.lastIndexOf(".");
  return resolveCredentialSecret(ref, at.slice(i + 1), at.slice(0, i), ctx);
}

function resolveCredentialSecret(ref: SecretRef | string, key: string, at: string, ctx: { env: Env; source: string; baseDir: string }): string {
  if (typeof ref === "string") return ref;
  if ("env" in ref) {
    const value = ctx.env[ref.env];
    if (value === undefined || value === "") {
      throw new ConfigError(`${ctx.source}: ${at}.${key}: environment variable ${ref.env} is not set`);
    }
    return value;
  }
  const file = isAbsolute(ref.file) ? ref.file : resolve(ctx.baseDir, ref.file);
  try {
    const value = readFileSync(file, "utf8").trim();
    if (!value) throw new ConfigError(`${ctx.source}: ${at}.${key}: the file ${file} is empty`);
    return value;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    throw new ConfigError(`${ctx.source}: ${at}.${key}: cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}

function resolveCredentials(c: Entry["credentials"], at: string, ctx: { env: Env; source: string; baseDir: string }): Credentials {
  const secret = (ref: SecretRef | string, key: string): string => resolveCredentialSecret(ref, key, at, ctx);
  switch (c.type) {
    case "none":
      return { kind: "anonymous" };
    case "basic":
      return { kind: "basic", username: secret(c.username, "username"), password: secret(c.password, "password") };
    case "bearer":
      return { kind: "bearer", token: secret(c.token, "token") };
    case "refresh-token":
      return { kind: "refresh-token", refreshToken: secret(c.refreshToken, "refreshToken"), username: c.username };
  }
}

const ENV_KEYS = ["URL", "NAME", "PLAIN_HTTP", "USERNAME", "PASSWORD", "TOKEN", "REFRESH_TOKEN", "REPOSITORIES", "ALLOW_HOSTS"] as const;
const ENV_PATTERN = new RegExp(`^CHAINSIGHT_REGISTRY_([A-Z0-9_]+?)_(${ENV_KEYS.join("|")})$`);

/**
 * Registries from CHAINSIGHT_REGISTRY_<ID>_URL (required), _NAME, _PLAIN_HTTP,
 * _USERNAME + _PASSWORD, _TOKEN, _REFRESH_TOKEN, _REPOSITORIES (comma list),
 * _ALLOW_HOSTS (comma list). The id is <ID> in lower case with '_' as '-'.
 */
export function registriesFromEnv(env: Env): { e: Entry; at: string }[] {
  const groups = new Map<string, Partial<Record<(typeof ENV_KEYS)[number], string>>>();
  for (const [key, value] of Object.entries(env)) {
    const m = ENV_PATTERN.exec(key);
    if (!m || value === undefined) continue;
    const g = groups.get(m[1]) ?? {};
    g[m[2] as (typeof ENV_KEYS)[number]] = value;
    groups.set(m[1], g);
  }
  const out: { e: Entry; at: string }[] = [];
  for (const [name, g] of [...groups.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const prefix = `CHAINSIGHT_REGISTRY_${name}`;
    if (!g.URL) throw new ConfigError(`environment: ${prefix}_URL is not set, but other ${prefix}_* variables are`);
    const ref = (k: string) => ({ env: `${prefix}_${k}` });
    const credentials: Entry["credentials"] = g.TOKEN
      ? { type: "bearer", token: ref("TOKEN") }
      : g.REFRESH_TOKEN
        ? { type: "refresh-token", refreshToken: ref("REFRESH_TOKEN"), username: g.USERNAME }
        : g.USERNAME || g.PASSWORD
          ? { type: "basic", username: g.USERNAME ?? "", password: ref("PASSWORD") }
          : { type: "none" };
    const list = (v: string | undefined) => v?.split(",").map((s) => s.trim()).filter(Boolean);
    const candidate = {
      id: name.toLowerCase().replace(/_/g, "-"),
      name: g.NAME,
      url: g.URL,
      plainHttp: g.PLAIN_HTTP ? /^(1|true|yes)$/i.test(g.PLAIN_HTTP) : undefined,
      credentials,
      repositories: list(g.REPOSITORIES),
      allowHosts: list(g.ALLOW_HOSTS),
    };
    const parsed = registryEntrySchema.safeParse(candidate);
    if (!parsed.success) {
      throw new ConfigError(`environment: ${prefix}_*: ${formatIssues(parsed.error.issues)}`);
    }
    out.push({ e: parsed.data, at: `environment ${prefix}_*` });
  }
  return out;
}
