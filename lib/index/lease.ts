import { appendTo } from "../supply-chain/append";
import type { IndexDb } from "./database";

/**
 * A lease in the index database: among replicas sharing one database, the
 * holder crawls; a holder that stops renewing (it died) loses the lease when
 * it expires, and the next replica to ask takes it. One statement, atomic in
 * SQLite and PostgreSQL alike: take the row when it is free, expired, or ours.
 */
export async function takeLease(db: IndexDb, name: string, holder: string, ttlMs: number, now = new Date()): Promise<boolean> {
  const at = now.toISOString();
  const until = new Date(now.getTime() + ttlMs).toISOString();
  await db
    .insertInto("index_lease")
    .values({ name, holder, expires_at: until })
    .onConflict((oc) =>
      oc
        .column("name")
        .doUpdateSet({ holder, expires_at: until })
        .where((eb) => eb.or([eb("index_lease.expires_at", "<", at), eb("index_lease.holder", "=", holder)])),
    )
    .execute();
  const row = await db.selectFrom("index_lease").select("holder").where("name", "=", name).executeTakeFirst();
  return row?.holder === holder;
}

/** Give the lease up (a clean shutdown), so another replica need not wait for it to expire. */
export async function releaseLease(db: IndexDb, name: string, holder: string): Promise<void> {
  await db.deleteFrom("index_lease").where("name", "=", name).where("holder", "=", holder).execute();
}

export async function leaseHolder(db: IndexDb, name: string, now = new Date()): Promise<string | undefined> {
  const row = await db.selectFrom("index_lease").select(["holder", "expires_at"]).where("name", "=", name).executeTakeFirst();
  return row && row.expires_at >= now.toISOString() ? row.holder : undefined;
}

/** Queue a repository for the crawler (an event received by a replica that does not crawl). */
export async function queueRepository(db: IndexDb, registry: string, repository: string, now = new Date()): Promise<void> {
  await db
    .insertInto("index_pending")
    .values({ registry_id: registry, repository, requested_at: now.toISOString() })
    .onConflict((oc) => oc.columns(["registry_id", "repository"]).doUpdateSet({ requested_at: now.toISOString() }))
    .execute();
}

/** Take every queued repository (the crawler walks them). */
/** Queued in place of a repository name: walk the whole registry. */
export const WHOLE_REGISTRY = "";

export async function takeQueued(db: IndexDb): Promise<{ registry: string; repositories: string[] }[]> {
  return db.transaction().execute(async (tx) => {
    const rows = await tx.selectFrom("index_pending").select(["registry_id", "repository", "requested_at"]).execute();
    // Only what was read is taken: a request queued again meanwhile stays for the next round.
    for (const r of rows) {
      await tx.deleteFrom("index_pending").where("registry_id", "=", r.registry_id).where("repository", "=", r.repository).where("requested_at", "=", r.requested_at).execute();
    }
    const by = new Map<string, string[]>();
    for (const r of rows) appendTo(by, r.registry_id, r.repository);
    return [...by].map(([registry, repositories]) => ({ registry, repositories }));
  });
}
