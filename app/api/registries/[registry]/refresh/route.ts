import { apiRoute } from "@/lib/server/http";
import { refreshInput, refreshRegistry } from "@/lib/server/api/account";

export const POST = apiRoute("refresh", refreshInput, refreshRegistry, { right: "read" }, { mutation: true });
