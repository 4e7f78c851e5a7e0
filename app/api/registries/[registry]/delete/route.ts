import { apiRoute } from "@/lib/server/http";

// Reading is checked here; the delete right is checked by the handler, which records every refused item.
import { executeDelete, executeInput } from "@/lib/server/api/delete";

export const POST = apiRoute("delete", executeInput, executeDelete, { right: "read" }, { mutation: true, budgetSeconds: 300 });
