import { apiRoute } from "@/lib/server/http";
import { getMe, meInput } from "@/lib/server/api/account";

export const GET = apiRoute("me", meInput, getMe, { signedIn: true });
