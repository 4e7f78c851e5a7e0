import { apiRoute } from "@/lib/server/http";
import { getStatuses, statusInput } from "@/lib/server/api/graph";

export const GET = apiRoute("status", statusInput, getStatuses, { right: "read" });
