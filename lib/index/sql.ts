import { sql } from "kysely";

/** LIKE with a backslash escape, the same in SQLite and PostgreSQL. */
export function like(column: string, pattern: string) {
  return sql<boolean>`${sql.ref(column)} like ${pattern} escape '\\'`;
}

/** A literal for LIKE: %, _ and \ stand for themselves. */
export function escapeLike(s: string): string {
  return s.replace(/[%_\\]/g, (c) => `\\${c}`);
}
