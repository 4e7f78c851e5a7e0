import { apiRoute } from "@/lib/server/http";
import { blobInput, getBlobPreview } from "@/lib/server/api/blob";

export const GET = apiRoute("blob", blobInput, getBlobPreview, { right: "pull" });
