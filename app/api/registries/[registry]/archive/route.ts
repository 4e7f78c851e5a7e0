import { apiRoute } from "@/lib/server/http";
import { archiveInput, downloadArchive } from "@/lib/server/api/archive";

export const GET = apiRoute("archive", archiveInput, downloadArchive, { right: "pull" }, { budgetSeconds: 3600 });
