import { ProtocolError, UnauthorizedError } from "../errors";
import { tokenResponseSchema } from "../schemas";
import { Transport, type SendRequest } from "../transport";
import { challengeScopes, cleanScopes, parseChallenges, type Challenge } from "./challenge";
import { basicHeader, describeCredentials, type Credentials } from "./credentials";

/**
 * Wraps the transport with registry auth: answers 401 challenges with Basic
 * or Bearer, fetches tokens (GET, or the OAuth2 POST with a refresh token),
 * and caches them by host and scope set until they expire.
 */

interface CachedToken {
  token: string;
  expiresAt: number;
}

interface BearerParams {
  realm: string;
  service?: string;
}

export interface AuthRequest extends SendRequest {
  /** Scopes the request needs, e.g. `repository:foo:pull`. Hints; the challenge may add more. */
  scopes: string[];
}

export const OAUTH_CLIENT_ID = "chainsight";
/** Token lifetime the distribution token spec assumes when `expires_in` is missing. */
const DEFAULT_TOKEN_SECONDS = 60;
const EXPIRY_MARGIN_MS = 5_000;

export class AuthClient {
  private scheme: "basic" | "bearer" | undefined;
  private bearer: BearerParams | undefined;
  private readonly tokens = new Map<string, CachedToken>();
  private readonly inflight = new Map<string, Promise<CachedToken>>();

  constructor(
    readonly transport: Transport,
    private readonly credentials: Credentials,
    private readonly now: () => number = Date.now,
  ) {}

  get registry(): string {
    return this.transport.registry;
  }

  async send(req: AuthRequest): Promise<Response> {
    const scopes = cleanScopes(req.scopes);
    const first = await this.authorization(scopes);
    const res = await this.transport.send(withAuth(req, first));
    if (res.status !== 401) return res;

    const challenges = parseChallenges(res.headers.get("www-authenticate"));
    const bearer = challenges.find((c) => c.scheme === "bearer");
    const basic = challenges.find((c) => c.scheme === "basic");
    if (bearer && bearer.params.realm) {
      await res.body?.cancel().catch(() => {});
      this.scheme = "bearer";
      this.bearer = { realm: this.realmUrl(bearer.params.realm, req.url), service: bearer.params.service };
      const merged = cleanScopes([...scopes, ...challengeScopes(bearer)]);
      // A token we sent was refused (expired or revoked): forget it and fetch anew.
      if (first) {
        this.forget(merged);
        this.forget(scopes);
      }
      // Fresh only when a token we sent was refused: requests that went out together before the scheme was known
      // all meet the 401, and the token the first of them fetched serves the others.
      const token = await this.token(merged, first !== undefined);
      const retry = await this.transport.send(withAuth(req, `Bearer ${token.token}`));
      if (retry.status === 401) {
        this.forget(merged);
        await retry.body?.cancel().catch(() => {});
        const detail = challengeDetail(parseChallenges(retry.headers.get("www-authenticate")).find((c) => c.scheme === "bearer"));
        throw new UnauthorizedError(
          this.registry,
          `${this.registry}: the registry refused the token issued for ${describeCredentials(this.credentials)}${detail}; check the credentials and their access to ${merged.join(" ")}`,
          { status: 401 },
        );
      }
      return retry;
    }
    if (basic || this.credentials.kind === "basic") {
      if (this.credentials.kind !== "basic" || first) {
        await res.body?.cancel().catch(() => {});
        throw new UnauthorizedError(
          this.registry,
          this.credentials.kind === "basic"
            ? `${this.registry}: the registry rejected the username or password of ${describeCredentials(this.credentials)}`
            : `${this.registry}: the registry requires a username and password (Basic auth); configure credentials for it`,
          { status: 401 },
        );
      }
      await res.body?.cancel().catch(() => {});
      this.scheme = "basic";
      const retry = await this.transport.send(withAuth(req, basicHeader(this.credentials.username, this.credentials.password)));
      if (retry.status === 401) {
        await retry.body?.cancel().catch(() => {});
        throw new UnauthorizedError(
          this.registry,
          `${this.registry}: the registry rejected the username or password of ${describeCredentials(this.credentials)}`,
          { status: 401 },
        );
      }
      return retry;
    }
    return res; // no usable challenge: let the caller map the 401
  }

  /**
   * A realm may be relative (`realm="/token"`): RFC 7235 leaves it opaque,
   * but registries mean a path on themselves, so it is resolved against the
   * URL that was challenged. The target guard then decides whether it may be
   * asked. A realm that is no URL at all is refused with a message.
   */
  private realmUrl(realm: string, challenged: string): string {
    try {
      return new URL(realm, challenged).toString();
    } catch {
      throw new ProtocolError(this.registry, `${this.registry}: the registry's token realm ${JSON.stringify(realm.slice(0, 200))} is not a URL; the registry's auth configuration is broken`);
    }
  }

