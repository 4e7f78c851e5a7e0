/**
 * Test support: a token service for Distribution's token auth. It signs
 * ES256 JWTs whose `x5c` header carries a self-signed certificate; the
 * registry is configured to trust that certificate (`rootcertbundle`), so
 * the registry itself validates every token it is given.
 */
import { execFileSync } from "node:child_process";
import { createPrivateKey, randomUUID, sign, X509Certificate, type KeyObject } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports";

export interface IssuerUser {
  password: string;
  /** Actions granted on a repository (default pull and push on everything). */
  grant?: (type: string, name: string, requested: string[]) => string[];
}

export interface TokenIssuerOptions {
  service?: string;
  issuer?: string;
  users?: Record<string, IssuerUser>;
  /** Refresh tokens accepted on the OAuth2 POST, mapped to the user they stand for. */
  refreshTokens?: Record<string, string>;
  /** Allow anonymous pull tokens. */
  anonymousPull?: boolean;
}

export interface TokenRequestLog {
  method: string;
  user?: string;
  scopes: string[];
  grantType?: string;
}

export class TokenIssuer {
  readonly service: string;
  readonly issuer: string;
  certPath = "";
  realm = "";
  /** Seconds the issued JWTs are valid (the `exp` claim). */
  tokenLifetime = 300;
  /** `expires_in` reported to the client; defaults to tokenLifetime. */
  reportedExpiresIn: number | undefined;
  readonly requests: TokenRequestLog[] = [];
  private server?: Server;
  private key?: KeyObject;
  private certDer = "";
  private dir = "";

  constructor(private readonly options: TokenIssuerOptions = {}) {
    this.service = options.service ?? "chainsight-test-registry";
    this.issuer = options.issuer ?? "chainsight-test-issuer";
  }

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), "chainsight-issuer-"));
    const keyPath = join(this.dir, "key.pem");
    this.certPath = join(this.dir, "cert.pem");
    execFileSync("openssl", [
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-keyout", keyPath, "-out", this.certPath, "-days", "2", "-subj", "/CN=chainsight-test-issuer",
    ], { stdio: "ignore" });
    this.key = createPrivateKey(readFileSync(keyPath));
    this.certDer = new X509Certificate(readFileSync(this.certPath)).raw.toString("base64");
    const port = await freePort();
    this.realm = `http://127.0.0.1:${port}/token`;
    this.server = createServer((req, res) => {
      this.handle(req).then(
        ({ status, body }) => {
          res.writeHead(status, { "content-type": "application/json" });
          res.end(JSON.stringify(body));
        },
        (err) => {
          res.writeHead(500, { "content-type": "text/plain" });
          res.end(String(err));
        },
      );
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body: unknown }> {
    const url = new URL(req.url ?? "/", this.realm);
    if (url.pathname !== "/token") return { status: 404, body: { error: "not found" } };
    let user: string | undefined;
    let scopes: string[];
    let grantType: string | undefined;
    if (req.method === "POST") {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      grantType = form.get("grant_type") ?? undefined;
      scopes = (form.get("scope") ?? "").split(" ").filter(Boolean);
      if (grantType === "refresh_token") {
        user = this.options.refreshTokens?.[form.get("refresh_token") ?? ""];
        if (!user) return this.log(req, undefined, scopes, grantType, { status: 401, body: { error: "invalid_grant" } });
      } else if (grantType === "password") {
        const u = form.get("username") ?? "";
        if (this.options.users?.[u]?.password !== form.get("password")) return this.log(req, u, scopes, grantType, { status: 401, body: { error: "invalid_grant" } });
        user = u;
      } else {
        return this.log(req, undefined, scopes, grantType, { status: 400, body: { error: "unsupported_grant_type" } });
      }
    } else {
      scopes = url.searchParams.getAll("scope").flatMap((s) => s.split(" ")).filter(Boolean);
      const header = req.headers.authorization ?? "";
      if (header.startsWith("Basic ")) {
        const [u, ...rest] = Buffer.from(header.slice(6), "base64").toString().split(":");
        const p = rest.join(":");
        if (this.options.users?.[u]?.password === p) user = u;
        else if (this.options.refreshTokens?.[p]) user = this.options.refreshTokens[p];
        else return this.log(req, u, scopes, undefined, { status: 401, body: { details: "invalid username or password" } });
      } else if (!this.options.anonymousPull) {
        return this.log(req, undefined, scopes, undefined, { status: 401, body: { details: "authentication required" } });
      }
    }
    const access = scopes.map((s) => {
      const last = s.lastIndexOf(":");
      const first = s.indexOf(":");
      const type = s.slice(0, first);
      const name = s.slice(first + 1, last);
      const requested = s.slice(last + 1).split(",");
      const grant = user ? this.options.users?.[user]?.grant : undefined;
      const actions = user ? (grant ? grant(type, name, requested) : requested) : requested.filter((a) => a === "pull");
      return { type, name, actions };
    });
    const now = Math.floor(Date.now() / 1000);
    const token = this.jwt({
      iss: this.issuer,
      sub: user ?? "",
      aud: this.service,
      exp: now + this.tokenLifetime,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    });
    const body = grantType
      ? { access_token: token, expires_in: this.reportedExpiresIn ?? this.tokenLifetime, scope: scopes.join(" ") }
      : { token, expires_in: this.reportedExpiresIn ?? this.tokenLifetime, issued_at: new Date().toISOString() };
    return this.log(req, user, scopes, grantType, { status: 200, body });
  }

  private log(req: IncomingMessage, user: string | undefined, scopes: string[], grantType: string | undefined, r: { status: number; body: unknown }) {
    this.requests.push({ method: req.method ?? "GET", user, scopes, grantType });
    return r;
  }

  private jwt(claims: Record<string, unknown>): string {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString("base64url");
    const header = { typ: "JWT", alg: "ES256", x5c: [this.certDer] };
    const input = `${b64(header)}.${b64(claims)}`;
    const sig = sign("sha256", Buffer.from(input), { key: this.key!, dsaEncoding: "ieee-p1363" });
    return `${input}.${sig.toString("base64url")}`;
  }
}
