import { apiRoute } from "@/lib/server/http";
import { coverageInput, getCoverage } from "@/lib/server/api/coverage";

export const GET = apiRoute("coverage", coverageInput, getCoverage, { signedIn: true });
