import { apiRoute } from "@/lib/server/http";
import { discardImport, runImport, stagedImportInput } from "@/lib/server/api/archive";

export const POST = apiRoute("import", stagedImportInput, runImport, { right: "pull" }, { mutation: true, budgetSeconds: 3600 });
export const DELETE = apiRoute("import-discard", stagedImportInput, discardImport, { right: "pull" }, { mutation: true });
