import { apiRoute } from "@/lib/server/http";
import { listRepositories, repositoriesInput } from "@/lib/server/api/repositories";

export const GET = apiRoute("repositories", repositoriesInput, listRepositories, { right: "list" });
