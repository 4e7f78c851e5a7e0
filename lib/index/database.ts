import type { Kysely } from "kysely";
import { openDatabase } from "../database/open";
import { MIGRATIONS, type IndexDatabase } from "./schema";

/** The index database (see lib/database/open.ts), its schema brought up to date on open. */

export type IndexDb = Kysely<IndexDatabase>;

export interface IndexDatabaseOptions {
  /** A file path (SQLite) or a postgres:// / postgresql:// URL. */
  location: string;
}

export function openIndexDatabase(options: IndexDatabaseOptions): Promise<IndexDb> {
  return openDatabase<IndexDatabase>({ location: options.location, migrations: MIGRATIONS, migrationTable: "index_migrations", what: "the index database" });
}
