import { type Kysely, type Migration } from "kysely";
import { kindOf, openDatabase, type DatabaseKind } from "../database/open";
import { csvText } from "./csv";
import { log } from "./log";

/**
 * The audit trail: every API call, who made it, on what, and how it ended
 * (success, failure, denied). Stored in a database (SQLite by default; a
 * PostgreSQL URL makes replicas share one trail) and also written as a JSON
 * log line (`event: "audit"`) for a log pipeline. Entries are written in one
 * insert per event-loop turn: recording never makes a call wait.
 */

export type Outcome = "success" | "failure" | "denied";

export interface AuditEntry {
  time: string;
  user: string;
  provider: string;
  registry?: string;
  repository?: string;
  reference?: string;
  action: string;
  outcome: Outcome;
  /** Our HTTP status. */
  status: number;
  /** The registry's status, when it answered with an error. */
  upstreamStatus?: number;
  durationMs: number;
  message?: string;
}

export interface AuditQuery {
  user?: string;
  action?: string;
  outcome?: Outcome;
  registry?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
  limit: number;
  /** Rows older than this id (paging backwards in time). */
  before?: number;
}

export interface AuditRow extends AuditEntry {
  id: number;
}

interface AuditTable {
  id: number;
  time: string;
  user: string;
  provider: string;
  registry: string | null;
  repository: string | null;
  reference: string | null;
  action: string;
  outcome: string;
  status: number;
  upstream_status: number | null;
  duration_ms: number;
  message: string | null;
}

interface AuditDatabase {
  audit: Omit<AuditTable, "id"> & { id?: number };
}

function migrations(kind: DatabaseKind): Record<string, Migration> {
  return {
    "0001-audit": {
      async up(db: Kysely<unknown>) {
        // "if not exists": a trail written before migrations existed (the same table) is kept as it is.
        await db.schema
          .createTable("audit")
          .ifNotExists()
          .addColumn("id", kind === "postgres" ? "bigserial" : "integer", (c) => (kind === "postgres" ? c.primaryKey() : c.primaryKey().autoIncrement()))
          .addColumn("time", "text", (c) => c.notNull())
          .addColumn("user", "text", (c) => c.notNull())
          .addColumn("provider", "text", (c) => c.notNull())
          .addColumn("registry", "text")
          .addColumn("repository", "text")
          .addColumn("reference", "text")
          .addColumn("action", "text", (c) => c.notNull())
          .addColumn("outcome", "text", (c) => c.notNull())
          .addColumn("status", "integer", (c) => c.notNull())
          .addColumn("upstream_status", "integer")
          .addColumn("duration_ms", "double precision", (c) => c.notNull())
          .addColumn("message", "text")
          .execute();
        await db.schema.createIndex("audit_time").ifNotExists().on("audit").column("time").execute();
        await db.schema.createIndex("audit_user").ifNotExists().on("audit").column("user").execute();
      },
    },
  };
}

export class AuditLog {
  private db?: Promise<Kysely<AuditDatabase>>;
  private pending: AuditEntry[] = [];
  private flushing?: Promise<void>;
  readonly kind: DatabaseKind;

  /** `location`: a SQLite file, ":memory:", or a postgres:// URL. */
  constructor(readonly location: string) {
    this.kind = kindOf(location);
  }

  private open(): Promise<Kysely<AuditDatabase>> {
    this.db ??= openDatabase<AuditDatabase>({ location: this.location, migrations: migrations(this.kind), migrationTable: "audit_migrations", what: "the audit database", poolSize: 4 }).catch((err) => {
      this.db = undefined;
      throw err;
    });
    return this.db;
  }

  record(e: AuditEntry): void {
    log("info", "audit", { ...e });
    this.pending.push(e);
    if (this.pending.length === 1 && !this.flushing) setImmediate(() => void this.flush());
  }

  /** Write what was recorded; resolves when it is in the database (or its failure logged). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing.then(() => (this.pending.length ? this.flush() : undefined));
    if (this.pending.length === 0) return Promise.resolve();
    const batch = this.pending;
    this.pending = [];
    this.flushing = (async () => {
      try {
        const db = await this.open();
        await db
          .insertInto("audit")
          .values(
            batch.map((e) => ({
              time: e.time,
              user: e.user,
              provider: e.provider,
              registry: e.registry ?? null,
              repository: e.repository ?? null,
              reference: e.reference ?? null,
              action: e.action,
              outcome: e.outcome,
              status: e.status,
              upstream_status: e.upstreamStatus ?? null,
              duration_ms: e.durationMs,
              message: e.message ?? null,
            })),
          )
          .execute();
      } catch (err) {
        // The trail must not take the API down; the log lines above still carry the entries.
        log("error", "audit_write_failed", { entries: batch.length, message: (err as Error).message });
      } finally {
        this.flushing = undefined;
      }
    })();
    return this.flushing.then(() => (this.pending.length ? this.flush() : undefined));
  }

  async query(q: AuditQuery): Promise<{ rows: AuditRow[]; next?: number }> {
    // What this server recorded a moment ago is part of the answer.
    await this.flush();
    const db = await this.open();
    let query = db
      .selectFrom("audit")
      .select(["id", "time", "user", "provider", "registry", "repository", "reference", "action", "outcome", "status", "upstream_status as upstreamStatus", "duration_ms as durationMs", "message"])
      .orderBy("id", "desc")
      .limit(q.limit + 1);
    if (q.user) query = query.where("user", "=", q.user);
    if (q.action) query = query.where("action", "=", q.action);
    if (q.outcome) query = query.where("outcome", "=", q.outcome);
    if (q.registry) query = query.where("registry", "=", q.registry);
    if (q.from) query = query.where("time", ">=", q.from);
    if (q.to) query = query.where("time", "<=", q.to);
    if (q.before !== undefined) query = query.where("id", "<", q.before);
    const rows = await query.execute();
    const clean = rows.slice(0, q.limit).map((r) => {
      // PostgreSQL's bigserial arrives as a string.
      const row = Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as unknown as AuditRow;
      row.id = Number(row.id);
      return row;
    });
    return { rows: clean, next: rows.length > q.limit ? clean[clean.length - 1].id : undefined };
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.db) await (await this.db.catch(() => undefined))?.destroy();
    this.db = undefined;
  }
}

const CSV_COLUMNS: (keyof AuditRow)[] = ["id", "time", "user", "provider", "registry", "repository", "reference", "action", "outcome", "status", "upstreamStatus", "durationMs", "message"];

/** The audit rows as CSV (see csv.ts: every field quoted, formulas defused). */
export function toCsv(rows: AuditRow[]): string {
  return csvText(CSV_COLUMNS, rows.map((r) => CSV_COLUMNS.map((c) => r[c])));
}
