/**
 * WWW-Authenticate parsing (RFC 7235 §4.1): a header may hold several
 * challenges, each a scheme followed by comma-separated auth-params whose
 * values are tokens or quoted strings (which may contain commas and spaces).
 */

export interface Challenge {
  /** Lower-cased scheme: "basic", "bearer", … */
  scheme: string;
  params: Record<string, string>;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;

export function parseChallenges(header: string | null | undefined): Challenge[] {
  if (!header) return [];
  const out: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipWs = () => {
    while (i < n && (header[i] === " " || header[i] === "\t")) i++;
  };
  const readToken = () => {
    const start = i;
    while (i < n && TOKEN_CHAR.test(header[i])) i++;
    return header.slice(start, i);
  };
  const readQuoted = () => {
    // at opening quote
    i++;
    let s = "";
    while (i < n && header[i] !== '"') {
      if (header[i] === "\\" && i + 1 < n) i++;
      s += header[i++];
    }
    i++; // closing quote
    return s;
  };

  while (i < n) {
    skipWs();
    while (i < n && header[i] === ",") {
      i++;
      skipWs();
    }
    if (i >= n) break;
    const scheme = readToken();
    if (!scheme) {
      i++; // skip a character we cannot read
      continue;
    }
    const challenge: Challenge = { scheme: scheme.toLowerCase(), params: {} };
    out.push(challenge);
    skipWs();
    // token68 form (e.g. "Negotiate abc=="): ignore its value
    // auth-param list
    for (;;) {
      skipWs();
      const save = i;
      const name = readToken();
      if (!name) {
        if (header[i] === ",") {
          i++;
          continue;
        }
        break;
      }
      skipWs();
      if (header[i] !== "=") {
        // a new challenge starts here
        i = save;
        break;
      }
      i++;
      skipWs();
      let value: string;
      if (header[i] === '"') value = readQuoted();
      else {
        const start = i;
        while (i < n && header[i] !== "," && header[i] !== " ") i++;
        value = header.slice(start, i);
      }
      challenge.params[name.toLowerCase()] = value;
      skipWs();
      if (header[i] === ",") i++;
      else break;
    }
  }
  return out;
}

/** Scopes of a Bearer challenge: the `scope` param holds space-separated entries. */
export function challengeScopes(challenge: Challenge): string[] {
  return (challenge.params.scope ?? "").split(" ").filter(Boolean);
}

/**
 * Merge scopes: the same resource's actions are unioned, and the result is
 * sorted so that equal sets give equal cache keys (oras-go's CleanScopes).
 */
export function cleanScopes(scopes: Iterable<string>): string[] {
  const byResource = new Map<string, Set<string>>();
  const others = new Set<string>();
  for (const scope of scopes) {
    const last = scope.lastIndexOf(":");
    const first = scope.indexOf(":");
    if (first < 0 || last === first) {
      others.add(scope);
      continue;
    }
    const resource = scope.slice(0, last);
    const actions = byResource.get(resource) ?? new Set<string>();
    for (const a of scope.slice(last + 1).split(",")) if (a) actions.add(a);
    byResource.set(resource, actions);
  }
  const result = [...others];
  for (const [resource, actions] of byResource) {
    const list = actions.has("*") ? ["*"] : [...actions].sort();
    result.push(`${resource}:${list.join(",")}`);
  }
  return result.sort();
}

export function repositoryScope(repository: string, ...actions: string[]): string {
  return `repository:${repository}:${actions.join(",")}`;
}

export const CATALOG_SCOPE = "registry:catalog:*";
