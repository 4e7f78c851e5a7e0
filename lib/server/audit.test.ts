import { describe, expect, it } from "vitest";
import { AuditLog, toCsv } from "./audit";

describe("AuditLog", () => {
  it("stores entries and answers filtered, paged queries newest first", () => {
    const a = new AuditLog(":memory:");
    for (let i = 0; i < 5; i++) {
      a.record({ time: `2026-01-0${i + 1}T00:00:00.000Z`, user: i % 2 ? "bob" : "alice", provider: "local", registry: "local", repository: "a/b", action: "graph", outcome: i === 4 ? "denied" : "success", status: i === 4 ? 403 : 200, durationMs: 1.5 });
    }
    const page1 = a.query({ limit: 2 });
    expect(page1.rows.map((r) => r.time.slice(0, 10))).toEqual(["2026-01-05", "2026-01-04"]);
    const page2 = a.query({ limit: 2, before: page1.next });
    expect(page2.rows.map((r) => r.time.slice(0, 10))).toEqual(["2026-01-03", "2026-01-02"]);
    expect(a.query({ limit: 10, user: "bob" }).rows).toHaveLength(2);
    expect(a.query({ limit: 10, outcome: "denied" }).rows.map((r) => r.status)).toEqual([403]);
    expect(a.query({ limit: 10, from: "2026-01-02T00:00:00.000Z", to: "2026-01-03T23:59:59.999Z" }).rows).toHaveLength(2);
    expect(a.query({ limit: 10 }).rows[0]).not.toHaveProperty("upstreamStatus");
    a.close();
  });

  it("exports CSV that a spreadsheet will not execute", () => {
    const csv = toCsv([{ id: 1, time: "t", user: "=cmd()", provider: "local", action: "a", outcome: "success", status: 200, durationMs: 1, message: 'say "hi"' }]);
    expect(csv.split("\r\n")[0]).toBe("id,time,user,provider,registry,repository,reference,action,outcome,status,upstreamStatus,durationMs,message");
    expect(csv).toContain(`"'=cmd()"`);
    expect(csv).toContain(`"say ""hi"""`);
  });
});
