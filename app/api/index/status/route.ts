import { apiRoute } from "@/lib/server/http";
import { indexStatus, indexStatusInput } from "@/lib/server/api/search";

export const GET = apiRoute("index-status", indexStatusInput, indexStatus, { admin: true });
