/** What the client may present to one registry. Resolved on the server; never sent to a browser. */
export type Credentials =
  | { kind: "anonymous" }
  | { kind: "basic"; username: string; password: string }
  /** A bearer token used as is (no token exchange). */
  | { kind: "bearer"; token: string }
  /** An OAuth2 refresh (identity) token, exchanged at the token realm. */
  | { kind: "refresh-token"; refreshToken: string; username?: string };

export const ANONYMOUS: Credentials = { kind: "anonymous" };

export function basicHeader(username: string, password: string): string {
  return `Basic ${Buffer.from(`${username}:${password}`, "utf8").toString("base64")}`;
}

/** Who the credentials are, for messages; never the secret. */
export function describeCredentials(c: Credentials): string {
  switch (c.kind) {
    case "anonymous":
      return "anonymous access";
    case "basic":
      return `user "${c.username}"`;
    case "bearer":
      return "the configured bearer token";
    case "refresh-token":
      return "the configured refresh token";
  }
}
