import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import Database from "better-sqlite3";
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from "kysely";
import pg from "pg";
import { MIGRATIONS, type IndexDatabase } from "./schema";

/**
 * Opens the index database: SQLite (a file, or ":memory:" for tests) by
 * default, PostgreSQL when given a postgres:// URL (shared by replicas). The
 * schema is brought up to date on open.
 */

export type IndexDb = Kysely<IndexDatabase>;

export interface IndexDatabaseOptions {
  /** A file path (SQLite) or a postgres:// / postgresql:// URL. */
  location: string;
}

export function isPostgresUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//.test(location);
}

const provider: MigrationProvider = { getMigrations: async () => MIGRATIONS };

export async function openIndexDatabase(options: IndexDatabaseOptions): Promise<IndexDb> {
  let db: IndexDb;
  if (isPostgresUrl(options.location)) {
    db = new Kysely<IndexDatabase>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.location, max: 10 }) }) });
  } else {
    if (options.location !== ":memory:") mkdirSync(dirname(options.location), { recursive: true });
    const sqlite = new Database(options.location);
    // Readers do not wait for the crawler's writes (write-ahead log), and a write waits a little for another.
    sqlite.pragma("journal_mode = WAL");
    sqlite.pragma("busy_timeout = 5000");
    db = new Kysely<IndexDatabase>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  const { error, results } = await new Migrator({ db, provider, migrationTableName: "index_migrations", migrationLockTableName: "index_migrations_lock" }).migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r) => r.status === "Error")?.migrationName;
    throw new Error(`the index database could not be brought up to date${failed ? ` (migration ${failed})` : ""}: ${(error as Error).message}`);
  }
  return db;
}
