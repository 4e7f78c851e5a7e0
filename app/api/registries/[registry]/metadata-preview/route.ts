import { apiRoute } from "@/lib/server/http";
import { metadataInput, previewMetadataCall } from "@/lib/server/api/metadata";

// Reading is enough to see the preview (nothing is written; a POST for its JSON body); it says whether the user may write it.
export const POST = apiRoute("metadata-preview", metadataInput, previewMetadataCall, { right: "read" }, { mutation: true });
