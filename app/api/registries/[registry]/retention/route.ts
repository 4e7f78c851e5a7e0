import { apiRoute } from "@/lib/server/http";
import { getRetention, retentionInput } from "@/lib/server/api/retention";

export const GET = apiRoute("retention", retentionInput, getRetention, { right: "read" });
