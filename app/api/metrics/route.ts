import { metricsResponse } from "@/lib/server/api/metrics";

export function GET(): Response {
  return metricsResponse();
}
