import { apiRoute } from "@/lib/server/http";
import { getSbom, sbomInput } from "@/lib/server/api/documents";

export const GET = apiRoute("sbom", sbomInput, getSbom, { right: "pull" });
