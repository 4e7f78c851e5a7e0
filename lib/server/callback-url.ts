/**
 * Where the browser may go after sign-in: only a path on this server.
 * Checked with the URL parser browsers use (WHATWG): it strips tabs and
 * newlines and reads backslashes as slashes, so `/\t/evil.example/` and
 * `/\\evil.example` are the protocol-relative URLs a browser would follow,
 * not paths. The value is parsed against this server's origin; anything that
 * leaves it becomes "/". What comes back is the parsed path, so the browser
 * sees exactly what was checked.
 */
export function safeCallbackPath(value: unknown, origin = "http://chainsight.invalid"): string {
  if (typeof value !== "string" || value === "") return "/";
  // Only a path: an absolute URL, even to this origin, is not needed and invites tricks.
  if (!/^[/\\]/.test(value.replace(/[\t\n\r]/g, "")) ) return "/";
  let parsed: URL;
  try {
    parsed = new URL(value, origin);
  } catch {
    return "/";
  }
  if (parsed.origin !== new URL(origin).origin) return "/";
  const path = `${parsed.pathname}${parsed.search}${parsed.hash}`;
  // The result is parsed again by the browser; it must start with exactly one slash.
  return path.startsWith("/") && !path.startsWith("//") ? path : "/";
}
