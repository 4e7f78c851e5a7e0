import { apiRoute } from "@/lib/server/http";
import { changeTrust, getTrust, trustChangeInput, trustInput } from "@/lib/server/api/trust";

export const GET = apiRoute("trust", trustInput, getTrust, { admin: true });
export const POST = apiRoute("trust", trustChangeInput, changeTrust, { admin: true }, { mutation: true });
