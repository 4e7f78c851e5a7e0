import { apiRoute } from "@/lib/server/http";
import { diffInput, getDiff } from "@/lib/server/api/diff";

export const GET = apiRoute("diff", diffInput, getDiff, { right: "pull" });
