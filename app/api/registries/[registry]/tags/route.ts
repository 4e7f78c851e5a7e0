import { apiRoute } from "@/lib/server/http";
import { listTags, tagsInput } from "@/lib/server/api/tags";

export const GET = apiRoute("tags", tagsInput, listTags, { right: "list" });
