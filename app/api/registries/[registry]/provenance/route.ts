import { apiRoute } from "@/lib/server/http";
import { getProvenance, provenanceInput } from "@/lib/server/api/documents";

export const GET = apiRoute("provenance", provenanceInput, getProvenance, { right: "pull" });
