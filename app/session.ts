import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import type { Principal } from "@/lib/server/access";
import { getRuntime } from "@/lib/server/runtime";
import { principalFromHeaders } from "@/lib/server/session";

/** The signed-in user for a page (everyone when sign-in is off); undefined when the configuration is broken. */
export async function pagePrincipal(): Promise<{ principal?: Principal; authEnabled: boolean }> {
  let runtime;
  try {
    runtime = getRuntime();
  } catch {
    return { authEnabled: false };
  }
  const h = new Headers(await headers());
  const cookieHeader = (await cookies()).toString();
  if (cookieHeader) h.set("cookie", cookieHeader);
  const proto = h.get("x-forwarded-proto") ?? "http";
  const principal = await principalFromHeaders(h, `${proto}://${h.get("host") ?? "localhost"}/`, runtime.config.auth);
  return { principal, authEnabled: runtime.config.auth.enabled };
}

/** Pages call this first: without a session, go to sign-in and come back to `path` afterwards. */
export async function requireSignIn(path: string): Promise<void> {
  const { principal, authEnabled } = await pagePrincipal();
  if (authEnabled && !principal) redirect(`/signin?callbackUrl=${encodeURIComponent(path)}`);
}

/** `path?query` of a page from its props, for the way back after sign-in. */
export function pathWithQuery(path: string, searchParams: Record<string, string | string[] | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(searchParams)) {
    if (typeof v === "string") q.set(k, v);
    else if (Array.isArray(v)) for (const x of v) q.append(k, x);
  }
  return q.size ? `${path}?${q}` : path;
}
