import { getToken } from "next-auth/jwt";
import { OPEN_ACCESS, type Principal } from "./access";
import type { AuthConfig } from "./config";

/**
 * Who is asking: the signed-in user from the session cookie (a JWT that
 * next-auth encrypts with the configured secret; forged, tampered or expired
 * cookies decode to nothing), or everyone when sign-in is off.
 */
export async function principalFromHeaders(headers: Headers, url: string, auth: AuthConfig): Promise<Principal | undefined> {
  if (!auth.enabled) return OPEN_ACCESS;
  if (!auth.secret) return undefined;
  const token = await getToken({
    req: { headers, cookies: parseCookies(headers.get("cookie")) } as never,
    secret: auth.secret,
    secureCookie: url.startsWith("https://"),
    logger: { error: () => {}, warn: () => {}, debug: () => {} } as never,
  });
  if (!token) return undefined;
  const id = typeof token.username === "string" ? token.username : typeof token.sub === "string" ? token.sub : undefined;
  if (!id) return undefined;
  return {
    id,
    name: id,
    provider: typeof token.provider === "string" ? token.provider : "unknown",
    groups: Array.isArray(token.groups) ? token.groups.filter((g): g is string => typeof g === "string") : [],
  };
}

/** `a=1; b=2` → Map (next-auth reads session cookies, possibly chunked, from a Map). */
function parseCookies(header: string | null): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const i = part.indexOf("=");
    if (i <= 0) continue;
    const name = part.slice(0, i).trim();
    let value = part.slice(i + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      // keep as sent
    }
    out.set(name, value);
  }
  return out;
}
