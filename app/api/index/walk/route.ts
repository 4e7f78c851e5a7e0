import { apiRoute } from "@/lib/server/http";
import { walkIndex, walkInput } from "@/lib/server/api/search";

export const POST = apiRoute("index-walk", walkInput, walkIndex, { admin: true }, { mutation: true });
