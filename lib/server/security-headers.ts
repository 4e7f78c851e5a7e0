/**
 * The security headers of every response. Pages get a content security
 * policy with a per-request nonce: Next.js puts it on the scripts it emits,
 * and the one inline script of our own (the theme, before first paint)
 * carries it too. Styles may be inline: React Flow positions nodes with
 * style attributes. Nothing may frame a page (they carry "Delete…").
 */

export const COMMON_SECURITY_HEADERS: Record<string, string> = {
  "x-frame-options": "DENY",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
};

/** For responses that are never a page: JSON, files, next-auth's endpoints. */
export const NON_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'";

export function pageCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function pageSecurityHeaders(nonce: string): Record<string, string> {
  return { ...COMMON_SECURITY_HEADERS, "content-security-policy": pageCsp(nonce) };
}
