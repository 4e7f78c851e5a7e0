import { apiRoute } from "@/lib/server/http";
import { planDelete, planInput } from "@/lib/server/api/delete";

export const POST = apiRoute("delete-plan", planInput, planDelete, { right: "read" }, { mutation: true });
