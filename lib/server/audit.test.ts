import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { AuditLog, toCsv } from "./audit";

describe("AuditLog", () => {
  it("stores entries and answers filtered, paged queries newest first", async () => {
    const a = new AuditLog(":memory:");
    for (let i = 0; i < 5; i++) {
      a.record({ time: `2026-01-0${i + 1}T00:00:00.000Z`, user: i % 2 ? "bob" : "alice", provider: "local", registry: "local", repository: "a/b", action: "graph", outcome: i === 4 ? "denied" : "success", status: i === 4 ? 403 : 200, durationMs: 1.5 });
    }
    const page1 = await a.query({ limit: 2 });
    expect(page1.rows.map((r) => r.time.slice(0, 10))).toEqual(["2026-01-05", "2026-01-04"]);
    const page2 = await a.query({ limit: 2, before: page1.next });
    expect(page2.rows.map((r) => r.time.slice(0, 10))).toEqual(["2026-01-03", "2026-01-02"]);
    expect((await a.query({ limit: 10, user: "bob" })).rows).toHaveLength(2);
    expect((await a.query({ limit: 10, outcome: "denied" })).rows.map((r) => r.status)).toEqual([403]);
    expect((await a.query({ limit: 10, from: "2026-01-02T00:00:00.000Z", to: "2026-01-03T23:59:59.999Z" })).rows).toHaveLength(2);
    expect((await a.query({ limit: 10 })).rows[0]).not.toHaveProperty("upstreamStatus");
    await a.close();
  });

  it("keeps a trail written before the database had migrations, and adds to it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "chainsight-audit-"));
    const file = join(dir, "audit.sqlite");
    try {
      // The table as earlier versions created it, with one entry.
      const old = new Database(file);
      old.exec(`CREATE TABLE audit (id INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, user TEXT NOT NULL, provider TEXT NOT NULL,
        registry TEXT, repository TEXT, reference TEXT, action TEXT NOT NULL, outcome TEXT NOT NULL, status INTEGER NOT NULL,
        upstream_status INTEGER, duration_ms REAL NOT NULL, message TEXT)`);
      old.prepare("INSERT INTO audit (time, user, provider, action, outcome, status, duration_ms) VALUES ('2025-12-01T00:00:00.000Z', 'carol', 'local', 'delete:manifest', 'success', 202, 3)").run();
      old.close();
      const a = new AuditLog(file);
      a.record({ time: "2026-01-01T00:00:00.000Z", user: "dave", provider: "local", action: "graph", outcome: "success", status: 200, durationMs: 1 });
      expect((await a.query({ limit: 10 })).rows.map((r) => [r.id, r.user])).toEqual([[2, "dave"], [1, "carol"]]);
      await a.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("exports CSV that a spreadsheet will not execute", () => {
    const csv = toCsv([{ id: 1, time: "t", user: "=cmd()", provider: "local", action: "a", outcome: "success", status: 200, durationMs: 1, message: 'say "hi"' }]);
    expect(csv.split("\r\n")[0]).toBe("id,time,user,provider,registry,repository,reference,action,outcome,status,upstreamStatus,durationMs,message");
    expect(csv).toContain(`"'=cmd()"`);
    expect(csv).toContain(`"say ""hi"""`);
  });
});
