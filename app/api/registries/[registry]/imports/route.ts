import { apiRoute } from "@/lib/server/http";
import { importInput, stageImport } from "@/lib/server/api/archive";

// The body is the tar (read by the handler); promote on the target repository is needed to upload at all.
export const POST = apiRoute("import-stage", importInput, stageImport, { right: "promote" }, { mutation: true, budgetSeconds: 3600 });
