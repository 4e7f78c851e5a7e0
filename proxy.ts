import { NextResponse, type NextRequest } from "next/server";
import { loadConfig, type Config } from "./lib/server/config";
import { principalFromHeaders } from "./lib/server/session";

/**
 * Before any page renders: with sign-in on, a request without a valid
 * session goes to /signin and comes back afterwards (307, so the page never
 * starts rendering). API routes answer 401 JSON themselves (route helper).
 */

let loaded: Config | undefined;

export async function proxy(request: NextRequest): Promise<NextResponse> {
  let settings: Config;
  try {
    settings = loaded ??= loadConfig();
  } catch {
    return NextResponse.next(); // a broken configuration is shown by the pages and the API
  }
  if (!settings.auth.enabled) return NextResponse.next();
  if (await principalFromHeaders(request.headers, request.url, settings.auth)) return NextResponse.next();
  const target = new URL("/signin", request.url);
  target.searchParams.set("callbackUrl", request.nextUrl.pathname + request.nextUrl.search);
  return NextResponse.redirect(target);
}

export const config = {
  matcher: ["/((?!api/|_next/|signin|favicon\\.svg).*)"],
};