  /** The Authorization header to send up front, if the registry's scheme is known. */
  private async authorization(scopes: string[]): Promise<string | undefined> {
    if (this.credentials.kind === "bearer") return `Bearer ${this.credentials.token}`;
    if (this.scheme === "basic" && this.credentials.kind === "basic") {
      return basicHeader(this.credentials.username, this.credentials.password);
    }
    if (this.scheme === "bearer" && this.bearer) {
      // Known realm: fetch a token for the hinted scopes now instead of paying a 401 round trip.
      const t = await this.token(scopes, false);
      return `Bearer ${t.token}`;
    }
    return undefined;
  }

  private key(scopes: string[]): string {
    return `${this.bearer?.realm ?? ""}|${this.bearer?.service ?? ""}|${scopes.join(" ")}`;
  }

  private forget(scopes: string[]): void {
    this.tokens.delete(this.key(scopes));
  }

  private async token(scopes: string[], fresh: boolean): Promise<CachedToken> {
    const key = this.key(scopes);
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expiresAt > this.now()) return cached;
    const pending = this.inflight.get(key);
    if (pending) return pending;
    const p = this.fetchToken(scopes)
      .then((t) => {
        this.tokens.set(key, t);
        return t;
      })
      .finally(() => this.inflight.delete(key));
    this.inflight.set(key, p);
    return p;
  }

  private async fetchToken(scopes: string[]): Promise<CachedToken> {
    const { realm, service } = this.bearer!;
    const c = this.credentials;
    let res: Response;
    if (c.kind === "refresh-token") {
      const form = new URLSearchParams({ grant_type: "refresh_token", client_id: OAUTH_CLIENT_ID, refresh_token: c.refreshToken });
      if (service) form.set("service", service);
      if (scopes.length) form.set("scope", scopes.join(" "));
      res = await this.transport.send({
        method: "POST",
        url: realm,
        purpose: "token",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: form.toString(),
      });
      if (res.status === 404 || res.status === 405) {
        await res.body?.cancel().catch(() => {});
        res = await this.getToken(realm, service, scopes, basicHeader(c.username ?? "00000000-0000-0000-0000-000000000000", c.refreshToken));
      }
    } else {
      res = await this.getToken(realm, service, scopes, c.kind === "basic" ? basicHeader(c.username, c.password) : undefined);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel().catch(() => {});
      throw new UnauthorizedError(
        this.registry,
        c.kind === "anonymous"
          ? `${this.registry}: the token service at ${new URL(realm).host} refused anonymous access; configure credentials for this registry`
          : `${this.registry}: the token service at ${new URL(realm).host} rejected ${describeCredentials(c)} (HTTP ${res.status}); check the username and password`,
        { status: res.status },
      );
    }
    if (!res.ok) throw await this.transport.errorFrom(res, `token request to ${new URL(realm).host}`);
    const { bytes } = await this.transport.readBody(res, 1024 * 1024, "token response");
    let json: unknown;
    try {
      json = JSON.parse(new TextDecoder().decode(bytes));
    } catch {
      throw new ProtocolError(this.registry, `${this.registry}: the token service answered with something that is not JSON`);
    }
    const parsed = tokenResponseSchema.safeParse(json);
    const token = parsed.success ? (parsed.data.token ?? parsed.data.access_token) : undefined;
    if (!parsed.success || !token) {
      throw new ProtocolError(this.registry, `${this.registry}: the token service's answer has neither "token" nor "access_token"`);
    }
    const seconds = parsed.data.expires_in && parsed.data.expires_in > 0 ? parsed.data.expires_in : DEFAULT_TOKEN_SECONDS;
    return { token, expiresAt: this.now() + seconds * 1000 - EXPIRY_MARGIN_MS };
  }

  private getToken(realm: string, service: string | undefined, scopes: string[], authorization: string | undefined): Promise<Response> {
    const url = new URL(realm);
    if (service) url.searchParams.set("service", service);
    for (const s of scopes) url.searchParams.append("scope", s);
    return this.transport.send({
      method: "GET",
      url: url.toString(),
      purpose: "token",
      headers: authorization ? { authorization } : {},
    });
  }
}

function withAuth(req: SendRequest, authorization: string | undefined): SendRequest {
  if (!authorization) return req;
  return { ...req, headers: { ...req.headers, authorization } };
}

function challengeDetail(c: Challenge | undefined): string {
  if (!c) return "";
  const parts = [c.params.error, c.params.error_description].filter(Boolean);
  return parts.length ? ` (${parts.join(": ")})` : "";
}
