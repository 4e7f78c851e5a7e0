import { apiRoute } from "@/lib/server/http";
import { artifactsInput, getArtifacts } from "@/lib/server/api/artifacts";

export const GET = apiRoute("artifacts", artifactsInput, getArtifacts, { right: "list" });
