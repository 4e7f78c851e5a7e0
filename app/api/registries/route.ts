import { apiRoute } from "@/lib/server/http";
import { listRegistries, listRegistriesInput } from "@/lib/server/api/registries";

export const GET = apiRoute("registries", listRegistriesInput, listRegistries, { signedIn: true });
