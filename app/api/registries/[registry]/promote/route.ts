import { apiRoute } from "@/lib/server/http";
import { executePromotion, promoteInput } from "@/lib/server/api/promote";

// pull on the source is checked here; promote on the target by the handler, which audits a refusal.
export const POST = apiRoute("promote", promoteInput, executePromotion, { right: "pull" }, { mutation: true, budgetSeconds: 3600 });
