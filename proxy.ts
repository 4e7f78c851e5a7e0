import { NextResponse, type NextRequest } from "next/server";
import { loadConfig, type Config } from "./lib/server/config";
import { pageAddressOfPath } from "./lib/server/page-address";
import { pageSecurityHeaders } from "./lib/server/security-headers";
import { principalFromHeaders } from "./lib/server/session";

/**
 * Before any page renders:
 * - every page gets its security headers, with a fresh CSP nonce that Next.js
 *   puts on its own scripts (it reads the nonce from the request's CSP header);
 * - with sign-in on, a request without a valid session goes to /signin and
 *   comes back afterwards (307, so the page never starts rendering);
 * - a dashboard address with a malformed name renders its explanation with 400.
 * API routes set their own headers and answer 401 JSON themselves.
 */

let loaded: Config | undefined;

export async function proxy(request: NextRequest): Promise<NextResponse> {
  const nonce = btoa(crypto.randomUUID());
  const headers = pageSecurityHeaders(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set("x-nonce", nonce);
  // For not-found.tsx, which is not told which address it stands for.
  requestHeaders.set("x-chainsight-path", request.nextUrl.pathname);
  requestHeaders.set("content-security-policy", headers["content-security-policy"]);
  const finish = (response: NextResponse) => {
    for (const [k, v] of Object.entries(headers)) response.headers.set(k, v);
    return response;
  };
  const pathname = request.nextUrl.pathname;
  if (!pathname.startsWith("/signin")) {
    let settings: Config | undefined;
    try {
      settings = loaded ??= loadConfig();
    } catch {
      settings = undefined; // a broken configuration is shown by the pages and the API
    }
    if (settings?.auth.enabled && !(await principalFromHeaders(request.headers, request.url, settings.auth))) {
      const target = new URL("/signin", request.url);
      target.searchParams.set("callbackUrl", pathname + request.nextUrl.search);
      return finish(NextResponse.redirect(target));
    }
  }
  const address = pageAddressOfPath(pathname);
  // Only the status changes: the page renders its own explanation of what is wrong with the name.
  if (address?.error) return finish(NextResponse.next({ status: 400, request: { headers: requestHeaders } }));
  return finish(NextResponse.next({ request: { headers: requestHeaders } }));
}

export const config = {
  matcher: ["/((?!api/|_next/|favicon\\.svg).*)"],
};
