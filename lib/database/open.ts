import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration } from "kysely";
import pg from "pg";

/**
 * The server's databases behind one query layer (Kysely): SQLite (a file, or
 * ":memory:" for tests) by default, PostgreSQL when given a postgres:// URL,
 * so that replicas share what they write. Each domain (the index, the audit
 * trail) brings its own tables and migrations, kept in its own migration
 * table, so two domains may live in one database.
 */

export type DatabaseKind = "sqlite" | "postgres";

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

export function kindOf(location: string): DatabaseKind {
  return isPostgresUrl(location) ? "postgres" : "sqlite";
}

export interface OpenOptions {
  /** A file path (SQLite), ":memory:", or a postgres:// / postgresql:// URL. */
  location: string;
  /** In order; each runs once per database. */
  migrations: Record<string, Migration>;
  /** The table that records which migrations ran (one per domain). */
  migrationTable: string;
  /** What the database holds, for error messages ("the index database"). */
  what: string;
  /** Most PostgreSQL connections this process opens for it. */
  poolSize?: number;
}

export async function openDatabase<DB>(options: OpenOptions): Promise<Kysely<DB>> {
  let db: Kysely<DB>;
  if (isPostgresUrl(options.location)) {
    db = new Kysely<DB>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.location, max: options.poolSize ?? 10 }) }) });
  } else {
    if (options.location !== ":memory:") mkdirSync(dirname(options.location), { recursive: true });
    const sqlite = new Database(options.location);
    // Readers do not wait for a writer (write-ahead log), and a write waits a little for another.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    db = new Kysely<DB>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const provider = { getMigrations: async () => options.migrations };
  const { error, results } = await new Migrator({ db, provider, migrationTableName: options.migrationTable, migrationLockTableName: `${options.migrationTable}_lock` }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`${options.what} could not be brought up to date${failed ? ` (migration ${failed})` : ""}: ${(error as Error).message}`);
  }
  return db;
}
