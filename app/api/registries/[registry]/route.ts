import { apiRoute } from "@/lib/server/http";
import { getRegistry, registryInput } from "@/lib/server/api/registries";

export const GET = apiRoute("registry", registryInput, getRegistry, { right: "list" });
