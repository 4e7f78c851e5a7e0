import { notFoundResponse } from "@/lib/server/http";

/** Unknown API paths answer JSON, not the HTML not-found page. */
export const GET = notFoundResponse;
export const POST = notFoundResponse;
export const PUT = notFoundResponse;
export const DELETE = notFoundResponse;
