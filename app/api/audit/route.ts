import { apiRoute } from "@/lib/server/http";
import { auditInput, getAudit } from "@/lib/server/api/audit";

export const GET = apiRoute("audit", auditInput, getAudit, { admin: true });
