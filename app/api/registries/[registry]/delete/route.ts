import { apiRoute } from "@/lib/server/http";
import { executeDelete, executeInput } from "@/lib/server/api/delete";

export const POST = apiRoute("delete", executeInput, executeDelete, { right: "delete" }, { mutation: true });
