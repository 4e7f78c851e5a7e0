import { z } from "zod";
import { toCsv, type AuditRow } from "../audit";
import { csvResponse } from "../csv";
import type { HandlerContext } from "../http";
import { intParam } from "./params";

const isoTime = z.string().refine((v) => !Number.isNaN(Date.parse(v)), "must be a date or time (ISO 8601, e.g. 2026-11-30 or 2026-11-30T12:00:00Z)");

export const auditInput = z.object({
  user: z.string().max(128).optional(),
  action: z.string().max(64).optional(),
  outcome: z.enum(["success", "failure", "denied"], { error: '"outcome" must be success, failure or denied' }).optional(),
  registry: z.string().max(63).optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  limit: intParam("limit", 1, 10_000).default(100),
  before: intParam("before", 1, Number.MAX_SAFE_INTEGER).optional(),
  format: z.enum(["json", "csv"], { error: '"format" must be json or csv' }).default("json"),
});

export interface AuditResponse {
  rows: AuditRow[];
  /** Pass as `before` for the next (older) page. */
  next?: number;
}

/** The audit trail, newest first, filtered and paged; `format=csv` downloads it. */
export async function getAudit(input: z.infer<typeof auditInput>, { runtime }: HandlerContext): Promise<AuditResponse | Response> {
  const toIso = (v: string | undefined, end: boolean) => {
    if (!v) return undefined;
    // A bare date means the whole day.
    if (/^\d{4}-\d{2}-\d{2}$/.test(v)) return `${v}T${end ? "23:59:59.999" : "00:00:00.000"}Z`;
    return new Date(Date.parse(v)).toISOString();
  };
  const result = await runtime.audit.query({
    user: input.user,
    action: input.action,
    outcome: input.outcome,
    registry: input.registry,
    from: toIso(input.from, false),
    to: toIso(input.to, true),
    limit: input.limit,
    before: input.before,
  });
  if (input.format === "csv") {
    return csvResponse(toCsv(result.rows), "chainsight-audit.csv");
  }
  return result;
}
