import { apiRoute } from "@/lib/server/http";
import { findingsInput, getFindings } from "@/lib/server/api/documents";

export const GET = apiRoute("findings", findingsInput, getFindings, { right: "pull" });
