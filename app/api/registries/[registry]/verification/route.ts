import { apiRoute } from "@/lib/server/http";
import { getVerification, verificationInput } from "@/lib/server/api/verification";

export const GET = apiRoute("verification", verificationInput, getVerification, { right: "read" });
