import NextAuth from "next-auth";
import { authOptions } from "@/lib/server/auth-options";
import { errorResponse, json } from "@/lib/server/http";
import { getRuntime } from "@/lib/server/runtime";

/** next-auth's endpoints (sign-in, callbacks, CSRF token, session, sign-out), configured from Chainsight's config. */
async function handler(request: Request, context: { params: Promise<{ nextauth: string[] }> }): Promise<Response> {
  let options;
  try {
    const runtime = getRuntime();
    if (!runtime.config.auth.enabled) {
      return json({ error: { code: "auth_disabled", message: "sign-in is not enabled on this server (auth.enabled is false): access is open" } }, 404);
    }
    options = authOptions(runtime.config, { audit: runtime.audit, throttle: runtime.signInThrottle });
  } catch (err) {
    return errorResponse(err).response;
  }
  return (NextAuth(options) as unknown as (r: Request, c: typeof context) => Promise<Response>)(request, context);
}

export { handler as GET, handler as POST };
