import { apiRoute } from "@/lib/server/http";
import { getSummary, summaryInput } from "@/lib/server/api/summary";

export const GET = apiRoute("summary", summaryInput, getSummary, { right: "pull" });
