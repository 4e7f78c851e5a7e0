import { apiRoute } from "@/lib/server/http";
import { search, searchInput } from "@/lib/server/api/search";

export const GET = apiRoute("search", searchInput, search, { signedIn: true });
