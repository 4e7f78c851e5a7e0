import type { SharedVerificationResults, SignatureResult } from "../verification/verify-graph";
import type { IndexDb } from "./database";

/**
 * Verification results in the index database (table verification_results):
 * replicas sharing a PostgreSQL verify a signature once between them, and a
 * restarted server does not verify again what it verified before. Keyed as
 * the in-memory cache is (signature, subject, trust hash, scope): a change of
 * trust material is a new key, never a stale answer.
 */
export class DatabaseVerificationResults implements SharedVerificationResults {
  private writes = 0;

  constructor(
    private readonly db: () => Promise<IndexDb>,
    private readonly onError: (err: unknown) => void = () => undefined,
  ) {}

  async get(key: string, now: Date): Promise<{ results: SignatureResult[]; expiresAt: number } | undefined> {
    const db = await this.db();
    const row = await db.selectFrom("verification_results").select(["results", "expires_at"]).where("key", "=", key).executeTakeFirst();
    if (!row) return undefined;
    const expiresAt = Date.parse(row.expires_at);
    if (!(expiresAt > now.getTime())) return undefined;
    const results = JSON.parse(row.results) as unknown;
    return Array.isArray(results) ? { results: results as SignatureResult[], expiresAt } : undefined;
  }

  set(key: string, results: SignatureResult[], expiresAt: number): void {
    this.write(key, JSON.stringify(results), new Date(expiresAt).toISOString()).catch(this.onError);
  }

  private async write(key: string, results: string, expiresAt: string): Promise<void> {
    const db = await this.db();
    await db
      .insertInto("verification_results")
      .values({ key, results, expires_at: expiresAt })
      .onConflict((oc) => oc.column("key").doUpdateSet({ results, expires_at: expiresAt }))
      .execute();
    // Expired results are removed now and then by whoever writes.
    if (++this.writes % 500 === 1) await db.deleteFrom("verification_results").where("expires_at", "<=", new Date().toISOString()).execute();
  }
}
