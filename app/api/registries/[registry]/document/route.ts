import { apiRoute } from "@/lib/server/http";
import { documentsInput, getDocuments } from "@/lib/server/api/documents";

export const GET = apiRoute("document", documentsInput, getDocuments, { right: "pull" });
