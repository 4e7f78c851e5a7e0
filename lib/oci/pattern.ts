/**
 * Name patterns as access roles and policies write them: `**` and a lone `*`
 * match everything; `*` matches within one path segment; `x/**` matches
 * everything below x/. Tags have no segments, so `*` there matches any run of
 * characters (`v1.*`, `*-rc*`).
 */
export function patternMatches(pattern: string, name: string): boolean {
  if (pattern === "*" || pattern === "**") return true;
  let re = "^";
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === "*" && pattern[i + 1] === "*") {
      re += ".*";
      i++;
    } else if (c === "*") re += "[^/]*";
    else re += c.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`${re}$`).test(name);
}
