import { apiRoute } from "@/lib/server/http";
import { planPromotion, promoteInput } from "@/lib/server/api/promote";

// Blob contents will move: pull on the source. The promote right on the target is reported in the plan.
export const POST = apiRoute("promotion-plan", promoteInput, planPromotion, { right: "pull" }, { mutation: true });
