import { apiRoute } from "@/lib/server/http";
import { getGraph, graphInput } from "@/lib/server/api/graph";

export const GET = apiRoute("graph", graphInput, getGraph, { right: "read" });
