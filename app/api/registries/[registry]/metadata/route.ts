import { apiRoute } from "@/lib/server/http";
import { writeMetadataCall, writeMetadataInput } from "@/lib/server/api/metadata";

export const POST = apiRoute("annotate", writeMetadataInput, writeMetadataCall, { right: "annotate" }, { mutation: true });
