import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { csvText } from "./csv";
import { log } from "./log";

/**
 * The audit trail: every API call, who made it, on what, and how it ended
 * (success, failure, denied). Stored in SQLite and also written as a JSON log
 * line (`event: "audit"`) for a log pipeline.
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

export class AuditLog {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;

  constructor(readonly path: string) {
    if (path !== ":memory:") mkdirSync(dirname(path), { recursive: true });
    this.db = new Database(path);
    this.db.pragma("journal_mode = WAL");
    this.db.exec(`CREATE TABLE IF NOT EXISTS audit (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      time TEXT NOT NULL, user TEXT NOT NULL, provider TEXT NOT NULL,
      registry TEXT, repository TEXT, reference TEXT,
      action TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL,
      upstream_status INTEGER, duration_ms REAL NOT NULL, message TEXT
    );
    CREATE INDEX IF NOT EXISTS audit_time ON audit(time);
    CREATE INDEX IF NOT EXISTS audit_user ON audit(user);`);
    this.insert = this.db.prepare(
      `INSERT INTO audit (time, user, provider, registry, repository, reference, action, outcome, status, upstream_status, duration_ms, message)
       VALUES (@time, @user, @provider, @registry, @repository, @reference, @action, @outcome, @status, @upstreamStatus, @durationMs, @message)`,
    );
  }

  record(e: AuditEntry): void {
    log("info", "audit", { ...e });
    try {
      this.insert.run({ registry: null, repository: null, reference: null, upstreamStatus: null, message: null, ...e });
    } catch (err) {
      // The trail must not take the API down; the log line above still carries the entry.
      log("error", "audit_write_failed", { message: (err as Error).message });
    }
  }

  query(q: AuditQuery): { rows: AuditRow[]; next?: number } {
    const where: string[] = [];
    const params: Record<string, unknown> = {};
    const add = (sql: string, key: string, value: unknown) => {
      if (value === undefined || value === "") return;
      where.push(sql);
      params[key] = value;
    };
    add("user = @user", "user", q.user);
    add("action = @action", "action", q.action);
    add("outcome = @outcome", "outcome", q.outcome);
    add("registry = @registry", "registry", q.registry);
    add("time >= @from", "from", q.from);
    add("time <= @to", "to", q.to);
    add("id < @before", "before", q.before);
    const sql = `SELECT id, time, user, provider, registry, repository, reference, action, outcome, status, upstream_status AS upstreamStatus, duration_ms AS durationMs, message
      FROM audit ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY id DESC LIMIT @limit`;
    const rows = this.db.prepare(sql).all({ ...params, limit: q.limit + 1 }) as (AuditRow & Record<string, unknown>)[];
    const clean = rows.slice(0, q.limit).map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== null)) as unknown as AuditRow);
    return { rows: clean, next: rows.length > q.limit ? clean[clean.length - 1].id : undefined };
  }

  close(): void {
    this.db.close();
  }
}

const CSV_COLUMNS: (keyof AuditRow)[] = ["id", "time", "user", "provider", "registry", "repository", "reference", "action", "outcome", "status", "upstreamStatus", "durationMs", "message"];

/** The audit rows as CSV (see csv.ts: every field quoted, formulas defused). */
export function toCsv(rows: AuditRow[]): string {
  return csvText(CSV_COLUMNS, rows.map((r) => CSV_COLUMNS.map((c) => r[c])));
}
