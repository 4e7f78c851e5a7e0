/**
 * RFC 8288 Link header parsing, as used by catalog, tag list and referrers
 * pagination: `<url>; rel="next"`. Targets are resolved against the request URL.
 */
export interface LinkValue {
  url: string;
  params: Record<string, string>;
}

export function parseLinkHeader(header: string | null | undefined, base?: string): LinkValue[] {
  if (!header) return [];
  const out: LinkValue[] = [];
  // Split into link-values at commas outside <...> and quoted strings.
  const values: string[] = [];
  let current = "";
  let inUri = false;
  let inQuote = false;
  for (const ch of header) {
    if (ch === "<" && !inQuote) inUri = true;
    else if (ch === ">" && !inQuote) inUri = false;
    else if (ch === '"' && !inUri) inQuote = !inQuote;
    if (ch === "," && !inUri && !inQuote) {
      values.push(current);
      current = "";
    } else current += ch;
  }
  values.push(current);
  for (const value of values) {
    const m = /^\s*<([^>]*)>(.*)$/s.exec(value);
    if (!m) continue;
    const params: Record<string, string> = {};
    for (const p of m[2].split(";")) {
      const kv = p.trim();
      if (!kv) continue;
      const eq = kv.indexOf("=");
      const key = (eq < 0 ? kv : kv.slice(0, eq)).trim().toLowerCase();
      let v = eq < 0 ? "" : kv.slice(eq + 1).trim();
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
      params[key] = v;
    }
    let url = m[1];
    if (base) {
      try {
        url = new URL(url, base).toString();
      } catch {
        continue;
      }
    }
    out.push({ url, params });
  }
  return out;
}

/** The `rel="next"` target, if any. */
export function nextLink(header: string | null | undefined, base?: string): string | undefined {
  return parseLinkHeader(header, base).find((l) => l.params.rel?.split(/\s+/).includes("next"))?.url;
}
