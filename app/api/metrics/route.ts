import { z } from "zod";
import { metricsResponse } from "@/lib/server/api/metrics";
import { apiRoute } from "@/lib/server/http";

export const GET = apiRoute("metrics", z.object({}), async () => metricsResponse(), { admin: true });
