import { apiRoute } from "@/lib/server/http";
import { getPolicy, policyInput } from "@/lib/server/api/policy";

export const GET = apiRoute("policy", policyInput, getPolicy, { right: "read" });
