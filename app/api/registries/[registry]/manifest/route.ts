import { apiRoute } from "@/lib/server/http";
import { getManifest, manifestInput } from "@/lib/server/api/manifest";

export const GET = apiRoute("manifest", manifestInput, getManifest, { right: "read" });
